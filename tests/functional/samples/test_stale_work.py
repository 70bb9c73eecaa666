"""Work whose job the queue lost is queued again by the sweep (``flask samples requeue-stale``, and the
worker every five minutes): an upload saved while the queue was down gets its pages, a redaction gets its
images, and a file that has used every attempt fails with the reason instead of being queued for ever.

Jobs run where they are queued here (JOB_IMMEDIATE), so the queue never holds a job and the sweep queues
again every stale file; test_stale_work_queues.py checks that it leaves alone the jobs a real queue holds.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.db import db, utcnow
from moderation_hub.jobs.queue import JobQueue
from moderation_hub.samples import processing
from moderation_hub.samples.models import FileStatus, SourceFile, WorkSample
from moderation_hub.storage import storage
from tests.conftest import post_form, sign_in
from tests.factories import World
from tests.functional.samples.test_uploads import stored_objects, upload
from tests.unit.ingestion import samples as files


@contextmanager
def queue_down(app: Flask) -> Iterator[None]:
    """Redis refusing connections, as when it is down: every attempt to queue a job fails."""
    queue: JobQueue = app.extensions["jobs"]

    def refuse(*_args: object) -> None:
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(queue.huey, "enqueue", refuse)
        yield


def grow_stale(source: SourceFile, session: Session) -> None:
    """The file queued longer ago than INGEST_STALE_MINUTES (10)."""
    source.queued_at = utcnow() - dt.timedelta(minutes=11)
    session.flush()


def requeue_stale(app: Flask) -> list[str]:
    """Run ``flask samples requeue-stale``; the lines it printed."""
    result = app.test_cli_runner().invoke(args=["samples", "requeue-stale"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_an_upload_saved_while_the_queue_was_down_is_processed_by_the_sweep(
    app: Flask,
    client: FlaskClient,
    world: World,
    sample_a: WorkSample,
    session: Session,
) -> None:
    sign_in(client, world.teacher_a.email)
    with queue_down(app):
        assert upload(client, sample_a, ("essay.pdf", files.essay_pdf())).status_code == 302
    session.expire_all()
    [source] = sample_a.files
    assert (source.status, source.attempts, sample_a.pages) == (FileStatus.PENDING, 0, [])
    assert "Processing" in client.get(f"/samples/{sample_a.id}").get_data(as_text=True)

    assert requeue_stale(app) == ["Nothing was waiting for a job the queue had lost."]  # not stale yet
    grow_stale(source, session)
    assert requeue_stale(app) == [f"Queued file {source.id} again."]

    session.expire_all()
    assert (source.status, source.attempts) == (FileStatus.READY, 1)
    assert [page.position for page in sample_a.pages] == [0, 1]
    assert requeue_stale(app) == ["Nothing was waiting for a job the queue had lost."]


def test_a_file_that_has_used_every_attempt_fails_with_the_reason(
    app: Flask, sample_a: WorkSample, session: Session
) -> None:
    upload_key = storage().new_key()
    storage().put(upload_key, files.essay_pdf(), "application/pdf")
    source = SourceFile(
        sample_id=sample_a.id,
        school_file_name="scan.pdf",
        kind="pdf",
        byte_size=1000,
        sha256="0" * 64,
        page_count=3,
        upload_key=upload_key,
        attempts=3,  # the first attempt and JOB_RETRIES (2) more; the failure report was lost with the queue
    )
    session.add(source)
    session.flush()
    grow_stale(source, session)

    assert requeue_stale(app) == [f"Marked file {source.id} as failed: it had used every attempt."]

    session.expire_all()
    assert source.status is FileStatus.FAILED
    assert source.failure_reason == (
        "“scan.pdf” could not be processed: it was tried 3 times without finishing. Try uploading it again."
    )
    assert source.upload_key is None
    assert not storage().exists(upload_key)


def test_a_redaction_saved_while_the_queue_was_down_gets_its_images_from_the_sweep(
    app: Flask, client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    page = essay.pages[0]
    unredacted = page.display_key
    box = {"x0": "0.1", "y0": "0.1", "x1": "0.3", "y1": "0.2"}
    with queue_down(app):
        assert post_form(client, f"/pages/{page.id}/redactions", box).status_code == 302
    session.expire_all()
    assert (page.images_outdated, page.display_key) == (True, unredacted)

    assert requeue_stale(app) == [f"Queued new images of page {page.id} again."]

    session.expire_all()
    assert not page.images_outdated
    assert page.display_key != unredacted


def test_a_file_queued_again_while_a_worker_renders_it_has_its_pages_placed_once(
    app: Flask,
    client: FlaskClient,
    world: World,
    sample_a: WorkSample,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker that finishes second finds the file ready, places nothing and deletes the images it made."""
    sign_in(client, world.teacher_a.email)
    with queue_down(app):
        upload(client, sample_a, ("essay.pdf", files.essay_pdf()))
    [source] = sample_a.files
    grow_stale(source, session)
    monkeypatch.setattr(processing, "_render", _sweeping_first(app, processing._render, monkeypatch))

    processing.process_source_file.enqueue(source.id)  # renders; the sweep's run starts and finishes meanwhile

    session.expire_all()
    assert (source.status, source.attempts) == (FileStatus.READY, 2)
    assert [(page.position, page.index_in_file) for page in sample_a.pages] == [(0, 0), (1, 1)]
    keys = {key for page in sample_a.pages for key in (page.master_key, page.display_key, page.thumbnail_key)}
    assert len(stored_objects(app)) == len(keys) == 6  # the first run's images are gone


def _sweeping_first(
    app: Flask, render: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., object]:
    """``_render``, with a sweep, in a transaction of its own, queueing (and so running) the file again first."""

    def render_after_a_sweep(*args: object) -> object:
        monkeypatch.setattr(processing, "_render", render)  # the sweep's own run renders as usual
        with app.app_context(), db.transaction():
            assert processing.requeue_stale().files_queued
        return render(*args)

    return render_after_a_sweep
