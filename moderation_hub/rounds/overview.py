"""What the lead's round page shows, read with a fixed number of queries whatever the size of the round.

An LA round can have thousands of samples, a hundred schools and hundreds of moderators: its counts are taken in
the database for the whole round, once per change of the round (``figures_of``), and its samples, schools and
moderators are listed a page at a time, each page loaded with everything its rows show. The schools and people
who may join are offered a page at a time too, on pages of their own, found by name.
"""

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.organisations.models import School
from moderation_hub.reports import cache
from moderation_hub.rounds import services
from moderation_hub.rounds.changes import changes_of
from moderation_hub.rounds.models import (
    Judgement,
    JudgementState,
    ModerationRound,
    RoundEntry,
    RoundModerator,
    RoundSchool,
)
from moderation_hub.rounds.paging import Paging, paging

ENTRIES_PER_PAGE = 50
SCHOOLS_PER_PAGE = 50
MODERATORS_PER_PAGE = 50
CHOICES_PER_PAGE = 25  # schools or people offered at once to be added to the round

Row = TypeVar("Row")


def page_of(statement: Select[tuple[Row]], per_page: int, number: int) -> tuple[Paging, list[Row]] | None:
    """Page ``number`` of what ``statement`` finds, in its order, and the rows on it; None when there is no such
    page. Two queries: the count, then the page."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    page = paging(total, per_page, number)
    if page is None:
        return None
    return page, list(db.session.scalars(statement.limit(page.per_page).offset(page.offset)))


def searched(statement: Select[tuple[Row]], words: str, *columns: InstrumentedAttribute[str]) -> Select[tuple[Row]]:
    """Only the rows where one of ``columns`` holds what was typed, in any case; all of them when nothing was."""
    words = words.strip()
    if not words:
        return statement
    return statement.where(or_(*(column.icontains(words, autoescape=True) for column in columns)))


def schools_of(round_: ModerationRound) -> Select[tuple[RoundSchool]]:
    """The schools taking part, by name, with their names loaded."""
    return (
        select(RoundSchool)
        .join(School, RoundSchool.school_id == School.id)
        .where(RoundSchool.round_id == round_.id)
        .options(joinedload(RoundSchool.school))
        .order_by(School.name, School.id)
    )


def schools_to_add(round_: ModerationRound) -> Select[tuple[School]]:
    """The schools that may still join: the authority's (the meeting cluster's, for a cluster meeting) not taking
    part yet, by name."""
    taking_part = select(RoundSchool.school_id).where(RoundSchool.round_id == round_.id)
    statement = (
        select(School)
        .where(School.authority_id == round_.authority_id, School.id.not_in(taking_part))
        .order_by(School.name, School.id)
    )
    if round_.cluster_id is not None:
        statement = statement.where(School.cluster_id == round_.cluster_id)
    return statement


def moderators_of(round_: ModerationRound) -> Select[tuple[RoundModerator]]:
    """The round's moderators, those who dropped out included, by name, with their names loaded."""
    return (
        select(RoundModerator)
        .join(User, RoundModerator.user_id == User.id)
        .where(RoundModerator.round_id == round_.id)
        .options(joinedload(RoundModerator.user))
        .order_by(User.display_name, User.id)
    )


def active_moderators(round_: ModerationRound) -> list[RoundModerator]:
    """The moderators who have not dropped out, by name, with their names loaded."""
    return list(db.session.scalars(moderators_of(round_).where(RoundModerator.active)))


def people_to_add(round_: ModerationRound) -> Select[tuple[User]]:
    """Who may moderate in the round and is not moderating in it now (someone who dropped out may come back)."""
    active = select(RoundModerator.user_id).where(RoundModerator.round_id == round_.id, RoundModerator.active)
    return services.candidates_statement(round_).where(User.id.not_in(active))


@dataclass(frozen=True)
class RoundFigures:
    """What the lead's round page counts over the whole round, whatever page of it is shown."""

    entries: int  # samples entered
    step: services.NextStep | None  # where the round goes next and what holds it
    entered: dict[int, int]  # per school id taking part with samples: how many it has entered
    loads: dict[int, tuple[int, int]]  # per moderator's user id: the samples they have, and those submitted


def figures_of(round_: ModerationRound) -> RoundFigures:
    """The round's ``RoundFigures``, kept (``reports.cache``: in the database for every process, with a few in each
    process's memory) under the round's change counter, which every write they count raises in its own transaction
    (``rounds.changes``: the round, its schools, entries and judgements): read first, so what is computed is at
    least as new as the counter it is kept under. A request for an unchanged round costs that one read by key, and
    in a process that has not kept them, one more."""
    version = cache.version_of(("overview", changes_of(db.session, [round_.id])))
    return cache.computed(f"rounds/{round_.id}/overview", version, lambda: _figures(round_))


def _figures(round_: ModerationRound) -> RoundFigures:
    return RoundFigures(
        entries=services.count_entries(round_),
        step=services.next_step(round_),
        entered=_entered_by_school(round_),
        loads=_moderator_loads(round_),
    )


def _moderator_loads(round_: ModerationRound) -> dict[int, tuple[int, int]]:
    """Per moderator with judgements in the round: how many samples they have, and how many of those they have
    submitted."""
    statement = (
        select(
            Judgement.moderator_id,
            func.count(),
            func.count().filter(Judgement.state == JudgementState.SUBMITTED),
        )
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .where(RoundEntry.round_id == round_.id, Judgement.state != JudgementState.WITHDRAWN)
        .group_by(Judgement.moderator_id)
    )
    return {moderator_id: (given, done) for moderator_id, given, done in db.session.execute(statement)}


def _entered_by_school(round_: ModerationRound) -> dict[int, int]:
    """How many samples each school has in the round."""
    statement = (
        select(RoundEntry.school_id, func.count())
        .where(RoundEntry.round_id == round_.id)
        .group_by(RoundEntry.school_id)
    )
    return dict(db.session.execute(statement).tuples().all())


def entries_page(round_: ModerationRound, page: Paging) -> list[RoundEntry]:
    """One page of the round's samples in blind-code order, with their schools, pupils, moderators and outcomes."""
    statement = (
        select(RoundEntry)
        .where(RoundEntry.round_id == round_.id)
        .options(
            joinedload(RoundEntry.school),
            joinedload(RoundEntry.sample),
            joinedload(RoundEntry.agreed_standard),
            selectinload(RoundEntry.judgements).joinedload(Judgement.moderator),
        )
        .order_by(RoundEntry.blind_code)
        .limit(page.per_page)
        .offset(page.offset)
    )
    return list(db.session.scalars(statement))
