"""The demo's standards file, loaded by ``flask demo`` after its rounds: twelve published exemplars, so that a new
teacher finds Year 2, Year 6 and Year 7 writing at each standard, APP-style collections and a boundary pair.

Each is made through the services the people's clicks go through. The LA lead promotes the revealed round's
candidates (its blind judgements agree by the authority's default rule) and adds samples moderated outside the
platform; each school's assessment lead records the permission to publish; a second person (the LA lead, who
neither made nor uploaded the work) confirms every page; the LA lead writes the commentary and publishes, which
makes the redacted copy. A sample already in the standards file is left as it is, so loading the demo twice
changes nothing.
"""

from typing import NamedTuple

from sqlalchemy import select

from moderation_hub import clock
from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.rounds.demo import assessment_lead
from moderation_hub.rounds.models import RoundEntry
from moderation_hub.samples.models import WorkSample
from moderation_hub.standards import candidates, compare, publication
from moderation_hub.standards.commentary import Commentary
from moderation_hub.standards.models import BoundaryPair, Exemplar, PublicationScope

AUTHORITY, INSTALLATION, PUBLIC = PublicationScope.AUTHORITY, PublicationScope.INSTALLATION, PublicationScope.PUBLIC


class DemoExemplar(NamedTuple):
    pupil_code: str
    school_urn: str
    scope: PublicationScope  # what the school's permission allows
    summary: str  # why this standard, in a paragraph or two
    why_not_next: str  # and why not the next one up
    statements: dict[str, str]  # commentary on some of the framework's statements, citing the pieces
    outside: str = ""  # for a sample moderated outside the platform: the LA lead's note on where and how


