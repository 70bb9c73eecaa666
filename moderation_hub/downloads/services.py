"""Asking for a prepared download, building it in the worker, and deleting it once it expires.

A file is built once per version of the data it shows: asking again while one is queued, being built or ready
gives the same row (the same person) or a row of one's own naming the same stored file (someone else). The
worker writes it to an unnamed temporary file, reporting progress as it goes (written at most once a second, each
write committed so the progress page sees it), then stores it and marks it ready in one commit. A failure is
recorded in words for the person who asked, never with anything anyone typed.
"""

import datetime as dt
import logging
import tempfile
import time
from typing import Any

from sqlalchemy import delete, func, select, update

from moderation_hub.accounts.models import User
from moderation_hub.db import db, utcnow
from moderation_hub.downloads.kinds import KINDS, Described, DownloadKind
from moderation_hub.downloads.models import DownloadState, PreparedDownload
from moderation_hub.jobs import JobFailure
from moderation_hub.permissions import can
from moderation_hub.rounds.paging import Paging, paging
from moderation_hub.storage import storage

logger = logging.getLogger(__name__)

KEEP_FOR = dt.timedelta(hours=24)  # a file is kept this long after it is ready (or asked for, until then)
PROGRESS_EVERY_SECONDS = 1.0  # progress is written at most this often (and when the last step is done)
PER_PAGE = 25
SWEEP_BATCH = 500  # expired rows deleted per statement by the hourly sweep

FAILED_GONE = "What it was to be made from no longer exists, or no longer has anything to show."
_TELL = "if it fails again, tell your administrator"
FAILED_TIME = f"It took longer to prepare than a worker is allowed. Try again later; {_TELL}."
FAILED_WORKER = (
    f"The worker preparing it stopped before it finished (it may have run out of memory). Try again; {_TELL}."
)
FAILED_ERROR = "Something went wrong while preparing it. Try again; " + _TELL + " ({error})."


# Asking ------------------------------------------------------------------------------------------------------


def ask(person: User, kind: DownloadKind, described: Described) -> tuple[PreparedDownload, bool]:
    """The person's download of ``kind`` for ``described``, and whether it is new (and so queued to be built).

    Their own queued, building or ready download of the same arguments and version is given back as it is (a second
    click changes nothing); someone else's ready one is shared (a row of their own naming the same stored file);
    otherwise a new one is queued, built once the request commits."""
    if described.version is not None:
        mine = _same(kind, described, PreparedDownload.requested_by_id == person.id)
        if mine is not None and mine.state is not DownloadState.FAILED:
            return mine, False
        ready = _same(kind, described, PreparedDownload.state == DownloadState.READY)
        if ready is not None:
            shared = PreparedDownload(
                requested_by_id=person.id,
                kind=kind.key,
                arguments=described.arguments,
                title=described.title[:200],
                data_version=described.version,
                state=DownloadState.READY,
                done=ready.done,
                total=ready.total,
                storage_key=ready.storage_key,
                byte_size=ready.byte_size,
                ready_at=ready.ready_at,
                expires_at=utcnow() + KEEP_FOR,
            )
            db.session.add(shared)
            db.session.flush()
            return shared, False
    download = PreparedDownload(
        requested_by_id=person.id,
        kind=kind.key,
        arguments=described.arguments,
        title=described.title[:200],
        data_version=described.version,
        expires_at=utcnow() + KEEP_FOR,
    )
    db.session.add(download)
    db.session.flush()
    from moderation_hub.downloads.jobs import build_download  # noqa: PLC0415 - the job module imports this one

    build_download.enqueue_after_commit(download.id)
    return download, True


def ask_for(person: User, key: str, arguments: dict[str, int]) -> PreparedDownload | None:
    """The person's download of the kind ``key`` for ``arguments`` (see ``ask``); None when they name nothing to
    make now (its subject gone, or nothing left in it). The caller has authorised the person for what they name."""
    kind = KINDS[key]
    subject = kind.subject(arguments)
    described = kind.describe(subject, arguments) if subject is not None else None
    if described is None:
        return None
    download, _new = ask(person, kind, described)
    return download


def _same(kind: DownloadKind, described: Described, *conditions: Any) -> PreparedDownload | None:
    """The newest unexpired download of this kind, version and arguments meeting ``conditions``. Arguments are
    compared here, not in SQL (JSON equality differs between databases): a kind and version hold a few rows."""
    statement = (
        select(PreparedDownload)
        .where(
            PreparedDownload.kind == kind.key,
            PreparedDownload.data_version == described.version,
            PreparedDownload.expires_at > utcnow(),
            *conditions,
        )
        .order_by(PreparedDownload.id.desc())
    )
    return next((row for row in db.session.scalars(statement) if row.arguments == described.arguments), None)


# Reading -----------------------------------------------------------------------------------------------------


def subject_of(download: PreparedDownload) -> Any:
    """The object the download's permission is checked against; None when it is gone (or its kind is)."""
    kind = KINDS.get(download.kind)
    return None if kind is None else kind.subject(download.arguments)


def may_read(person: User, download: PreparedDownload) -> bool:
    """Only the person who asked, and only while their permission on its object holds: checked at every look."""
    if download.requested_by_id != person.id or download.expires_at <= utcnow():
        return False
    subject = subject_of(download)
    return subject is not None and can(person, KINDS[download.kind].permission, subject)


