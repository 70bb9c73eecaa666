"""What each person has to do next in moderation rounds, for their dashboard.

Everything is counted in the database or read for the person's own schools only, so a round of thousands of samples
costs the same few queries as a small one: a moderator's waiting samples, an assessment lead's missing samples and
ready outcomes, a teacher's own pupils' outcomes, and the next step of each round someone runs.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import joinedload

from moderation_hub import clock
from moderation_hub.accounts.models import Role, User
from moderation_hub.db import db
from moderation_hub.organisations.models import School
from moderation_hub.rounds import services
from moderation_hub.rounds.models import (
    Judgement,
    JudgementState,
    ModerationRound,
    RoundEntry,
    RoundModerator,
    RoundSchool,
    RoundState,
)
from moderation_hub.rounds.outcomes import SampleOutcome, own_outcomes


@dataclass(frozen=True)
class Judging:
    """A round the person moderates in: how many of their samples wait for their judgement, out of how many."""

    round: ModerationRound
    waiting: int
    allocated: int


@dataclass(frozen=True)
class SchoolRequest:
    """What a collecting round still asks of a school the person leads; due by the round's deadline."""

    taking_part: RoundSchool
    missing: list[str]

    @property
    def overdue(self) -> bool:
        deadline = self.taking_part.round.submission_deadline
        return deadline is not None and clock.today() > deadline


@dataclass(frozen=True)
class SchoolOutcomes:
    """A revealed round's outcomes for a school the person leads: how many of its samples are agreed so far."""

    taking_part: RoundSchool
    agreed: int
    entered: int


@dataclass(frozen=True)
class RoundStep:
    """A round the person runs: the step it takes next, and what holds it up (nothing when it can move on)."""

    round: ModerationRound
    step: services.NextStep


@dataclass(frozen=True)
class ToDo:
    judging: list[Judging]
    requests: list[SchoolRequest]
    school_outcomes: list[SchoolOutcomes]
    own_outcomes: list[SampleOutcome]
    rounds: list[RoundStep]

    @property
    def empty(self) -> bool:
        return not (self.judging or self.requests or self.school_outcomes or self.own_outcomes or self.rounds)


def to_do(user: User) -> ToDo:
    return ToDo(
        judging=judging_of(user),
        requests=requests_of(user),
        school_outcomes=school_outcomes_of(user),
        own_outcomes=own_outcomes(user, _current()),
        rounds=steps_of(user),
    )


def _current() -> ColumnElement[bool]:
    """Rounds whose outcomes are news: at reveal, or closed in this academic year (older ones are in the list of
    rounds and the reports)."""
    return (ModerationRound.state == RoundState.REVEAL) | (
        (ModerationRound.state == RoundState.CLOSED) & (ModerationRound.academic_year == clock.current_academic_year())
    )


def judging_of(user: User) -> list[Judging]:
    """Each collecting or judging round the user moderates in, the first to close first, with their counts."""
    counts = (
        select(
            RoundEntry.round_id,
            func.count().label("allocated"),
            func.count().filter(Judgement.state != JudgementState.SUBMITTED).label("waiting"),
        )
        .select_from(Judgement)
        .join(RoundEntry, RoundEntry.id == Judgement.entry_id)
        .where(Judgement.moderator_id == user.id, Judgement.state != JudgementState.WITHDRAWN)
        .group_by(RoundEntry.round_id)
        .subquery()
    )
    statement = (
        select(ModerationRound, func.coalesce(counts.c.waiting, 0), func.coalesce(counts.c.allocated, 0))
        .join(RoundModerator, RoundModerator.round_id == ModerationRound.id)
        .outerjoin(counts, counts.c.round_id == ModerationRound.id)
        .where(
            RoundModerator.user_id == user.id,
            RoundModerator.active,
            ModerationRound.state.in_([RoundState.COLLECTING, RoundState.JUDGING]),
        )
        .order_by(ModerationRound.judging_closes.is_(None), ModerationRound.judging_closes, ModerationRound.name)
    )
    return [Judging(round_, waiting, allocated) for round_, waiting, allocated in db.session.execute(statement)]


def requests_of(user: User) -> list[SchoolRequest]:
    """What each collecting round still asks of the schools the user leads, the earliest deadline first."""
    parts = _led_parts(user, ModerationRound.state == RoundState.COLLECTING)
    missing = services.missing_of(parts)
    return [SchoolRequest(part, missing[part.id]) for part in parts if missing[part.id]]


def school_outcomes_of(user: User) -> list[SchoolOutcomes]:
    """Revealed rounds with agreed outcomes for the schools the user leads."""
    parts = _led_parts(user, _current())
    if not parts:
        return []
    counts = {
        (round_id, school_id): (agreed, entered)
        for round_id, school_id, agreed, entered in db.session.execute(
            select(
                RoundEntry.round_id,
                RoundEntry.school_id,
                func.count(RoundEntry.agreed_standard_id),
                func.count(),
            )
            .where(or_(*((RoundEntry.round_id == p.round_id) & (RoundEntry.school_id == p.school_id) for p in parts)))
            .group_by(RoundEntry.round_id, RoundEntry.school_id)
        )
    }
    return [
        SchoolOutcomes(part, *counts[part.round_id, part.school_id])
        for part in parts
        if counts.get((part.round_id, part.school_id), (0, 0))[0]
    ]


def _led_parts(user: User, *conditions: ColumnElement[bool]) -> list[RoundSchool]:
    """The user's schools' places in the rounds that meet ``conditions``, where they are its assessment lead."""
    statement = (
        select(RoundSchool)
        .join(ModerationRound, ModerationRound.id == RoundSchool.round_id)
        .join(School, School.id == RoundSchool.school_id)
        .where(RoundSchool.school_id.in_(user.schools_with_role(Role.ASSESSMENT_LEAD)), *conditions)
        .options(joinedload(RoundSchool.round).selectinload(ModerationRound.frameworks), joinedload(RoundSchool.school))
        .order_by(
            ModerationRound.submission_deadline.is_(None),
            ModerationRound.submission_deadline,
            ModerationRound.name,
            School.name,
        )
    )
    return list(db.session.scalars(statement))


def steps_of(user: User) -> list[RoundStep]:
    """The next step of each unfinished round the user runs (leads, or as an LA lead of its authority)."""
    statement = (
        select(ModerationRound)
        .where(
            ModerationRound.state != RoundState.CLOSED,
            (ModerationRound.lead_id == user.id)
            | ModerationRound.authority_id.in_(user.authorities_with_role(Role.LA_LEAD)),
        )
        .order_by(ModerationRound.created_at.desc(), ModerationRound.id.desc())
    )
    steps = []
    for round_ in db.session.scalars(statement):
        step = services.next_step(round_)
        if step is not None:
            steps.append(RoundStep(round_, step))
    return steps
