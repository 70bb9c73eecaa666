"""The meeting board: who has judged what, what is left, and which samples the moderators disagree on.

It is shown on a projector while moderators judge, so it names samples by their blind code only and never
shows a standard: a sample is flagged when its moderators' standards differ, once all of them have
submitted. It is polled every few seconds while dozens of people judge, so what it sends is bounded
whatever the size of the round: the round's totals, counted in SQL, and one page of moderators and one of
samples (all of them, those the moderators disagree on, or those still being judged). It is built from a
handful of queries of plain columns, never loads a school or a sample, and never reads every judgement
into Python.
"""

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Subquery, and_, case, distinct, func, or_, select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.rounds.models import Judgement, JudgementState, ModerationRound, RoundEntry, RoundModerator
from moderation_hub.rounds.paging import Paging

SAMPLES_PER_PAGE = 20
MODERATORS_PER_PAGE = 20
DISAGREEING_NAMED = 20  # blind codes named in the line under the totals; the rest are counted

# The words and GOV.UK tag colours of a judgement's state, as rounds/_macros.html's judgement_tag shows them.
STATE_TAGS = {
    JudgementState.NOT_STARTED: ("Not started", "grey"),
    JudgementState.DRAFT: ("Draft", "yellow"),
    JudgementState.SUBMITTED: ("Submitted", "green"),
}

# Which samples the board lists: the choice's name in the URL, its words, and what an empty list says.
SHOWS = {
    "all": ("All samples", "No samples have been entered yet."),
    "disagree": ("Moderators disagree", "The moderators agree on every sample they have all judged so far."),
    "judging": ("Being judged", "No sample is being judged."),
}


@dataclass(frozen=True)
class BoardView:
    """What the lead asks the board to show: which samples, and which page of them and of the moderators."""

    show: str = "all"
    page: int = 1
    moderators_page: int = 1


@dataclass(frozen=True)
class Summary:
    samples: int
    judgements: int  # allocated and not withdrawn
    submitted: int
    complete: int  # samples whose every judgement is submitted
    disagreeing: int
    being_judged: int

    def count_of(self, show: str) -> int:
        return {"all": self.samples, "disagree": self.disagreeing, "judging": self.being_judged}[show]


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
    summary: Summary
    disagreeing: list[str]  # the first DISAGREEING_NAMED codes of the samples the moderators disagree on
    moderators: list[ModeratorProgress]
    moderator_pages: Paging
    show: str
    samples: list[SampleProgress]
    sample_pages: Paging

    @property
    def announcement(self) -> str:
        return f"Board updated: {self.summary.submitted} of {self.summary.judgements} judgements submitted"


def board_of(round_: ModerationRound, view: BoardView | None = None) -> Board:
    """The board as ``view`` asks for it; a page past the last shows the last (a list shrinks as moderators
    submit, and a projector left on an emptied page should not go blank)."""
    view = view or BoardView()
    per_sample = _per_sample(round_.id)
    summary = _summary(per_sample)
    sample_pages = _pages(summary.count_of(view.show), SAMPLES_PER_PAGE, view.page)
    listed = _listed_moderator(round_.id)
    moderator_total = db.session.scalar(select(func.count()).select_from(RoundModerator).where(listed)) or 0
    moderator_pages = _pages(moderator_total, MODERATORS_PER_PAGE, view.moderators_page)
    return Board(
        summary=summary,
        disagreeing=_first_disagreeing(per_sample),
        moderators=_moderator_page(round_.id, listed, moderator_pages),
        moderator_pages=moderator_pages,
        show=view.show,
        samples=_sample_page(round_.id, per_sample, view.show, sample_pages),
        sample_pages=sample_pages,
    )


def _pages(total: int, per_page: int, asked: int) -> Paging:
    pages = max(1, math.ceil(total / per_page))
    return Paging(min(max(asked, 1), pages), pages, total, per_page)


_LIVE = Judgement.state != JudgementState.WITHDRAWN
_SUBMITTED = Judgement.state == JudgementState.SUBMITTED


def _per_sample(round_id: int) -> Subquery:
    """A row per entry of the round: its judgements that are not withdrawn, those submitted, and how many
    different standards those give (counted, never read)."""
    return (
        select(
            RoundEntry.id.label("entry_id"),
            RoundEntry.blind_code.label("code"),
            func.count(Judgement.id).label("allocated"),
            func.count(case((_SUBMITTED, 1))).label("submitted"),
            func.count(distinct(case((_SUBMITTED, Judgement.standard_id)))).label("standards"),
        )
        .select_from(RoundEntry)
        .outerjoin(Judgement, and_(Judgement.entry_id == RoundEntry.id, _LIVE))
        .where(RoundEntry.round_id == round_id)
        .group_by(RoundEntry.id, RoundEntry.blind_code)
        .subquery()
    )


def _complete(per_sample: Subquery) -> ColumnElement[bool]:
    return and_(per_sample.c.allocated > 0, per_sample.c.submitted == per_sample.c.allocated)


def _disagree(per_sample: Subquery) -> ColumnElement[bool]:
    return and_(_complete(per_sample), per_sample.c.standards > 1)


def _being_judged(per_sample: Subquery) -> ColumnElement[bool]:
    return and_(per_sample.c.allocated > 0, per_sample.c.submitted < per_sample.c.allocated)


