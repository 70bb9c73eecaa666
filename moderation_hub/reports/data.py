"""From rounds in the database to the statistics engine's ``RoundRatings``, in a handful of queries.

A report reads the entries of rounds whose outcomes exist (reveal or closed) within a scope: one round,
one school, one authority, or the rounds one moderator judged in (their report shows only their own
judgements; the others' are there to measure their severity against). Each report covers one framework (one
version of it) at a time, because agreement is measured on one ordered scale: a round with several
frameworks has one report per framework, chosen on the page.

Units are round entries (the same sample entered in two rounds counts in each); moderators' judgements
count once submitted (drafts and withdrawn allocations never); teacher judgements, agreed outcomes and
moderators' standards become positions on the framework's scale, lowest first.
"""

from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Select, String, case, func, select, type_coerce

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.rounds.models import (
    CriterionJudgement,
    Judgement,
    JudgementState,
    ModerationRound,
    RoundChangeCounter,
    RoundEntry,
    RoundState,
)
from moderation_hub.samples.models import WorkSample
from moderation_hub.statistics import CRITERION_STATUSES, CriterionJudgements, ModeratorJudgements, RoundRatings
from moderation_hub.statistics.round_ratings import NONE

WITH_OUTCOMES = (RoundState.REVEAL, RoundState.CLOSED)
NO_ROW = -1  # in place of a NULL id, which an integer array cannot hold


@dataclass(frozen=True)
class Scope:
    """Which entries a report reads, and (for a moderator's own report) whose judgements."""

    key: tuple[str, int]  # names the scope between requests: ("round", 12), ("moderator", 7)
    conditions: tuple[ColumnElement[bool], ...]
    # On moderation_round: the rounds whose entries ``conditions`` may choose, whose change counters version the
    # scope's reports. None for a scope that reads a small part of each round (one school's entries), whose version
    # is taken from those rows instead, so that a write to another school's samples leaves its reports kept.
    rounds: tuple[ColumnElement[bool], ...] | None
    moderator_id: int | None = None


def round_scope(round_: ModerationRound) -> Scope:
    return Scope(("round", round_.id), (RoundEntry.round_id == round_.id,), (ModerationRound.id == round_.id,))


def school_scope(school: School) -> Scope:
    conditions = (RoundEntry.school_id == school.id, ModerationRound.state.in_(WITH_OUTCOMES))
    return Scope(("school", school.id), conditions, None)


def authority_scope(authority: LocalAuthority) -> Scope:
    conditions = (ModerationRound.authority_id == authority.id, ModerationRound.state.in_(WITH_OUTCOMES))
    return Scope(("authority", authority.id), conditions, conditions)


def moderator_scope(moderator: User) -> Scope:
    """The rounds this moderator submitted a judgement in, with everyone's judgements, of the frameworks they judged.

    Their severity compares each of their judgements with the others' judgements of the same sample, less those
    moderators' own severity, which the rest of the round measures; so it is the round report's figure. The
    report names no one else and shows only the moderator's own judgements.
    """
    judged = select(Judgement.entry_id).where(
        Judgement.moderator_id == moderator.id, Judgement.state == JudgementState.SUBMITTED
    )
    rounds = select(RoundEntry.round_id).where(RoundEntry.id.in_(judged))
    frameworks = (
        select(WorkSample.framework_id)
        .join(RoundEntry, RoundEntry.sample_id == WorkSample.id)
        .where(RoundEntry.id.in_(judged))
    )
    conditions = (
        RoundEntry.round_id.in_(rounds),
        WorkSample.framework_id.in_(frameworks),
        ModerationRound.state.in_(WITH_OUTCOMES),
    )
    judged_in = (ModerationRound.id.in_(rounds), ModerationRound.state.in_(WITH_OUTCOMES))
    return Scope(("moderator", moderator.id), conditions, judged_in, moderator.id)


def _entries(scope: Scope, *columns: ColumnElement[Any]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(RoundEntry)
        .join(ModerationRound, RoundEntry.round_id == ModerationRound.id)
        .join(WorkSample, RoundEntry.sample_id == WorkSample.id)
        .where(*scope.conditions)
    )


def frameworks_in(scope: Scope) -> list[Framework]:
    """The frameworks of the scope's samples, by title then newest version first."""
    used = _entries(scope, WorkSample.framework_id).distinct()
    statement = select(Framework).where(Framework.id.in_(used)).order_by(Framework.title, Framework.version.desc())
    return list(db.session.scalars(statement))


