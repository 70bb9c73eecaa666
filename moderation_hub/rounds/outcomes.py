"""What a school's staff read of their own samples once a round is revealed and the panel has agreed the outcome.

Each outcome holds what its reader is shown and nothing more: the agreed standard, whether it is the teacher's
judgement, the panel's rationale and each moderator's standard and rationale. A moderator's name is copied in only
where the round shows names to schools, so a template cannot show one the round hides.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import joinedload, selectinload

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.frameworks.models import Standard
from moderation_hub.permissions import Permission, can, readable_outcomes
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundEntry
from moderation_hub.samples.models import WorkSample


@dataclass(frozen=True)
class Feedback:
    moderator: str  # their name where the round shows names to schools; otherwise "Moderator 1", "Moderator 2"...
    standard: Standard | None
    rationale: str


@dataclass(frozen=True)
class SampleOutcome:
    round_name: str
    sample: WorkSample
    agreed: Standard
    rationale: str
    auto_agreed: bool
    feedback: list[Feedback]

    @property
    def matches(self) -> bool:
        """Whether moderation agreed the standard the teacher gave."""
        return self.agreed.id == self.sample.teacher_judgement_id


def outcomes_of(user: User, sample: WorkSample) -> list[SampleOutcome]:
    """The agreed outcomes of ``sample`` that ``user`` may read, the newest round first."""
    statement = (
        select(RoundEntry)
        .join(ModerationRound, ModerationRound.id == RoundEntry.round_id)
        .where(RoundEntry.sample_id == sample.id)
        .order_by(ModerationRound.created_at.desc(), ModerationRound.id.desc())
    )
    entries = db.session.scalars(_with_feedback(statement))
    return [_outcome(entry) for entry in entries if can(user, Permission.OUTCOME_READ, entry)]


def own_outcomes(user: User, *conditions: ColumnElement[bool]) -> list[SampleOutcome]:
    """The agreed outcomes of the samples ``user`` made, in the rounds that meet ``conditions``, by pupil."""
    statement = (
        readable_outcomes(user)
        .where(WorkSample.created_by_id == user.id, *conditions)
        .order_by(WorkSample.pupil_code, RoundEntry.id)
    )
    return [_outcome(entry) for entry in db.session.scalars(_with_feedback(statement))]


def _with_feedback(statement: Select[tuple[RoundEntry]]) -> Select[tuple[RoundEntry]]:
    """Load everything an outcome shows with the entries, in a fixed number of queries."""
    return statement.options(
        joinedload(RoundEntry.round),
        joinedload(RoundEntry.agreed_standard),
        joinedload(RoundEntry.sample).joinedload(WorkSample.teacher_judgement),
        selectinload(RoundEntry.judgements).options(joinedload(Judgement.moderator), joinedload(Judgement.standard)),
    )


def _outcome(entry: RoundEntry) -> SampleOutcome:
    named = entry.round.show_moderator_names
    return SampleOutcome(
        round_name=entry.round.name,
        sample=entry.sample,
        agreed=entry.agreed_standard,  # type: ignore[arg-type]  # OUTCOME_READ admits agreed outcomes only
        rationale=entry.agreed_rationale,
        auto_agreed=entry.auto_agreed,
        feedback=[
            Feedback(
                judgement.moderator.display_name if named else f"Moderator {number}",
                judgement.standard,
                judgement.rationale,
            )
            for number, judgement in enumerate(entry.submitted_judgements, 1)
        ],
    )
