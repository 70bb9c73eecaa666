"""After judging: the side-by-side comparison, agreed outcomes, and each school's result.

A school's result is "agreed" when the agreed outcome of every sample it entered is the standard its
teacher gave; otherwise "not agreed", with the pupils whose outcome differs.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload, selectinload

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db, utcnow
from moderation_hub.frameworks.models import Criterion, Standard
from moderation_hub.organisations.models import School
from moderation_hub.rounds.errors import RoundError, require_version, versioned_write
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundEntry, RoundState, Verdict
from moderation_hub.rounds.overview import schools_of
from moderation_hub.rounds.paging import Paging
from moderation_hub.samples.models import EvidenceStatus, WorkSample

# The school's evidence claim and a moderator's verdict mean the same when they pair up like this.
CLAIM_AS_VERDICT = {
    EvidenceStatus.MET: Verdict.MET,
    EvidenceStatus.NOT_MET: Verdict.NOT_MET,
    EvidenceStatus.NOT_EVIDENCED: Verdict.INSUFFICIENT,
}

ENTRIES_PER_PAGE = 50  # on the index, like the round's page

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

    @property
    def standards_disagree(self) -> bool:
        given = {j.standard_id for j in self.judgements} | {getattr(self.school_standard, "id", None)}
        return len(given - {None}) > 1

    @cached_property
    def rows(self) -> list[CriterionRow]:
        """Criterion by criterion; built when first read, as only a sample's own page shows them (its evidence,
        criteria and verdicts would be several queries a sample on the index)."""
        claims = {claim.criterion_id: CLAIM_AS_VERDICT[claim.status] for claim in self.entry.sample.evidence}
        verdicts = [judgement.verdicts() for judgement in self.judgements]
        return [
            CriterionRow(
                criterion=criterion,
                school=claims.get(criterion.id),
                moderators=[getattr(by_criterion.get(criterion.id), "verdict", None) for by_criterion in verdicts],
            )
            for criterion in self.entry.sample.framework.criteria
        ]


def compare(entry: RoundEntry) -> Comparison:
    return Comparison(entry, entry.submitted_judgements, entry.sample.teacher_judgement)


def _not_withheld(held: frozenset[int]) -> ColumnElement[bool]:
    """Entries whose sample the viewer is not judging blind elsewhere (``permissions.blind_holds``)."""
    return RoundEntry.sample_id.not_in(sorted(held))


def count_shown(round_: ModerationRound, held: frozenset[int]) -> tuple[int, int]:
    """How many of the round's entries the viewer sees, and how many are withheld from them."""
    shown, total = db.session.execute(
        select(func.count().filter(_not_withheld(held)), func.count()).where(RoundEntry.round_id == round_.id)
    ).one()
    return shown, total - shown


def comparisons_page(round_: ModerationRound, held: frozenset[int], page: Paging) -> list[Comparison]:
    """One page of the entries the viewer sees, in blind-code order, with everything the index shows of them."""
    statement = (
        select(RoundEntry)
        .where(RoundEntry.round_id == round_.id, _not_withheld(held))
        .options(
            joinedload(RoundEntry.school),
            joinedload(RoundEntry.sample).joinedload(WorkSample.teacher_judgement),
            joinedload(RoundEntry.agreed_standard),
            selectinload(RoundEntry.judgements).joinedload(Judgement.standard),
        )
        .order_by(RoundEntry.blind_code)
        .limit(page.per_page)
        .offset(page.offset)
    )
    return [compare(entry) for entry in db.session.scalars(statement)]


def page_number_of(entry: RoundEntry, held: frozenset[int]) -> int:
    """The index page that lists ``entry``, so going back from it lands on its row."""
    before = select(func.count()).where(
        RoundEntry.round_id == entry.round_id, RoundEntry.blind_code < entry.blind_code, _not_withheld(held)
    )
    return (db.session.scalar(before) or 0) // ENTRIES_PER_PAGE + 1


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
    """Each school taking part, by name, with its entries: two queries, however many schools and entries."""
    entries = db.session.scalars(
        select(RoundEntry).where(RoundEntry.round_id == round_.id).options(joinedload(RoundEntry.sample))
    )
    by_school: dict[int, list[RoundEntry]] = defaultdict(list)
    for entry in entries:
        by_school[entry.school_id].append(entry)
    return [SchoolOutcome(taking_part.school, by_school[taking_part.school_id]) for taking_part in schools_of(round_)]
