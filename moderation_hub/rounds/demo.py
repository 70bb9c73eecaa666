"""The demo's moderation rounds, loaded by ``flask demo`` after the demo pupils' work: one open for judging and
one revealed with its agreed outcomes, so that a newcomer can judge, and read a school's outcome, straight away.

Both are made through the services the people's clicks go through: the round lead sets the round up and asks
the schools for samples, each school's assessment lead enters them, the seeded allocation gives each sample two
moderators, the moderators judge, and the lead reveals and records the agreed outcomes. Each round has samples of
its own: a moderator on the revealed round's panel has seen its samples' schools and pupils, so could not judge
them blind in the open one (the allocation would refuse). A round of the demo authority with the same name and
academic year is left as it is, so loading the demo twice changes nothing.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from sqlalchemy import select

from moderation_hub import clock
from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import find_framework
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.rounds import assign, judging, reveal, services
from moderation_hub.rounds.models import (
    Judgement,
    ModerationRound,
    RoundEntry,
    RoundKind,
    RoundState,
    SampleRequestKind,
    Verdict,
)
from moderation_hub.samples.models import WorkSample

HARBOURSIDE, KESTREL, BRAMBLEWOOD, ST_AIDANS, MARKET_STREET = "990103", "990104", "990105", "990108", "990109"


class RoundPlan(NamedTuple):
    name: str
    frameworks: tuple[str, ...]  # slugs; the latest version of each
    samples: dict[str, tuple[str, ...]]  # school URN -> the pupil codes its assessment lead enters
    request: SampleRequestKind  # named pupils (the LA chose them) or a number of the school's choosing
    judging_days: tuple[int, int]  # the first and last days of its judging window, in days from today


OPEN = RoundPlan(
    "Primary writing: cross-school moderation",
    ("ks1-writing-ta", "ks2-writing-ta"),
    {HARBOURSIDE: ("Y6-014",), KESTREL: ("Y2-007",)},
    SampleRequestKind.COUNT,
    (0, 14),
)
REVEALED = RoundPlan(
    "Year 6 writing: LA moderation",
    ("ks2-writing-ta",),
    {HARBOURSIDE: ("Y6-022",), BRAMBLEWOOD: ("Y6-031",), ST_AIDANS: ("Y6-044", "Y6-047"), MARKET_STREET: ("Y6-040",)},
    SampleRequestKind.NAMED,
    (-70, -56),
)


class Script(NamedTuple):
    """What one moderator records: the standard, the rationale, and a verdict on each criterion they weighed."""

    standard: str
    rationale: str
    met: str = ""  # criterion codes, separated by spaces
    not_met: str = ""
    insufficient: str = ""


def _agreeing(standard: str, first: str, second: str, met: str = "", not_met: str = "") -> tuple[Script, Script]:
    """Two moderators who reach the same standard on the same evidence, each in their own words."""
    return Script(standard, first, met, not_met), Script(standard, second, met, not_met)


# The revealed round's judgements, two per pupil in the order the allocation made them, and the agreed outcomes.
REVEALED_JUDGEMENTS = {
    "Y6-022": (
        Script(
            "EXS",
            "Secure at the expected standard. Three pieces, each shaped for its reader: a formal letter to the "
            "headteacher, a chatty diary and a story whose opening ('the colour of a bruise') sets the atmosphere at "
            "once. Speech is punctuated accurately and moves the action on; fronted adverbials link the paragraphs. "
            "Not greater depth: the letter keeps one register throughout, and there are no semi-colons, colons or "
            "dashes.",
            met="WTS.1 WTS.2 WTS.3 WTS.4 WTS.5 EXS.1 EXS.2 EXS.3 EXS.4 EXS.5 EXS.6 EXS.7",
            not_met="GDS.2 GDS.4",
        ),
        Script(
            "EXS",
            "The expected standard, and secure there. Each piece is shaped for its reader: the formal 'I am writing to "
            "ask you' of the letter, the diary's 'What a day!', and the story's bruise-coloured sky. The register "
            "does not shift within a piece, and there are no semi-colons or dashes, so not greater depth.",
            met="WTS.1 WTS.2 WTS.3 WTS.4 WTS.5 EXS.1 EXS.2 EXS.3 EXS.4 EXS.5 EXS.6 EXS.7",
            not_met="GDS.2 GDS.4",
        ),
    ),
    "Y6-031": (
        Script(
            "GDS",
            "Greater depth throughout. The story controls suspense with the length of its sentences and paragraphs "
            "('A boat.') and echoes its opening; the letter moves from a formal objection to a personal story and "
            "back without losing control. The passive ('had been swallowed by brambles') and modal verbs are chosen "
            "for effect, and semi-colons, colons, dashes and brackets are all used precisely.",
            met="EXS.1 EXS.2 EXS.3 EXS.4 EXS.5 EXS.6 EXS.7 GDS.1 GDS.2 GDS.3 GDS.4",
        ),
        Script(
            "EXS",
            "Both pieces are outstanding and show most of the greater depth statements. But the collection is one "
            "story and one letter, and GDS.1 asks for writing that is effective for many purposes and readers. On "
            "two pieces I cannot say the pupil does this across a range, so I have judged the expected standard; "
            "greater depth is likely once the collection is wider.",
            met="EXS.1 EXS.2 EXS.3 EXS.4 EXS.5 EXS.6 EXS.7 GDS.2 GDS.3 GDS.4",
            insufficient="GDS.1",
        ),
    ),
    # The boundary pair: the panel agreed one just below the expected standard and one just at it.
    "Y6-040": _agreeing(
        "WTS",
        "Working towards, close to the expected standard: paragraphs, a setting, speech that moves the story on. The "
        "tense slips ('Sam stops') and the speech is not punctuated inside its inverted commas, so not yet EXS.",
        "WTS, just. A lively story in paragraphs, but 'two yellow eyes was staring' and the present tense in the "
        "middle show tense and agreement are not secure, and the speech lacks its question mark.",
        met="WTS.1 WTS.2 WTS.3 WTS.4 WTS.5 EXS.2",
        not_met="EXS.4 EXS.5",
    ),
    "Y6-047": _agreeing(
        "EXS",
        "Just at the expected standard: speech punctuated correctly and showing character, tenses consistent, "
        "paragraphs linked by adverbials; the formal letter suits the headteacher. Nothing yet of greater depth.",
        "EXS. The same kind of adventure story as many at working towards, but under control: 'Halfway along' and "
        "'When we finally reached the door' link the paragraphs and the dialogue is accurate. One register a piece.",
        met="EXS.1 EXS.2 EXS.3 EXS.4 EXS.5 EXS.6",
        not_met="GDS.2 GDS.4",
    ),
    "Y6-044": _agreeing(
        "GDS",
        "Greater depth across three purposes. The report's passive and quoted witness, the speech's rule of three and "
        "its controlled aside in brackets, the story's fragments and dash: each choice sharpens meaning.",
        "GDS. A genuine range (report, speech, story), and the shifts of register in the speech are controlled "
        "precisely. Semi-colons, colons, dashes and brackets are all used, each for a reason.",
        met="EXS.1 EXS.2 EXS.5 GDS.1 GDS.2 GDS.3 GDS.4",
    ),
}

REVEALED_OUTCOMES = {
    "Y6-040": (
        "WTS",
        "Agreed at working towards, as the school judged, and close to the expected standard: the story is organised "
        "and lively, but tense, agreement and punctuation inside speech are not yet secure.",
    ),
    "Y6-047": (
        "EXS",
        "Agreed at the expected standard, as the school judged, and just at it: accurate speech, consistent tenses "
        "and linked paragraphs across a story and a formal letter.",
    ),
    "Y6-044": (
        "GDS",
        "Agreed at greater depth, as the school judged: a range of purposes, each shaped by the pupil's reading, with "
        "controlled shifts of register and precise punctuation for effect.",
    ),
    "Y6-022": (
        "EXS",
        "Agreed at the expected standard, as the school judged. GDS.2 asks for shifts of register controlled within "
        "a piece; here each piece keeps one register, well chosen. With no semi-colons, colons or dashes, GDS.4 is "
        "not yet evidenced. The story's imagery is a strength to build on.",
    ),
    "Y6-031": (
        "EXS",
        "Agreed at the expected standard, not greater depth as the school judged. The panel agreed that both pieces "
        "are greater depth writing, but a judgement at greater depth rests on a collection across a range of "
        "purposes (GDS.1), and this one has two pieces. A wider collection, for example non-fiction written in "
        "another subject, would be needed to secure greater depth.",
    ),
}

# The open round's work so far: pupil code -> the moderator (by email) who has started on it, what they recorded,
# and whether they submitted it. The first moderator's queue is left for the newcomer.
OPEN_WORK = {
    "Y6-014": (
        "year2@kestrel.demo.moderation-hub.test",
        Script(
            "WTS",
            "Working towards. Two purposes, each with a reader in mind, and paragraphs that follow the events. "
            "Speech is not punctuated and the tense drifts into the present in the story's climax, so the expected "
            "standard is not met yet.",
            met="WTS.1 WTS.2 WTS.3 WTS.5",
            not_met="EXS.2 EXS.4 EXS.5",
            insufficient="WTS.4",
        ),
        True,
    ),
    "Y2-007": (
        "year6@harbourside.demo.moderation-hub.test",
        Script(
            "",
            "A recount in time order, said aloud first with an adult. Some sentences are demarcated; the spelling "
            "is phonically plausible. Checking the common exception words before I decide.",
            met="WTS.1 WTS.2 WTS.3",
        ),
        False,
    ),
}


def load_demo_rounds(authority: LocalAuthority, lead: User, moderators: Sequence[User]) -> list[ModerationRound]:
    """Make the demo rounds missing from this academic year; returns those made. The caller commits.

    ``lead`` runs both rounds, in which ``moderators`` judge. In the round left open for judging, the
    first moderator's queue is left for the newcomer; another has submitted a judgement and a third saved a
    draft (``OPEN_WORK``). Needs the demo samples (``demo_work.load_demo_samples``).
    """
    year = clock.current_academic_year()
    made = []
    if not _exists(authority, OPEN.name, year):
        open_round = _judging_round(_settings(OPEN, year), OPEN, authority, lead, moderators)
        _start_judging(open_round)
        made.append(open_round)
    if not _exists(authority, REVEALED.name, year):
        settings = _settings(REVEALED, year)
        # Its window is past, and moderators judge only within it: the lead records the window once the demo's
        # moderators have judged, as a lead who set it late would.
        unbounded = replace(settings, judging_opens=None, judging_closes=None)
        revealed = _judging_round(unbounded, REVEALED, authority, lead, moderators)
        _judge_and_agree(revealed, settings, lead)
        made.append(revealed)
    return made


def _exists(authority: LocalAuthority, name: str, year: int) -> bool:
    found = select(ModerationRound.id).where(
        ModerationRound.authority_id == authority.id,
        ModerationRound.name == name,
        ModerationRound.academic_year == year,
    )
    return db.session.scalar(found) is not None


def _settings(plan: RoundPlan, year: int) -> services.RoundSettings:
    today = clock.today()
    opens, closes = (today + dt.timedelta(days=days) for days in plan.judging_days)
    frameworks = [_framework(slug) for slug in plan.frameworks]
    return services.RoundSettings(
        plan.name, RoundKind.LA_MODERATION, year, [f.id for f in frameworks], judging_opens=opens, judging_closes=closes
    )


def _judging_round(
    settings: services.RoundSettings, plan: RoundPlan, authority: LocalAuthority, lead: User, moderators: Sequence[User]
) -> ModerationRound:
    """The round set up, its samples entered and allocated, and judging open."""
    year = settings.academic_year
    round_ = services.create_round(authority, settings, lead)
    schools = {urn: db.session.scalars(select(School).where(School.urn == urn)).one() for urn in plan.samples}
    taking_part = {urn: services.add_school(round_, school, lead) for urn, school in schools.items()}
    for urn, codes in plan.samples.items():
        services.set_request(taking_part[urn], plan.request, len(codes), list(codes), lead)
    for moderator in moderators:
        services.add_moderator(round_, moderator, None, lead)
    services.advance(round_, RoundState.COLLECTING, round_.version, lead)
    for urn, codes in plan.samples.items():
        school_lead = assessment_lead(schools[urn])
        for code in codes:
            services.enter_sample(taking_part[urn], _sample(schools[urn], code, year), school_lead)
    assign.allocate_round(round_, lead)
    services.advance(round_, RoundState.JUDGING, round_.version, lead)
    return round_


def _start_judging(round_: ModerationRound) -> None:
    for entry in round_.entries:
        email, script, submit = OPEN_WORK[entry.sample.pupil_code]
        judgement = next(j for j in entry.live_judgements if j.moderator.email == email)
        _judge(judgement, script, submit)


def _judge_and_agree(round_: ModerationRound, settings: services.RoundSettings, lead: User) -> None:
    for entry in round_.entries:
        scripts = REVEALED_JUDGEMENTS[entry.sample.pupil_code]
        for judgement, script in zip(entry.live_judgements, scripts, strict=True):
            _judge(judgement, script, submit=True)
    services.update_round(round_, settings, round_.version, lead)
    services.advance(round_, RoundState.REVEAL, round_.version, lead)
    for entry in round_.entries:
        standard, rationale = REVEALED_OUTCOMES[entry.sample.pupil_code]
        reveal.record_outcome(entry, standard, rationale, entry.version, lead)


def _judge(judgement: Judgement, script: Script, submit: bool) -> None:
    given = judging.JudgementInput(script.standard, script.rationale, _verdicts(judgement.entry, script))
    if not submit:
        judging.save_draft(judgement, given, judgement.version, judgement.moderator)
        return
    problems = judging.submit(judgement, given, judgement.version, judgement.moderator)
    if problems:
        raise ValueError(f"a demo judgement could not be submitted: {'; '.join(problems)}")


def _verdicts(entry: RoundEntry, script: Script) -> dict[int, Verdict]:
    criteria = {criterion.code: criterion.id for criterion in entry.sample.framework.criteria}
    given = ((script.met, Verdict.MET), (script.not_met, Verdict.NOT_MET), (script.insufficient, Verdict.INSUFFICIENT))
    return {criteria[code]: verdict for codes, verdict in given for code in codes.split()}


def _framework(slug: str) -> Framework:
    framework = find_framework(slug)
    if framework is None:
        raise LookupError(f"the demo framework {slug} has not been imported")
    return framework


def _sample(school: School, pupil_code: str, year: int) -> WorkSample:
    found = select(WorkSample).where(
        WorkSample.school_id == school.id, WorkSample.academic_year == year, WorkSample.pupil_code == pupil_code
    )
    return db.session.scalars(found).one()


def assessment_lead(school: School) -> User:
    """The school's first assessment lead, who enters its samples into the rounds and gives permission to publish."""
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