def version(scope: Scope, framework: Framework) -> tuple[object, ...]:
    """A fingerprint of everything ``load`` reads for the scope's entries of ``framework``: it changes with every
    write a report could show, so figures kept under it are never stale. Read in one statement by primary key from
    the change counters of the scope's rounds (a round, an authority's, a moderator's), whatever their size.

    Every such write (a judgement, its verdicts, an entry and its outcome, the round, a sample's own judgement, a
    school's or a moderator's name) raises its round's change counter in its own transaction (``rounds.changes``).
    A round reaching reveal (a change of its own) comes into an authority's or moderator's scope; its rounds are
    found from the rounds or from the moderator's own judgements, never from every entry. A school's scope is
    versioned by its own rows (``_rows_version``).
    """
    if scope.rounds is None:
        return _rows_version(scope, framework)
    rounds = (
        select(ModerationRound.id, func.coalesce(RoundChangeCounter.changes, 0))
        .outerjoin(RoundChangeCounter, RoundChangeCounter.round_id == ModerationRound.id)
        .where(*scope.rounds)
        .order_by(ModerationRound.id)
    )
    return (framework.id, tuple(db.session.execute(rounds).tuples()))


def _rows_version(scope: Scope, framework: Framework) -> tuple[object, ...]:
    """A fingerprint of the scope's own entries of ``framework`` and what ``load`` reads with them, in four small
    queries that grow with the scope's entries (a school's samples), not with the rounds they are in.

    Entries, their samples and rounds, and judgements are versioned rows: every write to them goes through
    the ORM, which raises ``version`` with each UPDATE, so a change raises a sum of versions. Counts and sums
    of ids change when rows are added or removed; the newest time catches a row added in place of one removed
    under the same id (SQLite reuses the highest). A submitted judgement's criterion verdicts change only once
    it is reopened and submitted again, each a change of its state. Frameworks never change once imported.
    Schools and people have no version, so their names are part of the fingerprint.
    """
    of_framework = WorkSample.framework_id == framework.id
    entries = _entries(scope, RoundEntry.id).where(of_framework)
    entry_figures = _entries(
        scope,
        func.count(),
        func.sum(RoundEntry.id),
        func.sum(RoundEntry.version),
        func.max(RoundEntry.added_at),
        func.sum(WorkSample.version),
        func.sum(ModerationRound.version),
    ).where(of_framework)
    judgements = select(Judgement.moderator_id).where(Judgement.entry_id.in_(entries))
    judgement_figures = select(
        func.count(), func.sum(Judgement.id), func.sum(Judgement.version), func.max(Judgement.updated_at)
    ).where(Judgement.entry_id.in_(entries))
    schools = _entries(scope, RoundEntry.school_id).where(of_framework)
    return (
        tuple(db.session.execute(entry_figures).one()),
        tuple(db.session.execute(judgement_figures).one()),
        _names_in_order(School.id, School.name, schools),
        _names_in_order(User.id, User.display_name, judgements),
    )


def _names_in_order(
    id_column: ColumnElement[int], name_column: ColumnElement[str], ids: Select[Any]
) -> tuple[tuple[int, str], ...]:
    statement = select(id_column, name_column).where(id_column.in_(ids)).order_by(id_column)
    return tuple(db.session.execute(statement).tuples())


@dataclass(frozen=True)
class LoadedRatings:
    """The engine's input and the names behind its ids."""

    ratings: RoundRatings
    rounds: tuple[ModerationRound, ...]  # in date order: ``ratings.round_ids`` are positions here
    school_names: dict[int, str]
    moderator_names: dict[int, str]  # a moderator's own report: only theirs
    criterion_labels: dict[int, str]  # "code: statement"
    moderator_id: int | None = None  # whose own report this is

    @property
    def samples(self) -> int:
        """The samples the report is about: every entry, or those the report's moderator judged."""
        if self.moderator_id is None:
            return len(self.ratings.teacher_judgements)
        judgements = self.ratings.moderator_judgements
        mine = np.asarray(judgements.moderator_ids) == self.moderator_id
        return int(np.unique(np.asarray(judgements.sample_indices)[mine]).size)


