"""The worker's jobs: turning an uploaded file into pages, and re-making a page's images after redaction.

Rendering runs in the sandbox (a child process with time and memory limits), outside any database
transaction. A file's pages become visible together, in one short transaction at the end, so a crash
or a failed attempt never shows half a sample; the images an attempt stored are deleted when it fails.
Both jobs are idempotent and count their attempts; after the last, the file or page says why it failed.
A file that runs out of rendering time fails at once: the time is the file's own doing, not a passing fault.
Each school has at most ``INGEST_FILES_PER_SCHOOL`` files in the queue at once; its others wait in the
database for their turn (``start_waiting_files``), so one school's heavy files cannot hold every worker.
A periodic sweep queues again the work whose job the queue lost, with the attempts it has left.
"""

import datetime as dt
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field

from flask import current_app
from sqlalchemy import func, select

from moderation_hub.db import db, utcnow
from moderation_hub.ingestion.errors import RejectedFile
from moderation_hub.ingestion.geometry import Word
from moderation_hub.ingestion.jobs import ProcessedPage, RedactedPage, process_file, redact_page
from moderation_hub.ingestion.limits import MB, IngestLimits
from moderation_hub.ingestion.sandbox import (
    JobCrashed,
    JobOutOfMemory,
    JobTimedOut,
    UnexpectedJobError,
    iter_isolated,
)
from moderation_hub.jobs import Job, JobFailure, job, periodic_job
from moderation_hub.logs import logger
from moderation_hub.organisations.models import School
from moderation_hub.samples.models import FileStatus, Page, SourceFile, WorkSample
from moderation_hub.storage import FileStorage, storage


def ingest_limits() -> IngestLimits:
    config = current_app.config
    return IngestLimits(
        max_file_bytes=config["UPLOAD_MAX_FILE_MB"] * MB,
        max_pdf_pages=config["UPLOAD_MAX_PDF_PAGES"],
        max_image_pixels=config["UPLOAD_MAX_IMAGE_PIXELS"],
        max_files_per_sample=config["UPLOAD_MAX_FILES_PER_SAMPLE"],
    )


class MasterImageMissingError(Exception):
    """The page's private master image is no longer in storage, so its images cannot be made again."""


# Why a file failed, in the teacher's words. The sandbox's own messages are written for them already.
FAILURE_WORDS = {
    "WorkerDiedError": "the processing stopped part-way. Try uploading it again",
    "TimeLimitError": "it took too long to process",
}
# A file whose pages take longer to draw than INGEST_FILE_SECONDS would do so again on every attempt.
TOO_SLOW_TO_RENDER = (
    "its pages took too long to make, and would again if it were tried again. "
    "Split it into smaller files, or scan its pages at a lower resolution, and upload those"
)
# A file that needed more than INGEST_MEMORY_MB would need it again on every attempt.
TOO_LARGE_TO_RENDER = (
    "its pages needed more memory to make than one file may use, and would again if it were tried again. "
    "Scan or photograph its pages at a lower resolution, or split it into smaller files, and upload those"
)
# Why a page's redactions could not be burned in, and what the teacher can do about it.
TRY_REDACTING_AGAIN = "To try again, add or remove a redaction on this page"
REMAKE_FAILURE_WORDS = {
    "MasterImageMissingError": "the page's stored image is missing. Remove the file it came from and upload it again",
    "WorkerDiedError": f"the processing stopped part-way. {TRY_REDACTING_AGAIN}",
    "TimeLimitError": f"it took too long. {TRY_REDACTING_AGAIN}",
}
SANDBOX_ERRORS = {error.__name__ for error in (JobCrashed, JobTimedOut, JobOutOfMemory, UnexpectedJobError)}


def _in_teachers_words(failure: JobFailure, words: dict[str, str], otherwise: str) -> str:
    if failure.error_type in SANDBOX_ERRORS:
        return failure.message
    return words.get(failure.error_type, otherwise)


