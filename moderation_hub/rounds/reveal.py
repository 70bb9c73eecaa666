"""After judging: the side-by-side comparison, agreed outcomes, and each school's result.

A school's result is "agreed" when the agreed outcome of every sample it entered is the standard its
teacher gave; otherwise "not agreed", with the pupils whose outcome differs.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import ColumnElement, Subquery, func, select
from sqlalchemy.orm import joinedload, selectinload

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db, utcnow
from moderation_hub.frameworks.models import Criterion, Standard
from moderation_hub.organisations.models import School
from moderation_hub.rounds.errors import RoundError, require_version, versioned_write
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundEntry, RoundSchool, RoundState, Verdict
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
    undecided = (
        select(RoundEntry)
        .where(RoundEntry.round_id == round_.id, RoundEntry.agreed_standard_id.is_(None))
        .options(
            joinedload(RoundEntry.sample).joinedload(WorkSample.teacher_judgement),
            selectinload(RoundEntry.judgements),
        )
        .order_by(RoundEntry.blind_code)
    )
    for entry in db.session.scalars(undecided):
        given = {judgement.standard_id for judgement in entry.submitted_judgements}
        if given == {entry.sample.teacher_judgement_id} - {None}:
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
    entered: int
    decided: int  # of those entered, how many have an agreed outcome
    differing: list[str]  # the pupil codes whose agreed outcome is not the standard their teacher gave

    @property
    def agreed(self) -> bool | None:
        """None until every sample has an outcome."""
        return None if self.decided < self.entered else not self.differing


@dataclass(frozen=True)
class OutcomeSummary:
    """How many of the round's schools moderation agreed with, did not, or has not decided yet."""

    agreed: int
    not_agreed: int
    undecided: int

    @property
    def schools(self) -> int:
        return self.agreed + self.not_agreed + self.undecided


SCHOOLS_PER_PAGE = 25  # on the index; the summary above them counts every school


def _differs() -> ColumnElement[bool]:
    """An entry (joined to its sample) whose agreed outcome is not the standard its teacher gave."""
    return RoundEntry.agreed_standard_id.is_not(None) & (
        WorkSample.teacher_judgement_id.is_(None) | (RoundEntry.agreed_standard_id != WorkSample.teacher_judgement_id)
    )


def _counts_by_school(round_: ModerationRound) -> Subquery:
    """Per school of the round: its entries, how many have an agreed outcome, and how many of those differ."""
    return (
        select(
            RoundEntry.school_id,
            func.count().label("entered"),
            func.count(RoundEntry.agreed_standard_id).label("decided"),
            func.count().filter(_differs()).label("differing"),
        )
        .join(WorkSample, WorkSample.id == RoundEntry.sample_id)
        .where(RoundEntry.round_id == round_.id)
        .group_by(RoundEntry.school_id)
        .subquery()
    )


def outcome_summary(round_: ModerationRound) -> OutcomeSummary:
    """Every school's outcome counted in one query, however many schools and entries."""
    counts = _counts_by_school(round_)
    undecided = counts.c.decided < counts.c.entered
    not_agreed = (counts.c.decided == counts.c.entered) & (counts.c.differing > 0)
    schools, undecided_count, not_agreed_count = db.session.execute(
        select(func.count(), func.count().filter(undecided), func.count().filter(not_agreed))
        .select_from(RoundSchool)
        .outerjoin(counts, counts.c.school_id == RoundSchool.school_id)
        .where(RoundSchool.round_id == round_.id)
    ).one()
    return OutcomeSummary(schools - undecided_count - not_agreed_count, not_agreed_count, undecided_count)


def school_outcomes(
    round_: ModerationRound, page: Paging | None = None, school_id: int | None = None
) -> list[SchoolOutcome]:
    """The outcome of each school taking part, by name (one page of them, or the one school), from two queries
    however many schools and entries: their counts, then the pupils whose outcome differs."""
    counts = _counts_by_school(round_)
    statement = (
        select(School, func.coalesce(counts.c.entered, 0), func.coalesce(counts.c.decided, 0))
        .join(RoundSchool, RoundSchool.school_id == School.id)
        .outerjoin(counts, counts.c.school_id == School.id)
        .where(RoundSchool.round_id == round_.id)
        .order_by(School.name, School.id)
    )
    if school_id is not None:
        statement = statement.where(School.id == school_id)
    if page is not None:
        statement = statement.limit(page.per_page).offset(page.offset)
    rows = db.session.execute(statement).tuples().all()
    differing = _differing_pupils(round_, [school.id for school, _, _ in rows])
    return [SchoolOutcome(school, entered, decided, differing[school.id]) for school, entered, decided in rows]


def _differing_pupils(round_: ModerationRound, school_ids: list[int]) -> dict[int, list[str]]:
    """The pupil codes, in order, of the schools' entries whose agreed outcome differs from their teacher's."""
    rows = db.session.execute(
        select(RoundEntry.school_id, WorkSample.pupil_code)
        .join(WorkSample, WorkSample.id == RoundEntry.sample_id)
        .where(RoundEntry.round_id == round_.id, RoundEntry.school_id.in_(school_ids), _differs())
        .order_by(WorkSample.pupil_code)
    )
    differing: dict[int, list[str]] = defaultdict(list)
    for school_id, pupil_code in rows:
        differing[school_id].append(pupil_code)
    return differing
