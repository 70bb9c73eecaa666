"""What the lead's round page shows, read with a fixed number of queries whatever the size of the round.

An LA round can have thousands of samples, a hundred schools and hundreds of moderators: its counts are taken in
the database for the whole round, and its samples, schools and moderators are listed a page at a time, each page
loaded with everything its rows show. The schools and people who may join are offered a page at a time too, on pages
of their own, found by name.
"""

from typing import TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from moderation_hub.accounts.models import User
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


def moderator_loads(round_: ModerationRound, user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per moderator of ``user_ids``: how many samples they have, and how many of those they have submitted."""
    statement = (
        select(
            Judgement.moderator_id,
            func.count(),
            func.count().filter(Judgement.state == JudgementState.SUBMITTED),
        )
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .where(
            RoundEntry.round_id == round_.id,
            Judgement.state != JudgementState.WITHDRAWN,
            Judgement.moderator_id.in_(user_ids),
        )
        .group_by(Judgement.moderator_id)
    )
    return {moderator_id: (given, done) for moderator_id, given, done in db.session.execute(statement)}


def entered_by_school(round_: ModerationRound, school_ids: list[int]) -> dict[int, int]:
    """How many samples each school of ``school_ids`` has in the round."""
    statement = (
        select(RoundEntry.school_id, func.count())
        .where(RoundEntry.round_id == round_.id, RoundEntry.school_id.in_(school_ids))
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