def _mark_failed(failure: JobFailure, source_file_id: int) -> None:
    """After the last attempt: say why, and keep nothing of the file but that message."""
    source = db.session.get(SourceFile, source_file_id)
    if source is None or source.status is FileStatus.READY:
        return
    otherwise = "a fault on our side stopped it. Try uploading it again later"
    _could_not_process(source, _in_teachers_words(failure, FAILURE_WORDS, otherwise))


@dataclass(frozen=True)
class _Upload:
    """What rendering needs of a file, read before its transaction ends."""

    source_file_id: int
    sample_id: int
    name: str
    upload_key: str


@job(on_failure=_mark_failed)
def process_source_file(source_file_id: int) -> None:
    upload = _claim(source_file_id)
    if upload is None:
        return  # removed, or already done by an earlier attempt
    # No transaction stays open while the file renders: on SQLite a transaction holds the one write
    # lock from its start, and every page view would wait for the whole render.
    db.session.commit()
    files = storage()
    try:
        data = files.get(upload.upload_key)
    except FileNotFoundError:
        source = db.session.get(SourceFile, source_file_id)
        if source is None or source.status is not FileStatus.PENDING:
            return  # another run (a duplicate job, or the demo loader) finished the file meanwhile
        raise
    stored: list[str] = []
    db.after_rollback(lambda: _delete(files, stored))  # a failed attempt leaves no images behind
    try:
        # Closing the stream stops the renderer at once if storing a page fails.
        with closing(_render(upload, data)) as rendered:
            pages = [_store_page(files, upload, processed, stored) for processed in rendered]
    except RejectedFile as error:
        _give_up(files, upload, stored, str(error))  # a bad file stays bad
        return
    except JobTimedOut:
        # Not retried: another attempt would hold a worker for the whole time limit again, for nothing.
        _give_up(files, upload, stored, _not_processed(upload.name, TOO_SLOW_TO_RENDER))
        return
    except JobOutOfMemory:
        # Not retried either: the same file needs the same memory. (A child the kernel killed because the
        # machine ran short counts here too; the teacher's upload again then works.)
        _give_up(files, upload, stored, _not_processed(upload.name, TOO_LARGE_TO_RENDER))
        return
    _finish(files, upload, pages, stored)


def _give_up(files: FileStorage, upload: _Upload, stored: list[str], reason: str) -> None:
    """Fail the file for good, without a retry, unless it was removed or finished meanwhile; its images go."""
    _delete(files, stored)
    source = db.session.get(SourceFile, upload.source_file_id, with_for_update=True)  # waits for a ``_finish``
    if source is not None and source.status is FileStatus.PENDING:
        _fail(source, reason)


def _claim(source_file_id: int) -> _Upload | None:
    source = db.session.get(SourceFile, source_file_id)
    if source is None or source.status is not FileStatus.PENDING or source.upload_key is None:
        return None
    source.attempts += 1
    return _Upload(source.id, source.sample_id, source.school_file_name, source.upload_key)


def _finish(files: FileStorage, upload: _Upload, pages: list[Page], stored: list[str]) -> None:
    """Make the pages visible, all together, unless the file was removed or finished meanwhile."""
    db.session.get(WorkSample, upload.sample_id, with_for_update=True)  # one file's pages placed at a time
    source = db.session.get(SourceFile, upload.source_file_id, with_for_update=True)
    if source is None or source.status is not FileStatus.PENDING:
        _delete(files, stored)
        return
    _place(source, pages)
    _settle_upload(files, source)
    source.status = FileStatus.READY
    logger.info("file processed", extra={"source_file_id": source.id, "pages": len(pages)})
    start_waiting_files(source.sample.school_id)


def _render(upload: _Upload, data: bytes) -> Generator[ProcessedPage, None, None]:
    """The file's pages from the sandbox; the next page is made while the caller stores this one."""
    config = current_app.config
    return iter_isolated(
        process_file,
        upload.name,
        data,
        ingest_limits(),
        timeout_seconds=config["INGEST_FILE_SECONDS"],
        memory_bytes=config["INGEST_MEMORY_MB"] * MB,
    )


