"""After judging: the side-by-side comparison, agreed outcomes, and each school's result.

A school's result is "agreed" when the agreed outcome of every sample it entered is the standard its
teacher gave; otherwise "not agreed", with the pupils whose outcome differs.
"""

from dataclasses import dataclass

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import utcnow
from moderation_hub.frameworks.models import Criterion, Standard
from moderation_hub.organisations.models import School
from moderation_hub.rounds.errors import RoundError, require_version, versioned_write
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundEntry, RoundState, Verdict
from moderation_hub.samples.models import EvidenceStatus

# The school's evidence claim and a moderator's verdict mean the same when they pair up like this.
CLAIM_AS_VERDICT = {
    EvidenceStatus.MET: Verdict.MET,
    EvidenceStatus.NOT_MET: Verdict.NOT_MET,
    EvidenceStatus.NOT_EVIDENCED: Verdict.INSUFFICIENT,
}

AUTO_AGREED_RATIONALE = "Every moderator and the school gave this standard, so the round agreed it automatically."


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    school: Verdict | None
    moderators: list[Verdict | None]

    @property
    def disagrees(self) -> bool:
        given = {verdict for verdict in [self.school, *self.moderators] if verdict is not None}
        return len(given) > 1


@dataclass(frozen=True)
class Comparison:
    entry: RoundEntry
    judgements: list[Judgement]
    school_standard: Standard | None
    rows: list[CriterionRow]

    @property
    def standards_disagree(self) -> bool:
        given = {j.standard_id for j in self.judgements} | {getattr(self.school_standard, "id", None)}
        return len(given - {None}) > 1


def compare(entry: RoundEntry) -> Comparison:
    judgements = entry.submitted_judgements
    claims = {claim.criterion_id: CLAIM_AS_VERDICT[claim.status] for claim in entry.sample.evidence}
    verdicts = [judgement.verdicts() for judgement in judgements]
    rows = [
        CriterionRow(
            criterion=criterion,
            school=claims.get(criterion.id),
            moderators=[getattr(by_criterion.get(criterion.id), "verdict", None) for by_criterion in verdicts],
        )
        for criterion in entry.sample.framework.criteria
    ]
    return Comparison(entry, judgements, entry.sample.teacher_judgement, rows)


def record_outcome(entry: RoundEntry, standard_code: str, rationale: str, seen_version: int, by: User) -> None:
    if entry.round.state is not RoundState.REVEAL:
        raise RoundError("Agreed outcomes are recorded while the round is at reveal.")
    require_version(entry, seen_version, "this sample's outcome")
    standard = next((s for s in entry.sample.framework.standards if s.code == standard_code), None)
    if standard is None:
        raise RoundError("Choose the agreed standard", "standard")
    if not rationale.strip():
        raise RoundError("Give the panel's rationale for the agreed outcome", "rationale")
    before = _outcome_snapshot(entry)
    with versioned_write("this sample's outcome"):
        entry.agreed_standard = standard
        entry.agreed_rationale = rationale.strip()[:10_000]
        entry.agreed_by_id, entry.agreed_at, entry.auto_agreed = by.id, utcnow(), False
    record(by.id, "round.outcome_agreed", entry, before=before, after=_outcome_snapshot(entry))


def apply_auto_agreement(round_: ModerationRound, by: User) -> int:
    """The round's rule: where every moderator and the school gave one standard, that is the outcome."""
    agreed = 0
    for entry in round_.entries:
        given = {judgement.standard_id for judgement in entry.submitted_judgements}
        if entry.agreed_standard_id is None and given == {entry.sample.teacher_judgement_id} - {None}:
            entry.agreed_standard = entry.sample.teacher_judgement
            entry.agreed_rationale, entry.auto_agreed = AUTO_AGREED_RATIONALE, True
            entry.agreed_by_id, entry.agreed_at = by.id, utcnow()
            record(by.id, "round.outcome_auto_agreed", entry, after=_outcome_snapshot(entry))
            agreed += 1
    return agreed


def _outcome_snapshot(entry: RoundEntry) -> dict[str, object]:
    return {
        "standard": entry.agreed_standard.code if entry.agreed_standard else None,
        "rationale": entry.agreed_rationale,
        "auto_agreed": entry.auto_agreed,
    }


@dataclass(frozen=True)
class SchoolOutcome:
    school: School
    entries: list[RoundEntry]

    @property
    def decided(self) -> bool:
        return all(entry.agreed_standard_id is not None for entry in self.entries)

    @property
    def differing(self) -> list[RoundEntry]:
        return [e for e in self.entries if e.agreed_standard_id not in (None, e.sample.teacher_judgement_id)]

    @property
    def agreed(self) -> bool | None:
        """None until every sample has an outcome."""
        return None if not self.decided else not self.differing


def school_outcomes(round_: ModerationRound) -> list[SchoolOutcome]:
    return [
        SchoolOutcome(taking_part.school, [e for e in round_.entries if e.school_id == taking_part.school_id])
        for taking_part in sorted(round_.schools, key=lambda t: t.school.name)
    ]
