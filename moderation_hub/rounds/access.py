"""Loading a round's rows for a view: missing is 404, not allowed is 404, another round's row is 404."""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash
from flask_login import current_user
from sqlalchemy import select

from moderation_hub.db import db, get_or_404
from moderation_hub.permissions import Permission, authorize
from moderation_hub.rounds.errors import RoundError
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundEntry, RoundModerator, RoundSchool


def round_for(permission: Permission, round_id: int) -> ModerationRound:
    round_ = get_or_404(ModerationRound, round_id)
    authorize(permission, round_)
    return round_


Part = TypeVar("Part", RoundSchool, RoundEntry, RoundModerator)


def part_of(round_: ModerationRound, model: type[Part], row_id: int) -> Part:
    part = get_or_404(model, row_id)
    if part.round_id != round_.id:
        abort(404)
    return part


def own_judgement(round_id: int, blind_code: str) -> Judgement:
    """The signed-in moderator's judgement of the sample the round calls ``blind_code``.

    A moderator's URLs name a sample by the round's random code, never by a row id: ids are sequential, so
    they would let a moderator count or order other schools' work.
    """
    judgement = db.session.scalar(
        select(Judgement)
        .join(RoundEntry)
        .where(
            RoundEntry.round_id == round_id,
            RoundEntry.blind_code == blind_code,
            Judgement.moderator_id == current_user.id,
        )
    )
    if judgement is None:
        abort(404)
    authorize(Permission.JUDGEMENT_EDIT, judgement)
    return judgement


def attempt(change: Callable[[], object], done: str | None = None) -> bool:
    """Run a change; a refusal is flashed as an error (the view redirects back) and nothing is kept."""
    try:
        change()
    except RoundError as error:
        db.session.rollback()  # the redirect commits; nothing of a refused change may go with it
        flash(str(error), "error")
        return False
    if done:
        flash(done, "success")
    return True