def load(scope: Scope, framework: Framework, *, criteria: bool = True) -> LoadedRatings:
    """The scope's entries of ``framework`` with their judgements, as positions on its scale."""
    scale = tuple(framework.standards)
    standard_ids = np.array([standard.id for standard in scale], dtype=np.int64)
    of_framework = WorkSample.framework_id == framework.id
    columns = (
        RoundEntry.id,
        RoundEntry.round_id,
        RoundEntry.school_id,
        func.coalesce(WorkSample.teacher_judgement_id, NO_ROW),
        func.coalesce(RoundEntry.agreed_standard_id, NO_ROW),
    )
    entries = _integer_rows(_entries(scope, *columns).where(of_framework).order_by(RoundEntry.id), len(columns))
    entry_ids, round_ids, school_ids = entries[:, 0], entries[:, 1], entries[:, 2]
    rounds = _rounds_in_date_order(set(np.unique(round_ids).tolist()))
    rounds_in_order = np.array([round_.id for round_ in rounds], dtype=np.int64)
    round_positions = _places(rounds_in_order, round_ids)[0]
    years = np.array([round_.academic_year for round_ in rounds], dtype=np.int64)
    judged = _submitted(_entries(scope, RoundEntry.id).where(of_framework))
    judgements = _judgements(judged, entry_ids, standard_ids)
    verdicts = _verdicts(judged, entry_ids) if criteria else CriterionJudgements([], [], [], [])
    ratings = RoundRatings(
        scale=[standard.code for standard in scale],
        school_ids=school_ids,
        teacher_judgements=_on_scale(standard_ids, entries[:, 3]),
        agreed_outcomes=_on_scale(standard_ids, entries[:, 4]),
        moderator_judgements=judgements,
        criterion_judgements=verdicts,
        round_ids=round_positions,
        academic_years=years[round_positions],
    )
    judges = np.unique(np.asarray(judgements.moderator_ids)).tolist()
    named = {scope.moderator_id} if scope.moderator_id is not None else set(judges)
    return LoadedRatings(
        ratings=ratings,
        rounds=tuple(rounds),
        school_names=_names(School.id, School.name, set(np.unique(school_ids).tolist())),
        moderator_names=_names(User.id, User.display_name, named),
        criterion_labels={criterion.id: f"{criterion.code}: {criterion.statement}" for criterion in framework.criteria},
        moderator_id=scope.moderator_id,
    )


def _submitted(entries: Select[Any]) -> list[ColumnElement[bool]]:
    """Conditions for submitted judgements with a standard on the entries."""
    return [
        Judgement.entry_id.in_(entries),
        Judgement.state == JudgementState.SUBMITTED,
        Judgement.standard_id.is_not(None),
    ]


def _judgements(
    judged: list[ColumnElement[bool]], entry_ids: npt.NDArray[np.int64], standard_ids: npt.NDArray[np.int64]
) -> ModeratorJudgements:
    """Moderators' standards as positions on the scale; a standard of another framework is left out."""
    statement = select(Judgement.entry_id, Judgement.moderator_id, Judgement.standard_id).where(*judged)
    rows = _integer_rows(statement, 3)
    positions, on_scale = _places(standard_ids, rows[:, 2])
    rows = rows[on_scale]
    return ModeratorJudgements(_places(entry_ids, rows[:, 0])[0], rows[:, 1], positions[on_scale])


# A verdict's position in the engine's statuses, computed by the database: the enum column's own type would
# turn each of 270,000 values into a Verdict in Python.
_STATUS = case(
    {status: code for code, status in enumerate(CRITERION_STATUSES)},
    value=type_coerce(CriterionJudgement.verdict, String),
)


def _verdicts(judged: list[ColumnElement[bool]], entry_ids: npt.NDArray[np.int64]) -> CriterionJudgements:
    """Every criterion verdict of the judgements, in one query, as four integer arrays."""
    statement = (
        select(Judgement.entry_id, Judgement.moderator_id, CriterionJudgement.criterion_id, _STATUS)
        .select_from(CriterionJudgement)
        .join(Judgement, CriterionJudgement.judgement_id == Judgement.id)
        .where(*judged)
    )
    rows = _integer_rows(statement, 4)
    return CriterionJudgements(_places(entry_ids, rows[:, 0])[0], rows[:, 1], rows[:, 2], rows[:, 3])


def _integer_rows(statement: Select[Any], width: int) -> npt.NDArray[np.int64]:
    """The rows of a statement of ``width`` integer columns (none NULL), as an array with a row per row.

    Read from the driver's cursor: building a SQLAlchemy row for each of 270,000 verdicts costs more than
    the query, and plain integers need none of its type processing."""
    result = db.session.connection().execute(statement)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width).reshape(-1, width)


def _on_scale(standard_ids: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Standards as positions on the scale; none (``NO_ROW``), or one of another framework, is ``NONE``."""
    positions, found = _places(standard_ids, wanted)
    return np.where(found, positions, NONE)


def _places(
    ids: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Where each of ``wanted`` is in ``ids`` (distinct), and whether it is there at all (its place is 0 if not):
    one sort and a binary search, not a dictionary lookup per row."""
    if not len(ids):
        return np.zeros(wanted.shape, dtype=np.int64), np.zeros(wanted.shape, dtype=bool)
    order = np.argsort(ids)
    at = np.searchsorted(ids[order], wanted).clip(max=len(ids) - 1)
    found = ids[order][at] == wanted
    return np.where(found, order[at], 0), found


def _rounds_in_date_order(round_ids: set[int]) -> list[ModerationRound]:
    if not round_ids:
        return []
    statement = (
        select(ModerationRound)
        .where(ModerationRound.id.in_(round_ids))
        .order_by(ModerationRound.academic_year, ModerationRound.created_at, ModerationRound.id)
    )
    return list(db.session.scalars(statement))


def _names(id_column: ColumnElement[int], name_column: ColumnElement[str], ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(id_column, name_column).where(id_column.in_(ids))).tuples().all())
