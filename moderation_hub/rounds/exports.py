"""A round's records for its lead: the judgements and outcomes as CSV or XLSX, and the round's audit log.

Column names are part of the interface (LAs build spreadsheets and reports on them): they are listed in
the README and only ever added to. Every text cell that a spreadsheet would read as a formula is
neutralised (OWASP's CSV injection guidance), in both formats.
"""

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import ColumnElement, Row, Select, func, literal, select, tuple_, union_all
from sqlalchemy.orm import aliased

from moderation_hub.accounts.models import User
from moderation_hub.audit.models import AuditEvent
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import School
from moderation_hub.rounds.models import Judgement, JudgementState, ModerationRound, RoundEntry
from moderation_hub.samples.models import WorkSample

Cell = str | int | None

JUDGEMENT_COLUMNS = (
    "round_id",
    "round_name",
    "academic_year",
    "framework",
    "framework_version",
    "sample_code",
    "school_urn",
    "school_name",
    "pupil_code",
    "year_group",
    "teacher_judgement",
    "moderator_id",
    "moderator_name",
    "judgement_state",
    "moderator_standard",
    "rationale",
    "submitted_at",
    "agreed_standard",
    "agreed_rationale",
    "auto_agreed",
    "outcome_agrees_with_school",
)

AUDIT_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_name",
    "action",
    "subject_type",
    "subject_id",
    "sample_code",
    "details_json",
)

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# A spreadsheet runs a cell starting with one of these as a formula (or, for tab and CR, may shift it).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Cell) -> Cell:
    """A text cell a spreadsheet cannot run: a leading quote before a formula's first character."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def iso_utc(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


# Judgements and outcomes -----------------------------------------------------------------------------


# Samples whose rows are read per query while an export is written (about 1 KB a row, k rows a sample).
EXPORT_CHUNK_SAMPLES = 300
# A round with more judgements than this has its XLSX prepared off the request path (``downloads``): 15,000 rows
# (5,000 samples) take 3-6 s to write; this many well under a second.
DIRECT_XLSX_ROWS = 3000


def count_judgements(round_id: int) -> int:
    """How many rows the judgements export has: the round's judgements that are not withdrawn."""
    statement = (
        select(func.count())
        .select_from(Judgement)
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .where(RoundEntry.round_id == round_id, Judgement.state != JudgementState.WITHDRAWN)
    )
    return db.session.scalar(statement) or 0


def judgement_chunks(round_: ModerationRound) -> Iterator[list[list[Cell]]]:
    """One row per judgement that is not withdrawn, in JUDGEMENT_COLUMNS' order, a chunk of samples a query.

    Rows come in blind-code order (a sample's judgements in the order they were allocated). Each chunk is the
    rows of the next EXPORT_CHUNK_SAMPLES samples after the last blind code of the chunk before (keyset paging
    on the round's unique index of blind codes, not an offset), so every query reads only its own rows, and a
    caller may end its transaction between chunks: a row that exists throughout is sent exactly once.
    A judgement's standard and rationale are given once it is submitted: a draft is the moderator's
    unfinished thinking, not a judgement.
    """
    # Read now, not when the first chunk is asked for: by then the request's transaction may have ended.
    round_cells: list[Cell] = [round_.id, round_.name, round_.academic_year]
    return _judgement_chunks(round_.id, round_cells, EXPORT_CHUNK_SAMPLES)


def _judgement_chunks(round_id: int, round_cells: list[Cell], samples: int) -> Iterator[list[list[Cell]]]:
    after = ""  # comes before every blind code
    while True:
        next_codes = (
            select(RoundEntry.blind_code)
            .where(RoundEntry.round_id == round_id, RoundEntry.blind_code > after)
            .order_by(RoundEntry.blind_code)
            .limit(samples)
            .subquery()
        )
        upto = db.session.scalar(select(func.max(next_codes.c.blind_code)))
        if upto is None:
            return
        chunk = _judgements(round_id).where(RoundEntry.blind_code > after, RoundEntry.blind_code <= upto)
        if rows := [round_cells + _judgement_cells(result) for result in db.session.execute(chunk)]:
            yield rows  # none when these samples have no judgements yet
        after = upto