# The revealed round's agreed samples come first, as the LA lead finds them among the candidates. Pieces are cited as
# the exemplar page letters them: in the order the teacher added them.
EXEMPLARS = (
    DemoExemplar(
        "Y6-022",
        "990103",
        INSTALLATION,
        "Secure at the expected standard across a story, a formal letter and a diary: each chosen in form and tone "
        "for its reader. Both moderators judged it EXS blind, on the same statements.",
        "Each piece keeps one register, so the controlled shifts within a piece that GDS.2 asks for are not shown, "
        "and there are no semi-colons, colons or dashes for GDS.4.",
        {
            "EXS.1": "The letter in piece B opens 'I am writing to ask you'; the diary in piece C exclaims 'What a "
            "day!'. Each form suits its reader.",
            "EXS.2": "Piece A sets its atmosphere at once ('the colour of a bruise'), and its dialogue moves the "
            "action on.",
            "EXS.3": "Fronted adverbials and pronouns link the paragraphs of piece A.",
        },
    ),
    DemoExemplar(
        "Y6-040",
        "990109",
        INSTALLATION,
        "Boundary pair, just below: read it beside Y6 'The tunnel', just at EXS. A story in paragraphs, with a "
        "setting described simply and speech that moves the story on: working towards, close to the line.",
        "The tense slips and subject and verb disagree (EXS.4), the speech has no question mark or comma inside its "
        "inverted commas (EXS.5), and paragraphs are joined only by 'then' and 'after that'.",
        {
            "WTS.2": "Piece A is in paragraphs, one for each stage of the adventure.",
            "WTS.3": "'Water dripped from the rocky roof' (piece A): a setting described simply.",
            "EXS.4": "Not yet: 'Sam stops and shines his torch' slips into the present, and 'two yellow eyes was "
            "staring' (piece A).",
            "EXS.5": "Not yet: '\"Can you hear that\" whispered Ella' has no question mark (piece A).",
        },
    ),
    DemoExemplar(
        "Y6-047",
        "990108",
        INSTALLATION,
        "Boundary pair, just at: read it beside Y6 'The cave', just below EXS. The same kind of story, under control, "
        "and a formal letter that suits its reader.",
        "Description is still mostly adjective and noun, each piece keeps one register (GDS.2), and there is no "
        "punctuation for effect (GDS.4).",
        {
            "EXS.1": "Piece B, the letter to the headteacher, is formal throughout: 'I am writing to ask whether'.",
            "EXS.2": "In piece A, Leo's 'Are you sure about this?' shows that he is nervous.",
            "EXS.3": "'Halfway along' and 'When we finally reached the door' link the paragraphs of piece A.",
            "EXS.5": "Speech is punctuated correctly, inside and out (piece A).",
        },
    ),
    DemoExemplar(
        "Y6-044",
        "990108",
        PUBLIC,
        "Greater depth across a range of purposes, each borrowing from what the pupil has read: a newspaper report, "
        "a persuasive speech and a story.",
        "Greater depth is the top of the scale. It rests on a range: two pieces, however fine, would not show GDS.1; "
        "these three do.",
        {
            "GDS.1": "Piece A quotes a witness as real reports do; piece B uses the rule of three; piece C echoes its "
            "opening.",
            "GDS.2": "In piece B the register drops to an aside in brackets ('To be honest, I used to hate my blazer') "
            "and back, under control.",
            "GDS.3": "The passive hides who acted where it does not matter: 'Residents of Millbrook were evacuated' "
            "(piece A).",
            "GDS.4": "A semi-colon in piece A, a colon in piece B and a dash in piece C, each for a reason.",
        },
    ),
    DemoExemplar(
        "Y2-003",
        "990101",
        PUBLIC,
        "After talking about his dog with an adult, the pupil writes sentences that follow on, several of them "
        "demarcated, with every sound given a letter.",
        "Two sentences start without a capital letter (EXS.3), and ideas are listed rather than joined with "
        "'because' or 'when' (EXS.4).",
        {
            "WTS.2": "'I hav a dog calld Biscit.' starts with a capital and ends with a full stop (piece A).",
            "WTS.3": "'lics', 'wen', 'flopy': every sound has a letter (piece A).",
            "WTS.4": "'said' and 'was' are spelt correctly (piece A).",
        },
        outside="Moderated at a cluster's Year 2 meeting on paper, before the school joined the platform; agreed by "
        "the cluster's three teachers and an LA moderator.",
    ),
    DemoExemplar(
        "Y2-015",
        "990101",
        PUBLIC,
        "A story with a clear beginning, middle and end, punctuated where it matters, and ideas joined to explain.",
        "The story retells events in the pupil's own everyday words; it does not yet borrow the language of books "
        "(GDS.1) or use commas in a list (GDS.3).",
        {
            "EXS.1": "'Once upon a time there was a girl called Lily' begins it; the teddy found on a rock ends it "
            "(piece A).",
            "EXS.3": "'Where could he be?' and 'with a crab!' (piece A).",
            "EXS.4": "'she was very sad because Bob was lost' (piece A).",
        },
        outside="Moderated at the LA's Year 2 writing moderation in June, on paper; agreed at EXS.",
    ),
    DemoExemplar(
        "Y2-024",
        "990111",
        AUTHORITY,
        "Just at the expected standard: a science recount a reader who was not there can follow. Compare Y2 'The "
        "lost teddy', secure at EXS.",
        "'Then' starts most sentences and one sentence runs on, so nothing here reaches towards greater depth.",
        {
            "EXS.2": "Piece A tells the bean's growth in order, from the jar to the shoot.",
            "EXS.3": "Most boundaries are marked, but 'a green shoot grew up it got taller' runs on (piece A).",
            "EXS.4": "'because beans need light' and 'When we came back' (piece A).",
        },
        outside="Moderated in school by the LA's Year 2 moderator during the statutory visit; agreed at EXS.",
    ),
    DemoExemplar(
        "Y2-019",
        "990111",
        PUBLIC,
        "Greater depth: the story borrows from traditional tales, the pupil improves it unprompted, and the "
        "punctuation and suffixes of key stage 1 are used correctly. Everything at EXS is secure too.",
        "Greater depth is the top of the key stage 1 scale.",
        {
            "GDS.1": "'Deep in the dark, dark forest' (piece A): the pattern of the tales the class has read.",
            "GDS.2": "'big' is crossed out for 'enormous' without a prompt (piece A).",
            "GDS.3": "Commas in a list ('shiny scales, sharp claws and a long, swishing tail') and an apostrophe for "
            "a contraction (piece A).",
            "GDS.4": "'darkness' and 'peaceful' are spelt correctly (piece A).",
        },
        outside="Moderated at the LA's Year 2 writing moderation in June, on paper; agreed at GDS by the panel.",
    ),
    DemoExemplar(
        "Y7-105",
        "990107",
        INSTALLATION,
        "Working within plus on the key stage 3 scale: imagery and deliberate variation of sentence length in the "
        "description, and a speech that keeps its viewpoint. Read it beside Year 6 at EXS and GDS to follow writing "
        "across the phase boundary.",
        "The speech's ending is formulaic (s.1) and there are no dashes or brackets yet (s.3).",
        {
            "w.3": "Piece A varies sentence and paragraph length for effect.",
            "w.1": "Piece B is organised by topic sentences and connectives.",
            "s.2": "Piece B keeps its viewpoint and answers a counter-argument.",
        },
        outside="Moderated at the school's Year 7 English standardisation meeting; agreed at w+.",
    ),
    DemoExemplar(
        "Y7-108",
        "990106",
        INSTALLATION,
        "Working within: a letter to a councillor that builds towards its request in a tone that suits its reader.",
        "Sentences are mostly of one length (w.3), and the viewpoint is not yet shown across forms.",
        {
            "w.1": "'Firstly', 'As a result' and 'However' build towards the request (piece A).",
            "w.2": "'I understand that the ramps were damaged': reasonable and formal, for a councillor (piece A).",
            "w.4": "'help to raise money; we could hold a sponsored skate' (piece A).",
        },
        outside="Moderated at a Year 6 to Year 7 transition meeting of two schools; agreed at w.",
    ),
    DemoExemplar(
        "Y4-051",
        "990102",
        INSTALLATION,
        "An APP-style review of a range, a report and a story, judged level 3 secure against the assessment focuses.",
        "No complex sentences with 'although' or 'while' (L4.AF5), and the story's opening and ending are not "
        "linked (L4.AF3), so not yet level 4.",
        {
            "L3.AF1": "AF1: the storm is described to interest the reader (piece B).",
            "L3.AF2": "AF2: question headings in piece A, as reports have.",
            "L3.AF4": "AF4: facts grouped under each heading and linked with 'so' (piece A).",
            "L3.AF7": "AF7: 'howled', 'hammered' and 'crept' (piece B).",
        },
        outside="An APP standards file sample from the school's assessment review, agreed by an LA adviser.",
    ),
    DemoExemplar(
        "Y5-058",
        "990102",
        AUTHORITY,
        "An APP-style review of an explanation written in science, judged level 4 secure.",
        "The paragraphs follow the cycle but are not built around main ideas that develop the explanation "
        "(L5.AF4), so not yet level 5.",
        {
            "L4.AF2": "AF2: the form of an explanation is kept throughout piece A.",
            "L4.AF3": "AF3: the opening question is answered at the end of piece A.",
            "L4.AF5": "AF5: 'Although clouds look light and fluffy,' and other complex sentences (piece A).",
        },
        outside="An APP standards file sample from the school's assessment review, agreed by an LA adviser.",
    ),
)

