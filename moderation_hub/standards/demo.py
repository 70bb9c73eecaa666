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
from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.db import db
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.rounds.models import RoundEntry
from moderation_hub.samples.models import WorkSample
from moderation_hub.standards import candidates, compare, publication
from moderation_hub.standards.models import BoundaryPair, Exemplar, PublicationScope

AUTHORITY, INSTALLATION, PUBLIC = PublicationScope.AUTHORITY, PublicationScope.INSTALLATION, PublicationScope.PUBLIC


class DemoExemplar(NamedTuple):
    pupil_code: str
    school_urn: str
    scope: PublicationScope  # what the school's permission allows
    commentary: str
    outside: str = ""  # for a sample moderated outside the platform: the LA lead's note on where and how


# The revealed round's agreed samples come first, as the LA lead finds them among the candidates.
EXEMPLARS = (
    DemoExemplar(
        "Y6-022",
        "990103",
        INSTALLATION,
        "Why EXS: across a story, a formal letter and a diary the pupil chooses form and tone for the reader "
        "(EXS.1): 'I am writing to ask you' in piece A, 'What a day!' in piece C. The story's setting builds "
        "atmosphere ('the colour of a bruise', piece B) and its dialogue moves the action on (EXS.2); fronted "
        "adverbials and pronouns link the paragraphs (EXS.3); speech punctuation is accurate (EXS.5).\n\n"
        "Why not GDS: each piece keeps one register, so the controlled shifts of GDS.2 are not shown, and there are "
        "no semi-colons, colons or dashes for GDS.4. Both moderators judged it EXS blind, on the same statements.",
    ),
    DemoExemplar(
        "Y6-040",
        "990109",
        INSTALLATION,
        "Boundary pair, just below: read it beside Y6 'The tunnel', just at EXS.\n\n"
        "Why WTS: a story in paragraphs (WTS.2) with a setting described simply ('Water dripped from the rocky "
        "roof', WTS.3) and speech that moves the story on (EXS.2 in part).\n\n"
        "Why not EXS: the tense slips ('Sam stops and shines his torch') and subject and verb disagree ('two "
        "yellow eyes was staring'), against EXS.4; the speech has no question mark or comma inside its inverted "
        "commas, against EXS.5. Paragraphs are joined only by 'then' and 'after that'.",
    ),
    DemoExemplar(
        "Y6-047",
        "990108",
        INSTALLATION,
        "Boundary pair, just at: read it beside Y6 'The cave', just below EXS.\n\n"
        "Why EXS: the same kind of story, under control. Speech is punctuated and shows that Leo is nervous "
        "(EXS.2, EXS.5); 'Halfway along' and 'When we finally reached the door' link the paragraphs (EXS.3); tenses "
        "stay consistent (EXS.4). Piece B, the formal letter, suits the headteacher (EXS.1).\n\n"
        "Why not GDS: description is still mostly adjective and noun, each piece keeps one register (GDS.2) and "
        "there is no punctuation for effect (GDS.4).",
    ),
    DemoExemplar(
        "Y6-044",
        "990108",
        PUBLIC,
        "Why GDS: a range of purposes, each borrowing from what the pupil has read (GDS.1): piece A's quoted "
        "witness, piece B's rule of three, piece C's echoed opening. In piece B the register drops to an aside in "
        "brackets ('To be honest, I used to hate my blazer') and back under control (GDS.2). The passive hides who "
        "acted where it does not matter ('Residents ... were evacuated', GDS.3), and semi-colons, a colon and "
        "dashes are each used for a reason (GDS.4).\n\n"
        "Greater depth rests on a range: two pieces, however fine, would not show GDS.1; these three do.",
    ),
    DemoExemplar(
        "Y2-003",
        "990101",
        PUBLIC,
        "Why WTS: after talking about his dog with an adult, the pupil writes sentences that follow on (WTS.1), "
        "several demarcated ('I hav a dog calld Biscit.', WTS.2). Every sound has a letter ('lics', 'wen', WTS.3) "
        "and 'said' and 'was' are right (WTS.4).\n\n"
        "Why not EXS: two sentences start without a capital letter (EXS.3), and ideas are listed rather than "
        "joined with 'because' or 'when' (EXS.4).",
        outside="Moderated at a cluster's Year 2 meeting on paper, before the school joined the platform; agreed by "
        "the cluster's three teachers and an LA moderator.",
    ),
    DemoExemplar(
        "Y2-015",
        "990101",
        PUBLIC,
        "Why EXS: a story with a clear beginning ('Once upon a time there was a girl called Lily'), middle and end "
        "(EXS.1). A question mark and an exclamation mark where they are needed (EXS.3); 'because' explains why "
        "Lily was sad (EXS.4); taught words are spelt correctly (EXS.5).\n\n"
        "Why not GDS: the story retells events in the pupil's own everyday words; it does not yet borrow the "
        "language of books (GDS.1) or use commas in a list (GDS.3).",
        outside="Moderated at the LA's Year 2 writing moderation in June, on paper; agreed at EXS.",
    ),
    DemoExemplar(
        "Y2-024",
        "990111",
        AUTHORITY,
        "Why EXS, just: a science recount a reader who was not there can follow (EXS.2), with 'when' and "
        "'because' (EXS.4) and most sentence boundaries marked (EXS.3).\n\n"
        "Why only just: 'Then' starts most sentences, and one sentence runs on ('a green shoot grew up it got "
        "taller'). Compare Y2 'The lost teddy', secure at EXS.",
        outside="Moderated in school by the LA's Year 2 moderator during the statutory visit; agreed at EXS.",
    ),
    DemoExemplar(
        "Y2-019",
        "990111",
        PUBLIC,
        "Why GDS: the story borrows from traditional tales ('Deep in the dark, dark forest', GDS.1); 'big' is "
        "crossed out for 'enormous' without a prompt (GDS.2); commas in a list ('shiny scales, sharp claws and a "
        "long, swishing tail') and an apostrophe for a contraction (GDS.3); 'darkness' and 'peaceful' spelt "
        "correctly (GDS.4).\n\n"
        "Everything at EXS is secure too: beginning, middle and end, demarcation, an exclamation mark.",
        outside="Moderated at the LA's Year 2 writing moderation in June, on paper; agreed at GDS by the panel.",
    ),
    DemoExemplar(
        "Y7-105",
        "990107",
        INSTALLATION,
        "Why w+ on the key stage 3 scale: the description's imagery and its deliberate variation of sentence and "
        "paragraph length (w.3, w.5), and a speech organised by topic sentences that keeps its viewpoint and "
        "answers a counter-argument (w.1, s.2).\n\n"
        "Why not s: the ending of the speech is formulaic (s.1) and there are no dashes or brackets yet (s.3). "
        "Read it beside Year 6 at EXS and GDS to follow writing across the phase boundary.",
        outside="Moderated at the school's Year 7 English standardisation meeting; agreed at w+.",
    ),
    DemoExemplar(
        "Y7-108",
        "990106",
        INSTALLATION,
        "Why w: a letter to a councillor that builds towards its request with topic sentences and connectives "
        "('Firstly', 'As a result', 'However', w.1), in a tone that suits its reader (w.2), with a semi-colon "
        "used correctly (w.4).\n\n"
        "Why not w+: sentences are mostly of one length (w.3), and the viewpoint is not yet shown across forms.",
        outside="Moderated at a Year 6 to Year 7 transition meeting of two schools; agreed at w.",
    ),
    DemoExemplar(
        "Y4-051",
        "990102",
        INSTALLATION,
        "APP-style review of a range, judged 3b. AF1: the storm is described to interest the reader (piece B). "
        "AF2: the report's question headings (piece A). AF4: facts grouped under each heading and linked with "
        "'so'. AF6: most sentences demarcated. AF7: 'howled', 'hammered', 'crept'.\n\n"
        "Why not level 4: no complex sentences with 'although' or 'while' (L4.AF5), and the story's opening and "
        "ending are not linked (L4.AF3).",
        outside="An APP standards file sample from the school's assessment review, agreed by an LA adviser.",
    ),
    DemoExemplar(
        "Y5-058",
        "990102",
        AUTHORITY,
        "APP-style review, judged 4b. AF2: the form of an explanation kept throughout. AF3: the opening question "
        "is answered at the end. AF5 and AF6: 'Although clouds look light and fluffy,' and other complex "
        "sentences, with commas after fronted clauses.\n\n"
        "Why not level 5: the paragraphs follow the cycle but are not built around main ideas that develop the "
        "explanation (L5.AF4).",
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
    school_lead = _assessment_lead(sample.school)
    details = publication.PermissionDetails(
        given_by="The pupil's parent, by a signed letter to the school",
        given_on=clock.today(),
        scope=spec.scope,
        expires_on=None,
    )
    publication.record_permission(sample, details, school_lead)
    publication.confirm_pages(exemplar, set(range(1, len(publication.pages_of(exemplar)) + 1)), lead)
    publication.save_commentary(exemplar, spec.commentary, exemplar.version, lead)
    publication.publish(exemplar, exemplar.version, lead)


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


def _assessment_lead(school: School) -> User:
    leads = (
        select(User)
        .join(Membership)
        .where(Membership.school_id == school.id, Membership.role == Role.ASSESSMENT_LEAD)
        .order_by(User.id)
    )
    school_lead = db.session.scalars(leads).first()
    if school_lead is None:
        raise LookupError(f"the demo has no assessment lead at {school.name}")
    return school_lead