def _store_page(files: FileStorage, upload: _Upload, processed: ProcessedPage, stored: list[str]) -> Page:
    derivatives = processed.redacted.derivatives
    master_key, display_key, thumbnail_key = _put_all(
        files, [processed.master, derivatives.display_jpeg, derivatives.thumbnail_jpeg], stored
    )
    # Ids, not relationships: the pages join the session together, once every page is stored.
    page = Page(
        source_file_id=upload.source_file_id,
        sample_id=upload.sample_id,
        index_in_file=processed.index,
        master_key=master_key,
    )
    _apply_redacted(page, processed.redacted, display_key, thumbnail_key)
    return page


def _apply_redacted(page: Page, redacted: RedactedPage, display_key: str, thumbnail_key: str) -> None:
    page.display_key, page.thumbnail_key = display_key, thumbnail_key
    page.width, page.height = redacted.derivatives.width, redacted.derivatives.height
    page.text = redacted.text
    page.words = [asdict(word) for word in redacted.words]


def _put_all(files: FileStorage, images: list[bytes], stored: list[str]) -> list[str]:
    """Store each JPEG under a new key, all at once: each put waits on a disk sync or a trip to S3.

    Every key is in ``stored`` before its put starts, and every put has ended when this returns or
    raises, so a failed attempt's clean-up finds and deletes whatever was written.
    """
    keys = [files.new_key() for _ in images]
    stored.extend(keys)
    with ThreadPoolExecutor(max_workers=len(images)) as pool:
        puts = [pool.submit(files.put, key, data, "image/jpeg") for key, data in zip(keys, images, strict=True)]
    for put in puts:
        put.result()  # the first failure, if any, raised here
    return keys


def _place(source: SourceFile, pages: list[Page]) -> None:
    """Add the file's pages after the sample's existing ones, all in this one transaction."""
    last = db.session.scalar(select(func.max(Page.position)).where(Page.sample_id == source.sample_id))
    start = -1 if last is None else last
    for offset, page in enumerate(pages, start=1):
        page.position = start + offset
        db.session.add(page)
    db.session.flush()


def _settle_upload(files: FileStorage, source: SourceFile) -> None:
    """Keep the upload as the school's private original if the school says so; otherwise delete it."""
    key, source.upload_key = source.upload_key, None
    # Locked: a change of the setting meanwhile waits for this file, or is read here (``delete_kept_originals``).
    school = db.session.get_one(School, source.sample.school_id, with_for_update=True)
    if school.keep_originals:
        source.original_key = key
    elif key:
        db.after_commit(lambda: files.delete(key))


def _could_not_process(source: SourceFile, reason: str) -> None:
    _fail(source, _not_processed(source.school_file_name, reason))


def _not_processed(file_name: str, reason: str) -> str:
    return f"“{file_name}” could not be processed: {reason}."


def _fail(source: SourceFile, reason: str) -> None:
    source.status = FileStatus.FAILED
    source.failure_reason = reason
    key, source.upload_key = source.upload_key, None
    if key:
        files = storage()
        db.after_commit(lambda: files.delete(key))
    logger.warning("file failed", extra={"source_file_id": source.id})
    start_waiting_files(source.sample.school_id)


def start_waiting_files(school_id: int) -> list[int]:
    """Queue the school's oldest files waiting for their turn, as many as its share of the queue has room
    for (``INGEST_FILES_PER_SCHOOL`` files queued or processing); the ids of those queued.

    Huey's queue is first come, first served: a school's sixty heavy files queued at once would run before
    another school's one photo. Held to its share, a school's heavy files hold at most that many workers,
    and another school's upload waits behind at most that many files of each school. Called wherever a file
    joins or leaves the queue's share (upload, finish, failure, removal) and by the sweep. The school's row
    is locked first, so two transactions cannot both fill the same room.
    """
    db.session.get(School, school_id, with_for_update=True)
    pending = (
        select(SourceFile)
        .join(SourceFile.sample)
        .where(WorkSample.school_id == school_id, SourceFile.status == FileStatus.PENDING)
    )
    queued = db.session.scalar(
        select(func.count()).select_from(pending.where(SourceFile.queued_at.is_not(None)).subquery())
    )
    room = current_app.config["INGEST_FILES_PER_SCHOOL"] - (queued or 0)
    if room <= 0:
        return []
    # A waiting file whose row another transaction holds is being processed (the bulk import renders files
    # itself), failed or removed: skipped, not waited for, since that transaction may be waiting for this
    # school's row, which this one holds.
    waiting = db.session.scalars(
        pending.where(SourceFile.queued_at.is_(None))
        .order_by(SourceFile.id)
        .limit(room)
        .with_for_update(skip_locked=True, of=SourceFile)
    )
    started = []
    for source in waiting:
        source.queued_at = utcnow()
        process_source_file.enqueue_after_commit(source.id)
        started.append(source.id)
    return started


