"""Keeping a sample blind for everyone judging it, whatever happens elsewhere.

The rule itself (who can see a sample's identity, who is judging it blind) is policy and lives in
``permissions``. Allocation keeps people off samples they can see (``assign``); the reveal views withhold a
sample from someone still judging it blind in another round. This module handles the third way someone can
come to see a sample they judge blind: something changes after allocation (they are given a role, or the sample
enters a round they lead). Their unfinished blind work on it is withdrawn, so that the lead gives it to someone
still blind to it.
"""

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from moderation_hub.accounts.models import User
from moderation_hub.accounts.services import role_granted
from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.permissions import BEFORE_REVEAL, identity_seers
from moderation_hub.rounds.models import Judgement, JudgementState, ModerationRound, RoundEntry


def withdraw_seen_work(user_ids: Collection[int], by: User | None) -> int:
    """Withdraw the unfinished blind work of these people on samples they can now see elsewhere (a new role, a
    sample entered into a round they lead): they are not blind to it any more, so the lead gives it to someone
    else. Submitted judgements were made blind and stay. Returns how many were withdrawn."""
    unfinished = (
        select(Judgement)
        .join(RoundEntry, RoundEntry.id == Judgement.entry_id)
        .join(ModerationRound, ModerationRound.id == RoundEntry.round_id)
        .where(
            Judgement.moderator_id.in_(list(user_ids)),
            Judgement.state.in_([JudgementState.NOT_STARTED, JudgementState.DRAFT]),
            ModerationRound.state.in_(BEFORE_REVEAL),
            ModerationRound.is_blind,
        )
        .options(joinedload(Judgement.entry).joinedload(RoundEntry.round))  # queries that do not grow with the work
    )
    by_round: dict[ModerationRound, list[Judgement]] = defaultdict(list)
    for judgement in db.session.scalars(unfinished):
        by_round[judgement.entry.round].append(judgement)
    withdrawn = 0
    for round_, judgements in by_round.items():
        seers = identity_seers(round_, [judgement.entry.sample_id for judgement in judgements])
        for judgement in judgements:
            if judgement.moderator_id in seers[judgement.entry.sample_id]:
                judgement.state = JudgementState.WITHDRAWN
                record(by.id if by else None, "judgement.withdrawn_not_blind", judgement, entry_id=judgement.entry_id)
                withdrawn += 1
    db.session.flush()
    return withdrawn


@role_granted.connect
def _withdraw_on_new_role(user: User) -> None:
    withdraw_seen_work([user.id], None)
