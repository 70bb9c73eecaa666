"""One school's heavy files cannot hold the workers: each school has at most ``INGEST_FILES_PER_SCHOOL`` files in
the queue, the rest wait in the database for their turn, and a file that runs out of rendering time fails at once,
with the reason, instead of holding a worker for two more attempts; so does one that runs out of memory.

Against a real queue (a SQLite file or Redis) with no worker: the test runs the jobs one by one, as a worker
takes them, so the order in which schools are served is what is checked. The real sandbox renders, under a
one-second limit.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey import Huey
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.samples.models import FileStatus, SourceFile, WorkSample
from moderation_hub.samples.processing import TOO_LARGE_TO_RENDER, TOO_SLOW_TO_RENDER, process_source_file
from moderation_hub.samples.services import SampleDetails, create_sample
from tests.conftest import build_test_app, https_client, sign_in
from tests.factories import World
from tests.functional.samples.test_stale_work import grow_stale, requeue_stale
from tests.functional.samples.test_uploads import upload
from tests.unit.ingestion import samples as files


@pytest.fixture(params=["sqlite", "redis"])
def app(request: pytest.FixtureRequest, connection: Connection, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The suite's app with one file per school in the queue, its jobs left in a SQLite file or in Redis."""
    settings: dict[str, object] = {"JOB_IMMEDIATE": False, "INGEST_FILES_PER_SCHOOL": 1, "INGEST_FILE_SECONDS": 1}
    if request.param == "redis":
        settings |= {"REDIS_URL": request.getfixturevalue("redis_url"), "JOB_QUEUE_NAME": f"mh_{uuid.uuid4().hex[:12]}"}
    app = build_test_app(connection, database_url, tmp_path, **settings)
    with app.app_context():
        yield app
    app.extensions["jobs"].huey.flush()


@pytest.fixture
def sample_b(world: World, ks2_writing: Framework) -> WorkSample:
    """A draft Year 6 sample at school B."""
    return create_sample(world.school_b, ks2_writing, SampleDetails("Y6-101", 6, 2025), world.teacher_b)


def _huey(app: Flask) -> Huey:
    return app.extensions["jobs"].huey


def _queued(app: Flask) -> list[int]:
    """The files the queue holds, in the order workers will take them."""
    tasks = _huey(app).pending()
    assert {task.args[0] for task in tasks} <= {process_source_file.name}
    return [task.args[1][0] for task in tasks]


def _run_next(app: Flask, session: Session) -> None:
    """A worker takes the next job and runs it."""
    huey = _huey(app)
    huey.execute(huey.dequeue())
    session.expire_all()


def _upload_as(app: Flask, email: str, sample: WorkSample, *named: tuple[str, bytes]) -> None:
    client = https_client(app)
    sign_in(client, email)
    assert upload(client, sample, *named).status_code == 302


def test_another_schools_upload_is_served_while_heavy_files_wait_and_time_out_once_for_good(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, sample_b: WorkSample, session: Session
) -> None:
    heavy = files.slow_pdf()  # passes the upload check; its one page takes MuPDF minutes to draw
    _upload_as(app, world.teacher_a.email, sample_a, ("heavy-1.pdf", heavy), ("heavy-2.pdf", heavy))
    _upload_as(app, world.teacher_b.email, sample_b, ("photo.jpg", files.landscape_photo()))
    heavy_1, heavy_2 = sample_a.files
    [photo] = sample_b.files
    assert _queued(app) == [heavy_1.id, photo.id]  # school A's second file waits for its turn

    _run_next(app, session)
    assert (heavy_1.status, heavy_1.attempts) == (FileStatus.FAILED, 1)
    assert heavy_1.failure_reason == f"“heavy-1.pdf” could not be processed: {TOO_SLOW_TO_RENDER}."
    assert _huey(app).scheduled() == []  # no retry of the time-out
    assert _queued(app) == [photo.id, heavy_2.id]  # A's next file joins the queue behind B's

    _run_next(app, session)
    assert photo.status is FileStatus.READY
    assert len(sample_b.pages) == 1

    _run_next(app, session)
    assert (heavy_2.status, heavy_2.attempts) == (FileStatus.FAILED, 1)
    assert _queued(app) == []
    assert _huey(app).scheduled() == []
    assert sample_a.pages == []

    sign_in(client, world.teacher_a.email)
    page = client.get(f"/samples/{sample_a.id}").get_data(as_text=True)
    assert "its pages took too long to make, and would again if it were tried again" in page


def test_a_file_that_needs_more_memory_than_allowed_fails_once_for_good(
    app: Flask, world: World, sample_a: WorkSample, session: Session
) -> None:
    app.config["INGEST_MEMORY_MB"] = 16  # the suite's limit is generous; this file needs about 108 MB to draw
    _upload_as(app, world.teacher_a.email, sample_a, ("poster.pdf", files.memory_hungry_pdf()))
    [poster] = sample_a.files
    _run_next(app, session)
    assert (poster.status, poster.attempts) == (FileStatus.FAILED, 1)
    assert poster.failure_reason == f"“poster.pdf” could not be processed: {TOO_LARGE_TO_RENDER}."
    assert _huey(app).scheduled() == []  # not retried: it would need the same memory again
    assert _queued(app) == []
    assert sample_a.pages == []


def _pending(sample: WorkSample, count: int) -> list[SourceFile]:
    """``count`` files uploaded to the sample, none processed: the first queued, the others waiting their turn."""
    sources = [
        SourceFile(
            school_file_name=f"scan-{number}.pdf",
            kind="pdf",
            byte_size=1000,
            sha256=f"{number:064d}",
            page_count=1,
            upload_key=f"never-stored-{number}",
        )
        for number in range(count)
    ]
    sample.files.extend(sources)
    return sources


def test_the_sweep_queues_a_lost_file_again_but_leaves_the_waiting_ones_to_their_turn(
    app: Flask, sample_a: WorkSample, session: Session
) -> None:
    first, second, third = _pending(sample_a, 3)
    session.flush()
    grow_stale(first, session)  # queued 11 minutes ago, and its job lost with the queue
    assert requeue_stale(app) == [f"Queued file {first.id} again."]
    session.expire_all()
    assert _queued(app) == [first.id]
    assert (second.queued_at, third.queued_at) == (None, None)

    app.config["INGEST_FILES_PER_SCHOOL"] = 2  # raised: the school has room for one more
    assert requeue_stale(app) == [f"Queued file {second.id}: its school had room in the queue."]
    session.expire_all()
    assert _queued(app) == [first.id, second.id]
    assert third.queued_at is None