# The boundary pair the LA lead marks: (just at, just below, the note readers see).
BOUNDARY_PAIR = (
    "Y6-047",
    "Y6-040",
    "Two adventure stories of the same kind, one either side of the expected standard in Year 6 writing: compare the "
    "punctuation inside the speech, the tenses, and how the paragraphs are linked.",
)


def load_demo_standards(authority: LocalAuthority, lead: User) -> list[Exemplar]:
    """Publish the demo exemplars not yet in the standards file; returns those published. The caller commits.

    ``lead`` is the authority's LA lead. Needs the demo samples and the revealed round (``rounds.demo``)."""
    made = []
    round_entries = _candidate_entries(authority)
    for spec in EXEMPLARS:
        sample = _sample(spec)
        if db.session.scalar(select(Exemplar.id).where(Exemplar.sample_id == sample.id)) is not None:
            continue
        if spec.outside:
            exemplar = _add_outside(authority, lead, sample, spec)
        else:
            entry = round_entries.get(sample.id)
            if entry is None:
                raise LookupError(f"the demo sample {spec.pupil_code} is not a candidate of the revealed round")
            exemplar = candidates.promote(entry, lead)
        _publish(exemplar, spec, lead)
        made.append(exemplar)
    _mark_boundary_pair(authority, lead)
    return made


