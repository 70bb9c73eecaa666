"""The meeting board: who has judged what, what is left, and which samples the moderators disagree on.

It is shown on a projector while moderators judge, so it names samples by their blind code only and never
shows a standard: a sample is flagged when its moderators' standards differ, once all of them have
submitted. It is polled every few seconds while dozens of people judge, so what it sends is bounded
whatever the size of the round: the round's totals, counted in SQL, and one page of moderators and one of
samples (all of them, those the moderators disagree on, or those still being judged). It is built from a
handful of queries of plain columns, never loads a school or a sample, and never reads every judgement
into Python: the round's judgements are grouped per sample and per moderator in SQL, once per change of the
round (``figures_of``), and what that gives is kept for every request until the round changes again.
"""

import hashlib
import math
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import and_, case, func, or_, select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.reports import cache
from moderation_hub.rounds.changes import changes_of
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
    submit, and a projector left on an emptied page should not go blank).

    What the board computes over the whole round (its totals, which samples each choice lists, every listed
    moderator's counts) is kept by ``figures_of`` under the round's change counter, so a request for an unchanged
    round reads the counter and then only the page of samples it shows."""
    view = view or BoardView()
    figures = figures_of(round_.id)
    listed = figures.listed[view.show]
    sample_pages = _pages(len(listed), SAMPLES_PER_PAGE, view.page)
    moderator_pages = _pages(len(figures.moderators), MODERATORS_PER_PAGE, view.moderators_page)
    return Board(
        summary=figures.summary,
        disagreeing=figures.disagreeing,
        moderators=_page(figures.moderators, moderator_pages),
        moderator_pages=moderator_pages,
        show=view.show,
        samples=_sample_page(_page(listed, sample_pages)),
        sample_pages=sample_pages,
    )


def fingerprint(round_id: int, view: BoardView) -> str:
    """A tag that changes whenever what the board shows for ``view`` may have, read without building the board:
    a projector's poll of an unchanged board costs one read by primary key, whatever the round's size.

    Every write the board shows (a judgement allocated, saved, submitted or reopened; a sample entered; a
    moderator joining, dropping out or renamed) raises the round's change counter in its own transaction
    (``rounds.changes``).
    """
    state = changes_of(db.session, [round_id])
    return hashlib.sha256(repr((round_id, view, state)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class BoardFigures:
    """What the board computes over the whole round, whatever page it shows: kept between requests."""

    summary: Summary
    disagreeing: list[str]
    listed: dict[str, list[tuple[int, str]]]  # per choice of SHOWS, the (entry id, code) of its samples by code
    moderators: list[ModeratorProgress]  # every listed moderator, by name


def figures_of(round_id: int) -> BoardFigures:
    """The round's ``BoardFigures``, kept (``reports.cache``: in the database for every process, with a few in each
    process's memory) under the round's change counter, which every write the board shows raises in its own
    transaction: read first, so what is computed is at least as new as the counter it is kept under, and a
    request for an unchanged round costs that read and, in a process that has not kept them, one more."""
    version = cache.version_of(("board", changes_of(db.session, [round_id])))
    return cache.computed(f"rounds/{round_id}/board", version, lambda: _figures(round_id))


def _pages(total: int, per_page: int, asked: int) -> Paging:
    pages = max(1, math.ceil(total / per_page))
    return Paging(min(max(asked, 1), pages), pages, total, per_page)


Item = TypeVar("Item")


def _page(items: list[Item], pages: Paging) -> list[Item]:
    return items[pages.offset : pages.offset + pages.per_page]


_LIVE = Judgement.state != JudgementState.WITHDRAWN
_SUBMITTED = Judgement.state == JudgementState.SUBMITTED


def _figures(round_id: int) -> BoardFigures:
    """Two statements: the round's samples with their judgements grouped, and its moderators with theirs."""
    samples = _samples(round_id)
    complete = [s for s in samples if s.allocated > 0 and s.submitted == s.allocated]
    disagree = [s for s in complete if s.lowest is not None and s.highest is not None and s.lowest != s.highest]
    being_judged = [s for s in samples if s.allocated > 0 and s.submitted < s.allocated]
    summary = Summary(
        samples=len(samples),
        judgements=sum(s.allocated for s in samples),
        submitted=sum(s.submitted for s in samples),
        complete=len(complete),
        disagreeing=len(disagree),
        being_judged=len(being_judged),
    )
    listed = {
        "all": [s.listed for s in samples],
        "disagree": [s.listed for s in disagree],
        "judging": [s.listed for s in being_judged],
    }
    return BoardFigures(
        summary, [code for _, code in listed["disagree"][:DISAGREEING_NAMED]], listed, _moderators(round_id)
    )


@dataclass(frozen=True)
class _Sample:
    listed: tuple[int, str]  # its entry id and blind code
    allocated: int  # judgements not withdrawn
    submitted: int
    lowest: int | None  # the lowest and highest id of the standards its submitted judgements give: compared, never
    highest: int | None  # read (they differ when the moderators disagree, which costs less than counting them)


def _samples(round_id: int) -> list[_Sample]:
    """A row per entry of the round, by blind code, grouping the round's judgements once."""
    statement = (
        select(
            RoundEntry.id,
            RoundEntry.blind_code,
            func.count(Judgement.id),
            func.count(case((_SUBMITTED, 1))),
            func.min(case((_SUBMITTED, Judgement.standard_id))),
            func.max(case((_SUBMITTED, Judgement.standard_id))),
        )
        .select_from(RoundEntry)
        .outerjoin(Judgement, and_(Judgement.entry_id == RoundEntry.id, _LIVE))
        .where(RoundEntry.round_id == round_id)
        .group_by(RoundEntry.id)  # the key: the code depends on it
        .order_by(RoundEntry.blind_code)
    )
    return [
        _Sample((entry_id, code), allocated, submitted, lowest, highest)
        for entry_id, code, allocated, submitted, lowest, highest in db.session.execute(statement).tuples()
    ]


def _moderators(round_id: int) -> list[ModeratorProgress]:
    """The round's moderators the board lists, by name, with their live judgements counted: those still active, and
    any who dropped out with work left (judgements are made only for the round's moderators). The round's
    judgements are counted per moderator first, then joined to its moderators (joining its moderators to its
    judgements before grouping took PostgreSQL 0.9 s at 5,000 samples)."""
    work = (
        select(
            Judgement.moderator_id,
            func.count().label("allocated"),
            func.count(case((_SUBMITTED, 1))).label("submitted"),
        )
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .where(RoundEntry.round_id == round_id, _LIVE)
        .group_by(Judgement.moderator_id)
        .subquery()
    )
    allocated, submitted = func.coalesce(work.c.allocated, 0), func.coalesce(work.c.submitted, 0)
    statement = (
        select(User.display_name, allocated, submitted)
        .select_from(RoundModerator)
        .join(User, RoundModerator.user_id == User.id)
        .outerjoin(work, work.c.moderator_id == RoundModerator.user_id)
        .where(RoundModerator.round_id == round_id, or_(RoundModerator.active, allocated > 0))
        .order_by(func.lower(User.display_name), User.id)
    )
    return [ModeratorProgress(*row) for row in db.session.execute(statement).tuples()]


def _sample_page(shown: list[tuple[int, str]]) -> list[SampleProgress]:
    """The samples on the page, each with its judgements, read in one query."""
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
