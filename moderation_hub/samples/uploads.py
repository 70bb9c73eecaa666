"""Accepting an uploaded file into a sample, while the teacher waits.

The file is checked (in a sandboxed process, unless it is a photo whose check only reads bytes: PyMuPDF
never runs in a web thread), stored under a random key, and queued for the worker in its school's turn.
A refused file leaves nothing: no row, no stored object, no temporary file (the bytes never touch the disk
before they are accepted).
"""

from flask import current_app
from sqlalchemy import select

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.ingestion.errors import RejectedFile, display_name
from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.inspect import FileFacts, inspect_file, inspect_in_thread
from moderation_hub.ingestion.limits import MB, IngestLimits
from moderation_hub.ingestion.sandbox import JobError, run_isolated
from moderation_hub.organisations.models import School
from moderation_hub.samples.models import SampleState, SourceFile, WorkSample
from moderation_hub.samples.processing import ingest_limits, start_waiting_files
from moderation_hub.samples.services import SampleLockedError
from moderation_hub.storage import storage

CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.HEIC: "image/heic",
}


def accept_upload(sample: WorkSample, filename: str, data: bytes, author: User) -> SourceFile:
    """Check, store and queue one file; ``RejectedFile`` (naming the file) when it cannot be used."""
    if sample.state is not SampleState.DRAFT:
        raise SampleLockedError
    limits = ingest_limits()
    if len(sample.files) >= limits.max_files_per_sample:
        raise RejectedFile(filename, f"cannot be added: a sample holds at most {limits.max_files_per_sample} files")
    facts = _inspect(filename, data, limits)
    source = SourceFile(
        school_file_name=display_name(filename)[:255],
        kind=facts.kind.value,
        byte_size=facts.byte_count,
        sha256=facts.sha256,
        page_count=facts.page_count,
        upload_key=_store(data, CONTENT_TYPES[facts.kind]),
        uploaded_by_id=author.id,
    )
    sample.files.append(source)
    db.session.flush()
    record(author.id, "sample.file_uploaded", sample, source_file_id=source.id, pages=facts.page_count)
    start_waiting_files(sample.school_id)  # queued now, or after the school's earlier files
    return source


def _inspect(filename: str, data: bytes, limits: IngestLimits) -> FileFacts:
    facts = inspect_in_thread(filename, data, limits)
    if facts is not None:
        return facts
    config = current_app.config
    try:
        return run_isolated(
            inspect_file,
            filename,
            data,
            limits,
            timeout_seconds=config["INGEST_CHECK_SECONDS"],
            memory_bytes=config["INGEST_MEMORY_MB"] * MB,
        )
    except JobError as error:
        raise RejectedFile(filename, f"could not be checked: {error}") from error


def _store(data: bytes, content_type: str) -> str:
    """Store the bytes; if the request's transaction is then rolled back, delete them again."""
    files = storage()
    key = files.new_key()
    files.put(key, data, content_type)
    db.after_rollback(lambda: files.delete(key))
    return key


def remove_file(sample: WorkSample, source: SourceFile, author: User) -> None:
    """Remove an upload, its pages and every stored image of them, once the removal is committed.

    A file still waiting for the worker may go too (say, the queue was down): a job that finds its
    file gone does nothing, and one already rendering fails on the missing row and deletes its images.
    """
    if sample.state is not SampleState.DRAFT:
        raise SampleLockedError
    keys = [key for key in (source.upload_key, source.original_key) if key]
    for page in source.pages:
        keys += [page.master_key, page.display_key, page.thumbnail_key]
        sample.pages.remove(page)
    sample.files.remove(source)
    for position, page in enumerate(sample.pages):
        page.position = position
    db.session.flush()
    _delete_once_committed(keys)
    start_waiting_files(sample.school_id)  # a file removed while queued leaves its room to the next
    record(author.id, "sample.file_removed", sample, source_file_id=source.id)


def delete_kept_originals(school: School) -> int:
    """Forget every original the school keeps; their stored objects go once that is committed, never before.

    How many there were. The caller has changed the school's row, so a worker placing a file meanwhile
    (``processing._settle_upload`` locks that row) either kept its original before, and it is found here, or
    reads the new setting after.
    """
    sources = db.session.scalars(
        select(SourceFile)
        .join(SourceFile.sample)
        .where(WorkSample.school_id == school.id, SourceFile.original_key.is_not(None))
        .with_for_update(of=SourceFile)
    ).all()
    keys = [source.original_key for source in sources if source.original_key]
    for source in sources:
        source.original_key = None
    _delete_once_committed(keys)
    return len(keys)


def _delete_once_committed(keys: list[str]) -> None:
    """Delete the stored objects once the transaction that forgot them commits; never, if it rolls back."""
    if keys:
        files = storage()
        db.after_commit(lambda: [files.delete(key) for key in keys])


def duplicates_of(sample: WorkSample) -> dict[int, list[str]]:
    """For each file of the sample, the pupil codes of the school's other samples holding the same bytes."""
    hashes = {source.sha256: source.id for source in sample.files}
    rows = db.session.execute(
        select(SourceFile.sha256, WorkSample.pupil_code)
        .join(SourceFile.sample)
        .where(WorkSample.school_id == sample.school_id, SourceFile.sha256.in_(hashes), WorkSample.id != sample.id)
    )
    found: dict[int, list[str]] = {}
    for sha256, pupil_code in rows:
        found.setdefault(hashes[sha256], []).append(pupil_code)
    same_sample = {}
    for source in sample.files:
        same_sample.setdefault(source.sha256, []).append(source.id)
    for ids in same_sample.values():
        for source_id in ids[1:]:
            found.setdefault(source_id, []).append(f"{sample.pupil_code} (this sample)")
    return found
