"""The meeting board: who has judged what, what is left, and which samples the moderators disagree on.

It is shown on a projector while moderators judge, so it names samples by their blind code only and never
shows a standard: a sample is flagged when its moderators' standards differ, once all of them have
submitted. It is polled every few seconds while dozens of people judge, so what it sends is bounded
whatever the size of the round: the round's totals, counted in SQL, and one page of moderators and one of
samples (all of them, those the moderators disagree on, or those still being judged). It is built from a
handful of queries of plain columns, never loads a school or a sample, and never reads every judgement
into Python.
"""

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)

from moderation_hub.accounts.models import User
from moderation_hub.db import db
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
    submit, and a projector left on an emptied page should not go blank)."""
    view = view or BoardView()
    summary, disagreeing, shown = _samples(round_.id, view)
    sample_pages = _pages(summary.count_of(view.show), SAMPLES_PER_PAGE, view.page)
    listed = _listed_moderator(round_.id)
    moderator_total = db.session.scalar(select(func.count()).select_from(RoundModerator).where(listed)) or 0
    moderator_pages = _pages(moderator_total, MODERATORS_PER_PAGE, view.moderators_page)
    return Board(
        summary=summary,
        disagreeing=disagreeing,
        moderators=_moderator_page(round_.id, listed, moderator_pages),
        moderator_pages=moderator_pages,
        show=view.show,
        samples=_sample_page(shown),
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


def _pages(total: int, per_page: int, asked: int) -> Paging:
    pages = max(1, math.ceil(total / per_page))
    return Paging(min(max(asked, 1), pages), pages, total, per_page)


_LIVE = Judgement.state != JudgementState.WITHDRAWN
_SUBMITTED = Judgement.state == JudgementState.SUBMITTED


def _per_sample(round_id: int) -> CTE:
    """A row per entry of the round: its judgements that are not withdrawn, those submitted, and the lowest and
    highest id of the standards those give (compared, never read: they differ when the moderators disagree,
    which costs less than counting distinct ids). Materialised: ``_samples`` reads it four times but scans the
    round's judgements once."""
    return (
        select(
            RoundEntry.id.label("entry_id"),
            RoundEntry.blind_code.label("code"),
            func.count(Judgement.id).label("allocated"),
            func.count(case((_SUBMITTED, 1))).label("submitted"),
            func.min(case((_SUBMITTED, Judgement.standard_id))).label("lowest"),
            func.max(case((_SUBMITTED, Judgement.standard_id))).label("highest"),
        )
        .select_from(RoundEntry)
        .outerjoin(Judgement, and_(Judgement.entry_id == RoundEntry.id, _LIVE))
        .where(RoundEntry.round_id == round_id)
        .group_by(RoundEntry.id)  # the key: the code depends on it, and the group needs no second sort
        .cte("per_sample")
        .prefix_with("MATERIALIZED")  # PostgreSQL 12+ and SQLite 3.35+; both would inline it otherwise
    )


def _complete(per_sample: CTE) -> ColumnElement[bool]:
    return and_(per_sample.c.allocated > 0, per_sample.c.submitted == per_sample.c.allocated)


def _disagree(per_sample: CTE) -> ColumnElement[bool]:
    return and_(_complete(per_sample), per_sample.c.lowest != per_sample.c.highest)


def _being_judged(per_sample: CTE) -> ColumnElement[bool]:
    return and_(per_sample.c.allocated > 0, per_sample.c.submitted < per_sample.c.allocated)


# The samples each choice of SHOWS lists.
_SHOWN = {"all": lambda _: true(), "disagree": _disagree, "judging": _being_judged}

# The parts of _samples' answer, each row tagged with the part it belongs to.
_TOTALS, _DISAGREEING, _SHOWN_PAGE = 0, 1, 2


def _samples(round_id: int, view: BoardView) -> tuple[Summary, list[str], list[tuple[int, str]]]:
    """The round's totals, the first DISAGREEING_NAMED codes the moderators disagree on, and the (entry id,
    code) of the samples on the page ``view`` asks for (the last, if it asks for a page past it): one statement,
    which groups the round's judgements once."""
    per_sample = _per_sample(round_id)
    totals = select(
        literal(_TOTALS).label("part"),
        cast(null(), Integer).label("entry_id"),
        cast(null(), String).label("code"),
        func.count().label("samples"),
        func.coalesce(func.sum(per_sample.c.allocated), 0),
        func.coalesce(func.sum(per_sample.c.submitted), 0),
        func.count(case((_complete(per_sample), 1))),
        func.count(case((_disagree(per_sample), 1))),
        func.count(case((_being_judged(per_sample), 1))),
    ).select_from(per_sample)
    disagreeing = _codes(per_sample, _disagree(per_sample), DISAGREEING_NAMED, literal(0)).subquery()
    shown = _SHOWN[view.show](per_sample)
    page = _codes(per_sample, shown, SAMPLES_PER_PAGE, _offset(per_sample, shown, view.page)).subquery()
    no_totals = [cast(null(), Integer)] * 6
    statement = union_all(
        totals,
        select(literal(_DISAGREEING), disagreeing.c.entry_id, disagreeing.c.code, *no_totals),
        select(literal(_SHOWN_PAGE), page.c.entry_id, page.c.code, *no_totals),
    ).order_by(literal_column("part"), literal_column("code"))
    rows = db.session.execute(statement).tuples().all()
    summary = Summary(*(int(value) for value in rows[0][3:]))
    return (
        summary,
        [code for part, _, code, *_ in rows if part == _DISAGREEING],
        [(entry_id, code) for part, entry_id, code, *_ in rows if part == _SHOWN_PAGE],
    )


def _codes(per_sample: CTE, condition: ColumnElement[bool], limit: int, offset: ColumnElement[int]) -> Select[Any]:
    return (
        select(per_sample.c.entry_id, per_sample.c.code)
        .where(condition)
        .order_by(per_sample.c.code)
        .limit(limit)
        .offset(offset)
    )


def _offset(per_sample: CTE, shown: ColumnElement[bool], asked: int) -> ColumnElement[int]:
    """Where the page asked for starts, or the last page if it asks for one past it, as ``_pages`` numbers them."""
    count = select(func.count()).select_from(per_sample).where(shown).scalar_subquery()
    last = case((count == 0, 0), else_=(count - 1) // SAMPLES_PER_PAGE * SAMPLES_PER_PAGE)
    wanted = (max(asked, 1) - 1) * SAMPLES_PER_PAGE
    return case((last < wanted, last), else_=wanted)


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

    # Their live judgements in this round, joined once for the whole page (a correlated count per moderator led
    # PostgreSQL to scan the round's entries once per moderator).
    work = (
        select(Judgement.moderator_id, Judgement.state)
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .where(RoundEntry.round_id == round_id, Judgement.moderator_id.in_(select(page.c.user_id)), _LIVE)
        .subquery()
    )
    statement = (
        select(
            page.c.display_name,
            func.count(work.c.moderator_id),
            func.count(case((work.c.state == JudgementState.SUBMITTED, 1))),
        )
        .select_from(page)
        .outerjoin(work, work.c.moderator_id == page.c.user_id)
        .group_by(page.c.user_id, page.c.display_name)
        .order_by(func.lower(page.c.display_name), page.c.user_id)
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