def _mark_boundary_pair(authority: LocalAuthority, lead: User) -> None:
    at_code, below_code, note = BOUNDARY_PAIR
    at, below = (_exemplar(_sample(_spec(code))) for code in (at_code, below_code))
    marked = select(BoundaryPair.id).where(BoundaryPair.at_id == at.id, BoundaryPair.below_id == below.id)
    if db.session.scalar(marked) is None:
        compare.mark_pair(authority, at, below, note, lead)


def _spec(pupil_code: str) -> DemoExemplar:
    return next(spec for spec in EXEMPLARS if spec.pupil_code == pupil_code)


def _exemplar(sample: WorkSample) -> Exemplar:
    return db.session.scalars(select(Exemplar).where(Exemplar.sample_id == sample.id)).one()


def _candidate_entries(authority: LocalAuthority) -> dict[int, RoundEntry]:
    """The authority's candidates by sample, every page of them, as the LA lead would page through them."""
    found, number = {}, 1
    while (page := candidates.candidates_page(authority, number)) is not None and page.candidates:
        found |= {candidate.entry.sample_id: candidate.entry for candidate in page.candidates}
        if number >= page.paging.pages:
            break
        number += 1
    return found


def _add_outside(authority: LocalAuthority, lead: User, sample: WorkSample, spec: DemoExemplar) -> Exemplar:
    standard = sample.teacher_judgement  # the moderation outside agreed with the school
    if standard is None:
        raise LookupError(f"the demo sample {spec.pupil_code} has no judgement")
    return candidates.add_outside(
        authority,
        lead,
        school=sample.school,
        pupil_code=sample.pupil_code,
        academic_year=sample.academic_year,
        standard=standard,
        note=spec.outside,
    )


def _publish(exemplar: Exemplar, spec: DemoExemplar, lead: User) -> None:
    sample = exemplar.sample
    school_lead = assessment_lead(sample.school)
    details = publication.PermissionDetails(
        given_by="The pupil's parent, by a signed letter to the school",
        given_on=clock.today(),
        scope=spec.scope,
        expires_on=None,
    )
    publication.record_permission(sample, details, school_lead)
    publication.confirm_pages(exemplar, set(range(1, len(publication.pages_of(exemplar)) + 1)), lead)
    publication.save_commentary(exemplar, _commentary(spec), exemplar.version, lead)
    publication.publish(exemplar, exemplar.version, lead)


def _commentary(spec: DemoExemplar) -> Commentary:
    return Commentary(spec.summary, spec.why_not_next, spec.statements)


def _sample(spec: DemoExemplar) -> WorkSample:
    found = (
        select(WorkSample)
        .join(School)
        .where(
            School.urn == spec.school_urn,
            WorkSample.pupil_code == spec.pupil_code,
            WorkSample.academic_year == clock.current_academic_year(),
        )
    )
    return db.session.scalars(found).one()