def _judgements(round_id: int) -> Select[Any]:
    teacher, given, agreed = aliased(Standard), aliased(Standard), aliased(Standard)
    return (
        select(
            RoundEntry.blind_code,
            School.urn,
            School.name.label("school_name"),
            WorkSample.pupil_code,
            WorkSample.year_group,
            Framework.slug.label("framework"),
            Framework.version.label("framework_version"),
            teacher.code.label("teacher_code"),
            Judgement.moderator_id,
            User.display_name.label("moderator_name"),
            Judgement.state,
            given.code.label("standard_code"),
            Judgement.rationale,
            Judgement.submitted_at,
            agreed.code.label("agreed_code"),
            RoundEntry.agreed_rationale,
            RoundEntry.auto_agreed,
            RoundEntry.agreed_standard_id,
            WorkSample.teacher_judgement_id,
        )
        .select_from(Judgement)
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .join(WorkSample, RoundEntry.sample_id == WorkSample.id)
        .join(School, RoundEntry.school_id == School.id)
        .join(Framework, WorkSample.framework_id == Framework.id)
        .join(User, Judgement.moderator_id == User.id)
        .outerjoin(teacher, WorkSample.teacher_judgement_id == teacher.id)
        .outerjoin(given, Judgement.standard_id == given.id)
        .outerjoin(agreed, RoundEntry.agreed_standard_id == agreed.id)
        .where(RoundEntry.round_id == round_id, Judgement.state != JudgementState.WITHDRAWN)
        .order_by(RoundEntry.blind_code, Judgement.id)
    )


def _judgement_cells(result: Row[Any]) -> list[Cell]:
    """The cells after the round's own three, from one row of ``_judgements``."""
    submitted = result.state is JudgementState.SUBMITTED
    decided = result.agreed_standard_id is not None
    teacher_id = result.teacher_judgement_id
    return [
        result.framework,
        result.framework_version,
        result.blind_code,
        result.urn,
        result.school_name,
        result.pupil_code,
        result.year_group,
        result.teacher_code or "",
        result.moderator_id,
        result.moderator_name,
        result.state.value,
        (result.standard_code or "") if submitted else "",
        result.rationale if submitted else "",
        iso_utc(result.submitted_at),
        result.agreed_code or "",
        result.agreed_rationale if decided else "",
        _yes_no(result.auto_agreed if decided else None),
        _yes_no(result.agreed_standard_id == teacher_id if decided and teacher_id is not None else None),
    ]


def as_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """RFC 4180 CSV (CRLF line ends); encode it as UTF-8 without a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(header)
    writer.writerows([["" if cell is None else neutralised(cell) for cell in row] for row in rows])
    return buffer.getvalue()


def write_xlsx(target: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str) -> int:
    """One sheet written to ``target``, returning how many rows (after the header) it holds; numbers stay
    numbers, text is always text (openpyxl reads '=...' as a formula otherwise).

    openpyxl's write-only mode writes each row out as it comes (to a temporary file, with its text inline, not
    in a shared-strings table), so memory stays bounded however many rows there are.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
        count += 1
    workbook.save(target)
    return count


def write_judgements_xlsx(round_id: int, target: BinaryIO, progress: Callable[[int, int], None]) -> int:
    """The judgements export as XLSX, written to ``target`` off the request path (``downloads``), reporting the rows
    written after each chunk of samples; returns how many rows it holds. The session may be committed between
    chunks (the progress is written so), which ``judgement_chunks`` allows."""
    round_ = db.session.get_one(ModerationRound, round_id)
    total = count_judgements(round_id)
    progress(0, total)

    def rows() -> Iterator[list[Cell]]:
        written = 0
        for chunk in judgement_chunks(round_):
            yield from chunk
            written += len(chunk)
            progress(written, max(total, written))

    count = write_xlsx(target, JUDGEMENT_COLUMNS, rows(), "Judgements")
    progress(count, count)
    return count


