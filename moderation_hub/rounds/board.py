"""The meeting board: who has judged what, what is left, and which samples the moderators disagree on.

It is shown on a projector while moderators judge, so it names samples by their blind code only and never
shows a standard: a sample is flagged when its moderators' standards differ, once all of them have
submitted. It is polled every few seconds while dozens of people judge, so it is built from three
queries of plain columns whatever the size of the round, and never loads a school or a sample.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.rounds.models import Judgement, JudgementState, ModerationRound, RoundEntry, RoundModerator

# The words and GOV.UK tag colours of a judgement's state, as rounds/_macros.html's judgement_tag shows them.
STATE_TAGS = {
    JudgementState.NOT_STARTED: ("Not started", "grey"),
    JudgementState.DRAFT: ("Draft", "yellow"),
    JudgementState.SUBMITTED: ("Submitted", "green"),
}


@dataclass(frozen=True)
class ModeratorProgress:
    name: str
    allocated: int
    submitted: int


@dataclass(frozen=True)
class JudgementProgress:
    moderator: str
    state: JudgementState


@dataclass(frozen=True)
class SampleProgress:
    code: str
    judgements: list[JudgementProgress]
    standard_count: int  # how many different standards the submitted judgements give

    @property
    def complete(self) -> bool:
        return bool(self.judgements) and all(j.state is JudgementState.SUBMITTED for j in self.judgements)

    @property
    def disagree(self) -> bool:
        return self.complete and self.standard_count > 1

    @property
    def status(self) -> tuple[str, str]:
        """What the board says of the sample as a whole, in words and a tag colour."""
        if not self.judgements:
            return "Not allocated", "grey"
        if not self.complete:
            return "Being judged", "blue"
        if self.disagree:
            return "Moderators disagree", "red"
        return ("Moderators agree", "green") if len(self.judgements) > 1 else ("Judged", "green")


@dataclass(frozen=True)
class Board:
    moderators: list[ModeratorProgress]
    samples: list[SampleProgress]

    @property
    def total(self) -> int:
        return sum(len(sample.judgements) for sample in self.samples)

    @property
    def submitted(self) -> int:
        return sum(moderator.submitted for moderator in self.moderators)

    @property
    def disagreeing(self) -> list[str]:
        return [sample.code for sample in self.samples if sample.disagree]

    @property
    def announcement(self) -> str:
        return f"Board updated: {self.submitted} of {self.total} judgements submitted"


def board_of(round_: ModerationRound) -> Board:
    judgements = db.session.execute(
        select(Judgement.entry_id, Judgement.moderator_id, Judgement.state, Judgement.standard_id, User.display_name)
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .join(User, Judgement.moderator_id == User.id)
        .where(RoundEntry.round_id == round_.id, Judgement.state != JudgementState.WITHDRAWN)
        .order_by(Judgement.id)
    ).all()
    entries = db.session.execute(
        select(RoundEntry.id, RoundEntry.blind_code)
        .where(RoundEntry.round_id == round_.id)
        .order_by(RoundEntry.blind_code)
    ).all()
    moderators = db.session.execute(
        select(RoundModerator.user_id, User.display_name)
        .join(User, RoundModerator.user_id == User.id)
        .where(RoundModerator.round_id == round_.id, RoundModerator.active)
    ).all()

    by_entry: dict[int, list[JudgementProgress]] = defaultdict(list)
    standards: dict[int, set[int | None]] = defaultdict(set)
    allocated: dict[int, int] = dict.fromkeys((user_id for user_id, _ in moderators), 0)
    submitted: dict[int, int] = dict.fromkeys(allocated, 0)
    names = dict(moderators)
    for entry_id, moderator_id, state, standard_id, name in judgements:
        by_entry[entry_id].append(JudgementProgress(name, state))
        names[moderator_id] = name
        allocated[moderator_id] = allocated.get(moderator_id, 0) + 1
        submitted[moderator_id] = submitted.get(moderator_id, 0) + (state is JudgementState.SUBMITTED)
        if state is JudgementState.SUBMITTED:
            standards[entry_id].add(standard_id)
    return Board(
        moderators=sorted(
            (ModeratorProgress(names[user_id], allocated[user_id], submitted[user_id]) for user_id in allocated),
            key=lambda moderator: moderator.name.casefold(),
        ),
        samples=[SampleProgress(code, by_entry[entry_id], len(standards[entry_id])) for entry_id, code in entries],
    )


def as_json(board: Board) -> dict[str, Any]:
    """What board.json answers and the board page shows: words and tag colours chosen here, never a standard."""
    return {
        "submitted": board.submitted,
        "total": board.total,
        "left": board.total - board.submitted,
        "disagreeing": board.disagreeing,
        "announcement": board.announcement,
        "moderators": [{"name": m.name, "allocated": m.allocated, "submitted": m.submitted} for m in board.moderators],
        "samples": [
            {
                "code": sample.code,
                "status": _tag(*sample.status),
                "disagree": sample.disagree,
                "judgements": [
                    {"moderator": j.moderator, "state": j.state.value, "tag": _tag(*STATE_TAGS[j.state])}
                    for j in sample.judgements
                ],
            }
            for sample in board.samples
        ],
    }


def _tag(text: str, colour: str) -> dict[str, str]:
    return {"text": text, "colour": colour}
