"""Counting a round's changes: every flush that writes something a round's board or reports show raises the round's
``RoundChangeCounter`` by one, in the same transaction, so a page asks "has anything changed?" with one read by
primary key (``changes_of``) instead of aggregating over the round's judgements.

One hook sees every write made through the ORM (every write the application makes to these rows): the rows a flush
adds, changes or removes, of

- the round itself (its state, reveal, settings and name);
- its schools, moderators (joining, dropping out) and entries (entered, withdrawn, agreed outcomes);
- its judgements and their criterion verdicts and page comments (allocation, saving, submitting, reopening);
- a work sample entered in it (the school's own judgement a report compares with);
- a school of it, or a person leading, moderating or judging in it, when their name changes.

Rows written with Core statements (the benchmark's bulk inserts, migrations) are not counted: they are not the
application's writes.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, event, inspect, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from moderation_hub.accounts.models import User
from moderation_hub.organisations.models import School
from moderation_hub.rounds.models import (
    CriterionJudgement,
    Judgement,
    JudgementComment,
    ModerationRound,
    RoundChangeCounter,
    RoundEntry,
    RoundModerator,
    RoundSchool,
)
from moderation_hub.samples.models import WorkSample


def changes_of(connection: Connection | Session, round_ids: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Each of these rounds' ids with its count of changes (0 for a round never changed through the application),
    in id order: one statement by primary key."""
    ids = sorted(set(round_ids))
    if not ids:
        return ()
    statement = select(RoundChangeCounter.round_id, RoundChangeCounter.changes).where(
        RoundChangeCounter.round_id.in_(ids)
    )
    counted = dict(connection.execute(statement).tuples().all())
    return tuple((round_id, counted.get(round_id, 0)) for round_id in ids)


class _Touched:
    """The rows of one flush that a round shows, by what leads from each to its rounds."""

    def __init__(self) -> None:
        self.rounds: set[int] = set()
        self.entries: set[int] = set()
        self.judgements: set[int] = set()
        self.samples: set[int] = set()
        self.schools: set[int] = set()
        self.people: set[int] = set()

    def add(self, row: object) -> None:
        match row:
            case ModerationRound():
                self.rounds.add(row.id)
            case RoundEntry() | RoundModerator() | RoundSchool():
                self.rounds.add(row.round_id)
            case Judgement():
                self.entries.add(row.entry_id)
            case CriterionJudgement() | JudgementComment():
                self.judgements.add(row.judgement_id)
            case WorkSample():
                self.samples.add(row.id)
            case School() if _changed(row, "name"):
                self.schools.add(row.id)
            case User() if _changed(row, "display_name"):
                self.people.add(row.id)

    def condition(self) -> ColumnElement[bool] | None:
        """Which rounds these rows belong to, as a condition on ``moderation_round``; None when they are no round's."""
        ids: list[Select[Any]] = []
        if self.entries:
            ids.append(select(RoundEntry.round_id).where(RoundEntry.id.in_(self.entries)))
        if self.judgements:
            ids.append(_rounds_of_judgements(Judgement.id.in_(self.judgements)))
        if self.samples:
            ids.append(select(RoundEntry.round_id).where(RoundEntry.sample_id.in_(self.samples)))
        if self.schools:
            ids.append(select(RoundEntry.round_id).where(RoundEntry.school_id.in_(self.schools)))
            ids.append(select(RoundSchool.round_id).where(RoundSchool.school_id.in_(self.schools)))
        if self.people:
            ids.append(select(RoundModerator.round_id).where(RoundModerator.user_id.in_(self.people)))
            ids.append(select(ModerationRound.id).where(ModerationRound.lead_id.in_(self.people)))
            ids.append(_rounds_of_judgements(Judgement.moderator_id.in_(self.people)))
        conditions = [ModerationRound.id.in_(subquery) for subquery in ids]
        direct = sorted(round_id for round_id in self.rounds if round_id is not None)
        if direct:
            conditions.append(ModerationRound.id.in_(direct))
        return or_(*conditions) if conditions else None


def _rounds_of_judgements(condition: ColumnElement[bool]) -> Select[Any]:
    return select(RoundEntry.round_id).join(Judgement, Judgement.entry_id == RoundEntry.id).where(condition)


def _changed(row: object, attribute: str) -> bool:
    state = inspect(row)
    return state.pending or state.deleted or state.attrs[attribute].history.has_changes()


@event.listens_for(Session, "after_flush")
def _count_changes(session: Session, _flush: UOWTransaction) -> None:
    """Raise the counter of each round this flush wrote to, once, in the flush's transaction.

    After the flush, so that new rows have their ids and foreign keys; ``new``, ``dirty`` and ``deleted`` still
    describe what the flush wrote. One statement: an upsert of the rounds found from those rows, taken in id order
    (two transactions raising the same rounds wait for each other rather than deadlock)."""
    touched = _Touched()
    for row in session.new:
        touched.add(row)
    for row in session.deleted:
        touched.add(row)
    for row in session.dirty:
        if session.is_modified(row, include_collections=False):
            touched.add(row)
    condition = touched.condition()
    if condition is not None:
        connection = session.connection()
        connection.execute(_raise(connection.dialect.name, condition))


def _raise(dialect: str, rounds: ColumnElement[bool]) -> Any:
    """INSERT ... SELECT the rounds ON CONFLICT raise by one: the row is made at a round's first change, so rounds
    made before the counter existed, or by bulk inserts, count too. A round removed in the flush is no longer found."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    found = select(ModerationRound.id, literal(1)).where(rounds).order_by(ModerationRound.id)
    statement = insert(RoundChangeCounter).from_select(["round_id", "changes"], found)
    return statement.on_conflict_do_update(
        index_elements=[RoundChangeCounter.round_id], set_={"changes": RoundChangeCounter.changes + 1}
    )