def _delete(files: FileStorage, keys: list[str]) -> None:
    for key in keys:
        files.delete(key)


def _mark_remake_failed(failure: JobFailure, page_id: int) -> None:
    """After the last attempt: say why on the page, unless its images were made meanwhile."""
    page = db.session.get(Page, page_id, with_for_update=True)  # waits for a remake running meanwhile
    if page is None or not page.images_outdated:
        return
    otherwise = "a fault on our side stopped it. To try again later, add or remove a redaction on this page"
    _could_not_remake(page, _in_teachers_words(failure, REMAKE_FAILURE_WORDS, otherwise))


@job(on_failure=_mark_remake_failed)
def remake_page_images(page_id: int) -> None:
    """Burn the page's current redactions into new images from its master; the old images are deleted.

    The attempt is counted in a transaction of its own, so it counts even if the remake fails; the remake
    holds the page's row lock throughout, so a change of redactions meanwhile waits, then asks again.
    """
    if not _claim_page(page_id):
        return  # removed, or its images made by an earlier run
    db.session.commit()
    page = db.session.get(Page, page_id, with_for_update=True)  # one remake at a time per page
    if page is None or not page.images_outdated:
        return
    files = storage()
    old_keys = [page.display_key, page.thumbnail_key]
    stored: list[str] = []
    db.after_rollback(lambda: _delete(files, stored))
    redacted = redact_page(
        _master_of(files, page), [Word(**word) for word in page.words], [r.box for r in page.redactions]
    )
    # New keys, so no cache anywhere can go on serving the unredacted image under the old address.
    display_key, thumbnail_key = _put_all(
        files, [redacted.derivatives.display_jpeg, redacted.derivatives.thumbnail_jpeg], stored
    )
    _apply_redacted(page, redacted, display_key, thumbnail_key)
    page.images_outdated = False
    page.remake_failure = None  # an earlier run's failure report may have landed while this one waited
    db.session.flush()
    db.after_commit(lambda: _delete(files, old_keys))


def _claim_page(page_id: int) -> bool:
    page = db.session.get(Page, page_id, with_for_update=True)
    if page is None or not page.images_outdated:
        return False
    page.remake_attempts += 1
    return True


def _master_of(files: FileStorage, page: Page) -> bytes:
    try:
        return files.get(page.master_key)
    except FileNotFoundError:
        raise MasterImageMissingError(f"page {page.id} has no master image in storage") from None


def _could_not_remake(page: Page, reason: str) -> None:
    page.remake_failure = reason
    logger.warning("page images not remade", extra={"page_id": page.id, "attempts": page.remake_attempts})


# The sweep ----------------------------------------------------------------------------------------------


@dataclass
class Sweep:
    """What one sweep did, by id: never a file's name, which may name a pupil."""

    files_queued: list[int] = field(default_factory=list)
    files_failed: list[int] = field(default_factory=list)
    files_started: list[int] = field(default_factory=list)
    pages_queued: list[int] = field(default_factory=list)
    pages_failed: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        done = [
            *(f"Queued file {file_id} again." for file_id in self.files_queued),
            *(f"Marked file {file_id} as failed: it had used every attempt." for file_id in self.files_failed),
            *(f"Queued file {file_id}: its school had room in the queue." for file_id in self.files_started),
            *(f"Queued new images of page {page_id} again." for page_id in self.pages_queued),
            *(
                f"Marked new images of page {page_id} as failed: they had used every attempt."
                for page_id in self.pages_failed
            ),
        ]
        return done or ["Nothing was waiting for a job the queue had lost."]