# The samples each choice of SHOWS but "all" lists (all of them are listed from the round's index of codes).
_SHOWN = {"disagree": _disagree, "judging": _being_judged}


def _summary(per_sample: Subquery) -> Summary:
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(per_sample.c.allocated), 0),
            func.coalesce(func.sum(per_sample.c.submitted), 0),
            func.count(case((_complete(per_sample), 1))),
            func.count(case((_disagree(per_sample), 1))),
            func.count(case((_being_judged(per_sample), 1))),
        ).select_from(per_sample)
    ).one()
    return Summary(*(int(value) for value in row))


def _first_disagreeing(per_sample: Subquery) -> list[str]:
    statement = (
        select(per_sample.c.code).where(_disagree(per_sample)).order_by(per_sample.c.code).limit(DISAGREEING_NAMED)
    )
    return list(db.session.scalars(statement))


def _sample_page(round_id: int, per_sample: Subquery, show: str, pages: Paging) -> list[SampleProgress]:
    """One page of the samples ``show`` lists, with their judgements: two queries, the second of the page's."""
    if show == "all":
        codes = select(RoundEntry.id, RoundEntry.blind_code).where(RoundEntry.round_id == round_id)
        order = RoundEntry.blind_code
    else:
        codes = select(per_sample.c.entry_id, per_sample.c.code).where(_SHOWN[show](per_sample))
        order = per_sample.c.code
    shown = db.session.execute(codes.order_by(order).limit(pages.per_page).offset(pages.offset)).tuples().all()
    judgements: dict[int, list[JudgementProgress]] = {entry_id: [] for entry_id, _ in shown}
    standards: dict[int, set[int | None]] = {entry_id: set() for entry_id, _ in shown}
    statement = (
        select(Judgement.entry_id, Judgement.state, Judgement.standard_id, User.display_name)
        .join(User, Judgement.moderator_id == User.id)
        .where(Judgement.entry_id.in_(judgements), _LIVE)
        .order_by(Judgement.id)
    )
    for entry_id, state, standard_id, name in db.session.execute(statement):
        judgements[entry_id].append(JudgementProgress(name, state))
        if state is JudgementState.SUBMITTED:
            standards[entry_id].add(standard_id)
    return [SampleProgress(code, judgements[entry_id], len(standards[entry_id])) for entry_id, code in shown]


def _listed_moderator(round_id: int) -> ColumnElement[bool]:
    """The round's moderators the board lists: those still active, and any who dropped out with work left
    (judgements are made only for the round's moderators)."""
    work_left = (
        select(Judgement.id)
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .where(RoundEntry.round_id == round_id, Judgement.moderator_id == RoundModerator.user_id, _LIVE)
        .exists()
    )
    return and_(RoundModerator.round_id == round_id, or_(RoundModerator.active, work_left))


def _moderator_page(round_id: int, listed: ColumnElement[bool], pages: Paging) -> list[ModeratorProgress]:
    """One page of moderators by name; their judgements are counted for that page only."""
    page = (
        select(RoundModerator.user_id, User.display_name)
        .join(User, RoundModerator.user_id == User.id)
        .where(listed)
        .order_by(func.lower(User.display_name), User.id)
        .limit(pages.per_page)
        .offset(pages.offset)
        .subquery()
    )

    def judgements(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
        return (
            select(func.count(Judgement.id))
            .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
            .where(RoundEntry.round_id == round_id, Judgement.moderator_id == page.c.user_id, *conditions)
            .scalar_subquery()
        )

    statement = select(page.c.display_name, judgements(_LIVE), judgements(_SUBMITTED)).order_by(
        func.lower(page.c.display_name), page.c.user_id
    )
    return [ModeratorProgress(*row) for row in db.session.execute(statement)]


def as_json(board: Board) -> dict[str, Any]:
    """What board.json answers and the board page shows: words and tag colours chosen here, never a standard.

    Its size is bounded by the page sizes, not by the round: a judgement names its state, whose words and
    colour are given once, in ``states``.
    """
    summary = board.summary
    return {
        "submitted": summary.submitted,
        "total": summary.judgements,
        "left": summary.judgements - summary.submitted,
        "samples_total": summary.samples,
        "samples_complete": summary.complete,
        "disagreeing_count": summary.disagreeing,
        "disagreeing": board.disagreeing,
        "announcement": board.announcement,
        "states": {state.value: _tag(*tag) for state, tag in STATE_TAGS.items()},
        "shows": [
            {"show": show, "text": text, "count": summary.count_of(show), "current": show == board.show}
            for show, (text, _) in SHOWS.items()
        ],
        "moderators": {
            **_paging(board.moderator_pages),
            "items": [{"name": m.name, "allocated": m.allocated, "submitted": m.submitted} for m in board.moderators],
        },
        "samples": {
            **_paging(board.sample_pages),
            "show": board.show,
            "empty": SHOWS[board.show][1],
            "items": [
                {
                    "code": sample.code,
                    "status": _tag(*sample.status),
                    "disagree": sample.disagree,
                    "judgements": [{"moderator": j.moderator, "state": j.state.value} for j in sample.judgements],
                }
                for sample in board.samples
            ],
        },
    }


def _paging(pages: Paging) -> dict[str, Any]:
    return {"page": pages.page, "pages": pages.pages, "total": pages.total, "numbers": pages.numbers}


def _tag(text: str, colour: str) -> dict[str, str]:
    return {"text": text, "colour": colour}