def judgements_version(round_id: int) -> str:
    """A fingerprint of everything the judgements export shows, in three queries: two files of the same fingerprint
    hold the same rows. Entries, samples, judgements and the round are versioned rows (the ORM raises ``version``
    with every UPDATE), counts and sums of ids catch rows added or removed, the newest times a row added in place of
    one removed; schools and people have no version, so their names are part of it. Frameworks never change."""
    entries = (
        select(
            func.count(),
            func.sum(RoundEntry.id),
            func.sum(RoundEntry.version),
            func.max(RoundEntry.added_at),
            func.sum(WorkSample.version),
        )
        .join(WorkSample, RoundEntry.sample_id == WorkSample.id)
        .where(RoundEntry.round_id == round_id)
    )
    judgements = (
        select(func.count(), func.sum(Judgement.id), func.sum(Judgement.version), func.max(Judgement.updated_at))
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .where(RoundEntry.round_id == round_id)
    )
    schools = select(RoundEntry.school_id).where(RoundEntry.round_id == round_id)
    moderators = select(Judgement.moderator_id).join(RoundEntry).where(RoundEntry.round_id == round_id)
    names = union_all(
        select(School.id, School.name).where(School.id.in_(schools)),
        select(-User.id, User.display_name).where(User.id.in_(moderators)),
    ).subquery()
    round_version = select(ModerationRound.version, ModerationRound.name).where(ModerationRound.id == round_id)
    fingerprint = (
        tuple(db.session.execute(round_version).one()),
        tuple(db.session.execute(entries).one()),
        tuple(db.session.execute(judgements).one()),
        tuple(db.session.execute(select(names).order_by(names.c[0])).tuples()),
    )
    return hashlib.sha256(repr(fingerprint).encode()).hexdigest()


def xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        # Control characters other than tab and line ends cannot be stored in an XLSX file.
        return neutralised(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


# The audit log ---------------------------------------------------------------------------------------

ACTION_LABELS = {
    "round.created": "Round created",
    "round.updated": "Settings changed",
    "round.state_changed": "Round moved on",
    "round.school_added": "School added",
    "round.school_removed": "School removed",
    "round.request_set": "Sample request set",
    "round.moderator_added": "Moderator added",
    "round.moderator_dropped": "Moderator dropped out",
    "round.sample_entered": "Sample entered",
    "round.sample_withdrawn": "Sample withdrawn",
    "round.sample_widened": "Sample widened",
    "round.allocated": "Samples allocated",
    "round.allocation_overridden": "Moderators of a sample changed",
    "round.entry_revealed": "Sample viewed at reveal",
    "round.entry_viewed_display": "Page viewed at reveal",
    "round.entry_viewed_thumbnail": "Page thumbnail viewed at reveal",
    "round.outcome_agreed": "Agreed outcome recorded",
    "round.outcome_auto_agreed": "Outcome agreed automatically",
    "round.exported": "Judgements exported",
    "round.audit_exported": "Audit log exported",
    "judgement.viewed": "Judgement opened",
    "judgement.viewed_display": "Page viewed while judging",
    "judgement.viewed_thumbnail": "Page thumbnail viewed while judging",
    "judgement.draft_saved": "Draft saved",
    "judgement.submitted": "Judgement submitted",
    "judgement.reopened": "Judgement reopened",
    "judgement.comment_added": "Page comment added",
    "judgement.comment_removed": "Page comment removed",
}

# Opening a judgement or looking at a page: most of a busy round's log, shown only when asked for.
VIEW_ACTIONS = frozenset(
    {
        "judgement.viewed",
        "judgement.viewed_display",
        "judgement.viewed_thumbnail",
        "round.entry_revealed",
        "round.entry_viewed_display",
        "round.entry_viewed_thumbnail",
    }
)

AUDIT_PAGE_SIZE = 100
AUDIT_CHUNK = 1000  # events read per query while the log downloads


@dataclass(frozen=True)
class Change:
    """One changed value of an event's before and after; ``name`` is empty when the whole value changed."""

    name: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: dt.datetime
    actor_id: int | None
    actor_name: str
    action: str
    subject_type: str
    subject_id: int
    sample_code: str
    judgement_of: str  # the moderator whose judgement the event is about, if it is about one
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def changes(self) -> list[Change]:
        return changes(self.details)

    @property
    def other_details(self) -> dict[str, Any]:
        return {key: value for key, value in self.details.items() if key not in ("before", "after")}

    def csv_cells(self) -> list[Cell]:
        return [
            iso_utc(self.occurred_at),
            self.actor_id,
            self.actor_name,
            self.action,
            self.subject_type,
            self.subject_id,
            self.sample_code,
            json.dumps(self.details, sort_keys=True, ensure_ascii=False, default=str),
        ]


def _in_log(round_id: int, with_views: bool = True) -> list[ColumnElement[bool]]:
    """The round's events (on the round, its entries or its judgements: ``audit.round_of``), leaving out what was
    only looked at unless ``with_views``."""
    conditions = [AuditEvent.round_id == round_id]
    if not with_views:
        conditions.append(AuditEvent.action.not_in(VIEW_ACTIONS))
    return conditions


# What a row of the log is made from: plain columns, never an AuditEvent object.
_EVENT_COLUMNS = (
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.subject_type,
    AuditEvent.subject_id,
    AuditEvent.details,
    User.display_name.label("actor_name"),
)
# The log's order, as the (round_id, occurred_at, id) index holds it.
_POSITION = (AuditEvent.occurred_at, AuditEvent.id)


@dataclass(frozen=True)
class AuditPage:
    """A page of the round's log, newest first, and the events to ask for the pages beside it by (None: no page)."""

    rows: list[AuditRow]
    newer: int | None  # ``after=`` this event: the page of newer events
    older: int | None  # ``before=`` this event: the page of older events


def audit_page(
    round_id: int,
    with_views: bool = True,
    before: int | None = None,
    after: int | None = None,
    per_page: int = AUDIT_PAGE_SIZE,
) -> AuditPage | None:
    """The newest events of the round's log, or those just older than the event ``before`` or just newer than
    ``after``: read in order from the (round_id, occurred_at, id) index, ``per_page`` and one more (to know whether
    there are more), so a page deep in a long log costs what the first does (keyset paging, no OFFSET). None when the
    event asked from is not in the round's log."""
    conditions = _in_log(round_id, with_views)
    from_event = before if before is not None else after
    if from_event is not None:
        at = _position_of(round_id, from_event)
        if at is None:
            return None
        conditions.append(tuple_(*_POSITION) < at if before is not None else tuple_(*_POSITION) > at)
    newest_first = after is None
    statement = (
        select(*_EVENT_COLUMNS)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .where(*conditions)
        .order_by(*(column.desc() if newest_first else column for column in _POSITION))
        .limit(per_page + 1)
    )
    events = db.session.execute(statement).all()
    more = len(events) > per_page
    events = events[:per_page] if newest_first else events[:per_page][::-1]
    rows = _rows(round_id, events)
    if not rows:
        return AuditPage(rows, None, None)
    if newest_first:
        return AuditPage(rows, rows[0].id if before is not None else None, rows[-1].id if more else None)
    return AuditPage(rows, rows[0].id if more else None, rows[-1].id)


def _position_of(round_id: int, event_id: int) -> ColumnElement[Any] | None:
    statement = select(*_POSITION).where(AuditEvent.id == event_id, AuditEvent.round_id == round_id)
    row = db.session.execute(statement).one_or_none()
    if row is None:
        return None
    return tuple_(literal(row.occurred_at, AuditEvent.occurred_at.type), literal(row.id, AuditEvent.id.type))


def audit_chunk(round_id: int, after: tuple[dt.datetime, int] | None = None, size: int = AUDIT_CHUNK) -> list[AuditRow]:
    """The round's log in the order it happened, ``size`` events from just after the event at ``after`` (the time
    and id of the last one read; None: from the start): each chunk is one range of the index, whatever the log's
    length, so a download reads the log once."""
    conditions = _in_log(round_id)
    if after is not None:
        moment, event_id = after
        position = tuple_(literal(moment, AuditEvent.occurred_at.type), literal(event_id, AuditEvent.id.type))
        conditions.append(tuple_(*_POSITION) > position)
    statement = (
        select(*_EVENT_COLUMNS)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .where(*conditions)
        .order_by(*_POSITION)
        .limit(size)
    )
    return _rows(round_id, db.session.execute(statement).all())


def _rows(round_id: int, events: Sequence[Row[Any]]) -> list[AuditRow]:
    entry_codes, judgement_codes = _sample_codes(round_id, events)
    rows = []
    for event in events:
        if event.subject_type == Judgement.__tablename__:
            code, judgement_of = judgement_codes.get(event.subject_id, ("", ""))
        elif event.subject_type == RoundEntry.__tablename__:
            code, judgement_of = entry_codes.get(event.subject_id, ""), ""
        else:
            code, judgement_of = entry_codes.get(_entry_id_of(event), ""), ""
        rows.append(
            AuditRow(
                id=event.id,
                occurred_at=event.occurred_at,
                actor_id=event.actor_id,
                actor_name=event.actor_name or "",  # none: done by the system, or by an account since removed
                action=event.action,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                sample_code=code,
                judgement_of=judgement_of,
                details=dict(event.details or {}),
            )
        )
    return rows


def _entry_id_of(event: Row[Any]) -> int | None:
    """An event on the round about one of its samples (entered, withdrawn) names the entry in its details."""
    entry_id = (event.details or {}).get("entry_id")
    return entry_id if isinstance(entry_id, int) else None


def _sample_codes(round_id: int, events: Sequence[Row[Any]]) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    """Blind codes of the entries the events name, and of the judgements' entries with their moderators."""
    entry_ids = {event.subject_id for event in events if event.subject_type == RoundEntry.__tablename__}
    entry_ids |= {entry_id for event in events if (entry_id := _entry_id_of(event)) is not None}
    judgement_ids = {event.subject_id for event in events if event.subject_type == Judgement.__tablename__}
    entry_codes: dict[int, str] = {}
    judgement_codes: dict[int, tuple[str, str]] = {}
    if entry_ids:
        statement = select(RoundEntry.id, RoundEntry.blind_code).where(
            RoundEntry.round_id == round_id, RoundEntry.id.in_(entry_ids)
        )
        entry_codes = dict(db.session.execute(statement).tuples().all())
    if judgement_ids:
        statement = (
            select(Judgement.id, RoundEntry.blind_code, User.display_name)
            .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
            .join(User, Judgement.moderator_id == User.id)
            .where(RoundEntry.round_id == round_id, Judgement.id.in_(judgement_ids))
        )
        judgement_codes = {judgement_id: (code, name) for judgement_id, code, name in db.session.execute(statement)}
    return entry_codes, judgement_codes


def changes(details: dict[str, Any]) -> list[Change]:
    """What an event's ``before`` and ``after`` differ in: changed keys only (nested ones as 'a.b')."""
    if "before" not in details and "after" not in details:
        return []
    before, after = details.get("before"), details.get("after")
    if isinstance(before, dict | None) and isinstance(after, dict | None):
        flat_before, flat_after = _flatten(before or {}), _flatten(after or {})
        return [
            Change(name, _shown(flat_before.get(name)), _shown(flat_after.get(name)))
            for name in sorted(flat_before.keys() | flat_after.keys())
            if flat_before.get(name) != flat_after.get(name)
        ]
    return [] if before == after else [Change("", _shown(before), _shown(after))]


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat |= _flatten(value, f"{name}.")
        else:
            flat[name] = value
    return flat


def _shown(value: Any) -> str:
    if value is None or value in ("", [], {}):
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