def requeue_stale() -> Sweep:
    """Queue again the work whose job the queue lost (it could not be reached when the work was saved, or
    lost its messages): files still pending ``INGEST_STALE_MINUTES`` after they were queued, and pages still
    waiting for redacted images, when the queue holds no run of their job, waiting, retrying or running.
    Files waiting for their school's turn are queued if the school has room (``start_waiting_files``).

    Attempts are not renewed by the sweep: a job resumes with the retries its file or page has left, and
    one that has used them all fails with that reason; a page whose remake failed waits for the teacher.
    Safe while workers run: a run queued twice finds the work done (``_claim``, ``_claim_page``) or,
    rendering at the same time, places no page (``_finish``).
    """
    sweep = Sweep()
    _requeue_files(sweep)
    _requeue_pages(sweep)
    _start_waiting_files(sweep)
    return sweep


def _requeue_files(sweep: Sweep) -> None:
    in_hand = process_source_file.in_hand()  # read first: a run that ends meanwhile leaves its file done
    stale_after = dt.timedelta(minutes=current_app.config["INGEST_STALE_MINUTES"])
    pending = select(SourceFile).where(
        SourceFile.status == FileStatus.PENDING, SourceFile.queued_at < utcnow() - stale_after
    )
    for source in db.session.scalars(pending.order_by(SourceFile.id)):
        if (source.id,) not in in_hand:
            _resume(source, sweep)


def _requeue_pages(sweep: Sweep) -> None:
    # A page keeps no time of its last redaction, so there is no grace period: a run queued twice finds the
    # images made and does nothing.
    in_hand = remake_page_images.in_hand()
    waiting = select(Page).where(Page.images_outdated, Page.remake_failure.is_(None))
    for page in db.session.scalars(waiting.order_by(Page.id)):
        if (page.id,) not in in_hand:
            _resume_remake(page, sweep)


def _start_waiting_files(sweep: Sweep) -> None:
    """Every step that frees a school's room queues its next file itself; this catches what none did (the
    setting was raised, say)."""
    waiting = (
        select(WorkSample.school_id)
        .join(WorkSample.files)
        .where(SourceFile.status == FileStatus.PENDING, SourceFile.queued_at.is_(None))
        .distinct()
    )
    for school_id in db.session.scalars(waiting.order_by(WorkSample.school_id)).all():
        sweep.files_started += start_waiting_files(school_id)


def _resume(source: SourceFile, sweep: Sweep) -> None:
    if not _requeue_with_attempts_left(process_source_file, source.id, source.attempts, sweep.files_queued):
        _could_not_process(source, f"it was tried {source.attempts} times without finishing. Try uploading it again")
        sweep.files_failed.append(source.id)


def _resume_remake(page: Page, sweep: Sweep) -> None:
    if not _requeue_with_attempts_left(remake_page_images, page.id, page.remake_attempts, sweep.pages_queued):
        _could_not_remake(page, f"it was tried {page.remake_attempts} times without finishing. {TRY_REDACTING_AGAIN}")
        sweep.pages_failed.append(page.id)


def _requeue_with_attempts_left(lost: Job, work_id: int, attempts: int, queued: list[int]) -> bool:
    """Queue ``lost`` again for ``work_id`` with the retries its attempts so far leave; False if none are left."""
    attempts_left = lost.attempts_allowed - attempts
    if attempts_left <= 0:
        return False
    lost.enqueue_after_commit(work_id, retries=attempts_left - 1)
    queued.append(work_id)
    return True


# Exclusive: two workers' sweeps at once could each find a lost job before either queued it, and queue it twice.
@periodic_job(minutes=5, exclusive=True)
def requeue_stale_work() -> None:
    sweep = requeue_stale()
    if any(asdict(sweep).values()):
        logger.warning("stale work queued again or failed", extra=asdict(sweep))
