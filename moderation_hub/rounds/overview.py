"""What the lead's round page shows, read with a fixed number of queries whatever the size of the round.

An LA round can have thousands of samples: its counts are taken in the database for the whole round, and
its samples are listed a page at a time, each page loaded with everything its rows show.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.organisations.models import School
from moderation_hub.rounds.models import (
    Judgement,
    JudgementState,
    ModerationRound,
    RoundEntry,
    RoundModerator,
    RoundSchool,
)
from moderation_hub.rounds.paging import Paging

ENTRIES_PER_PAGE = 50


def schools_of(round_: ModerationRound) -> list[RoundSchool]:
    """The schools taking part, by name, with their names loaded."""
    statement = (
        select(RoundSchool)
        .join(School, RoundSchool.school_id == School.id)
        .where(RoundSchool.round_id == round_.id)
        .options(joinedload(RoundSchool.school))
        .order_by(School.name)
    )
    return list(db.session.scalars(statement))


def moderators_of(round_: ModerationRound) -> list[RoundModerator]:
    """The round's moderators, those who dropped out included, by name, with their names loaded."""
    statement = (
        select(RoundModerator)
        .join(User, RoundModerator.user_id == User.id)
        .where(RoundModerator.round_id == round_.id)
        .options(joinedload(RoundModerator.user))
        .order_by(User.display_name)
    )
    return list(db.session.scalars(statement))


def moderator_loads(round_: ModerationRound) -> dict[int, tuple[int, int]]:
    """Per moderator (user id): how many samples they have, and how many of those they have submitted."""
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


def entered_by_school(round_: ModerationRound) -> dict[int, int]:
    """How many samples each school (by school id) has in the round."""
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
