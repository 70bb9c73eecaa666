"""The rounds blueprint; its routes live in ``views`` (setting up and running a round), ``school_views``
(a school's samples and outcome), ``judging_views`` (a moderator's blind judging), ``reveal_views`` and
``record_views`` (the meeting board, exports and the round's audit log)."""

from flask import Blueprint

blueprint = Blueprint("rounds", __name__)