def page_of(person: User, number: int) -> tuple[Paging, list[PreparedDownload]] | None:
    """A page of the person's unexpired downloads, newest first, in two statements; None past the last page."""
    mine = (PreparedDownload.requested_by_id == person.id, PreparedDownload.expires_at > utcnow())
    total = db.session.scalar(select(func.count()).select_from(PreparedDownload).where(*mine)) or 0
    page = paging(total, PER_PAGE, number)
    if page is None:
        return None
    statement = (
        select(PreparedDownload)
        .where(*mine)
        .order_by(PreparedDownload.created_at.desc(), PreparedDownload.id.desc())
        .limit(page.per_page)
        .offset(page.offset)
    )
    return page, list(db.session.scalars(statement))


def status_of(download: PreparedDownload) -> dict[str, Any]:
    """What the progress page's script polls for."""
    return {
        "state": download.state.value,
        "label": download.state.label,
        "done": download.done,
        "total": download.total,
        "percent": download.percent,
        "failure": download.failure,
        "size": download.byte_size,
    }


# Building, in the worker -------------------------------------------------------------------------------------


class ProgressWriter:
    """The builder's ``progress(done, total)``: each write an UPDATE committed at once (the progress page reads it
    from another process), at most once every ``PROGRESS_EVERY_SECONDS`` and when the last step is done. Committing
    also ends the build's read transaction, which on SQLite holds the database's write lock."""

    def __init__(self, download_id: int, every_seconds: float = PROGRESS_EVERY_SECONDS) -> None:
        self.download_id = download_id
        self.every_seconds = every_seconds
        self._last = -float("inf")
        self.writes = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < self.every_seconds:
            return
        self._last = now
        total = max(total, done)
        db.session.execute(
            update(PreparedDownload).where(PreparedDownload.id == self.download_id).values(done=done, total=total)
        )
        db.session.commit()
        self.writes += 1


def build(download_id: int) -> None:
    """Build the download's file and store it; a download already ready (a retry after success) is left as it is."""
    download = db.session.get(PreparedDownload, download_id)
    if download is None or download.state is DownloadState.READY:
        return
    kind = KINDS.get(download.kind)
    subject = subject_of(download)
    described = kind.describe(subject, download.arguments) if kind is not None and subject is not None else None
    if kind is None or described is None:
        _fail(download, FAILED_GONE, "gone")
        return
    # Started afresh on each attempt; the version is read before the data, so the file is never older than it.
    download.state, download.done, download.total = DownloadState.BUILDING, 0, None
    download.data_version = described.version
    arguments = dict(download.arguments)
    db.session.commit()
    with tempfile.TemporaryFile() as file:
        kind.build(arguments, file, ProgressWriter(download_id))
        size = file.tell()
        file.seek(0)
        key = storage().new_key()
        storage().put_file(key, file, kind.content_type)
    db.after_rollback(lambda: storage().delete(key))  # a file no committed row names is not kept
    download = db.session.get_one(PreparedDownload, download_id)
    now = utcnow()
    download.state, download.storage_key, download.byte_size = DownloadState.READY, key, size
    download.done = download.total = max(download.total or 0, download.done, 1)
    download.ready_at, download.expires_at = now, now + KEEP_FOR
    db.session.flush()


def record_failure(failure: JobFailure, download_id: int) -> None:
    """The build's last attempt failed: say so to the person who asked, in words of ours."""
    download = db.session.get(PreparedDownload, download_id)
    if download is None or download.state is DownloadState.READY:
        return
    if failure.error_type == "TimeLimitError":
        message = FAILED_TIME
    elif failure.error_type == "WorkerDiedError":
        message = FAILED_WORKER
    else:
        message = FAILED_ERROR.format(error=failure.error_type)
    _fail(download, message, failure.error_type)


def _fail(download: PreparedDownload, message: str, reason: str) -> None:
    download.state, download.failure = DownloadState.FAILED, message[:300]
    db.session.flush()
    logger.warning("prepared download failed", extra={"download": download.id, "kind": download.kind, "reason": reason})


# Expiry ------------------------------------------------------------------------------------------------------


def delete_expired() -> int:
    """Delete expired downloads, and each stored file no unexpired download still names; how many were deleted.

    Files go first: a failure after it leaves rows naming a missing file (a 404 if asked for, and deleted next
    hour), never a pupil's data in storage that no row names."""
    now = utcnow()
    deleted = 0
    while True:
        expired = db.session.execute(
            select(PreparedDownload.id, PreparedDownload.storage_key)
            .where(PreparedDownload.expires_at <= now)
            .limit(SWEEP_BATCH)
        ).all()
        if not expired:
            return deleted
        ids = [row.id for row in expired]
        keys = {row.storage_key for row in expired if row.storage_key}
        still_named = set(
            db.session.scalars(
                select(PreparedDownload.storage_key).where(
                    PreparedDownload.storage_key.in_(keys), PreparedDownload.id.not_in(ids)
                )
            )
        )
        for key in keys - still_named:
            storage().delete(key)
        db.session.execute(delete(PreparedDownload).where(PreparedDownload.id.in_(ids)))
        deleted += len(ids)
