"""The sweep against a real queue, on SQLite and on Redis, with no worker: jobs wait in the queue until a test
runs them as a worker would. A run the queue holds (waiting, waiting to retry, or running in a worker) is
left alone; a run it lost is queued again, with the retries its file or page has left. Only one worker sweeps
at a time.
"""

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey import Huey
from huey.utils import normalize_time
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.jobs.queue import RunningRecord, running_key
from moderation_hub.samples.models import FileStatus, SourceFile, WorkSample
from moderation_hub.samples.processing import requeue_stale_work
from tests.conftest import build_test_app, sign_in
from tests.factories import World
from tests.functional.samples.test_stale_work import grow_stale, requeue_stale
from tests.functional.samples.test_uploads import upload
from tests.unit.ingestion import samples as files

NOTHING = ["Nothing was waiting for a job the queue had lost."]


@pytest.fixture(params=["sqlite", "redis"])
def app(request: pytest.FixtureRequest, connection: Connection, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The suite's app, its jobs queued in a SQLite file or in Redis (a queue name of its own) and left there."""
    settings: dict[str, object] = {"JOB_IMMEDIATE": False}
    if request.param == "redis":
        settings |= {"REDIS_URL": request.getfixturevalue("redis_url"), "JOB_QUEUE_NAME": f"mh_{uuid.uuid4().hex[:12]}"}
    app = build_test_app(connection, database_url, tmp_path, **settings)
    with app.app_context():
        yield app
    app.extensions["jobs"].huey.flush()


def _huey(app: Flask) -> Huey:
    return app.extensions["jobs"].huey


def _work_off(app: Flask) -> None:
    """Run every queued job, as a worker would."""
    huey = _huey(app)
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def _uploaded(client: FlaskClient, world: World, sample: WorkSample, session: Session) -> SourceFile:
    """The essay uploaded, its job queued, and its upload older than INGEST_STALE_MINUTES."""
    sign_in(client, world.teacher_a.email)
    assert upload(client, sample, ("essay.pdf", files.essay_pdf())).status_code == 302
    [source] = sample.files
    grow_stale(source, session)
    return source


def test_a_job_the_queue_holds_is_left_alone_and_one_it_lost_is_queued_again(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    source = _uploaded(client, world, sample_a, session)
    assert requeue_stale(app) == NOTHING

    _huey(app).flush()  # the queue's messages lost
    five_past, six_past = (dt.datetime(2026, 1, 5, 9, minute, tzinfo=dt.UTC) for minute in (5, 6))
    [sweep] = _huey(app).read_periodic(five_past)  # the worker's sweep, every five minutes
    assert _huey(app).read_periodic(six_past) == []
    _huey(app).execute(sweep)
    _work_off(app)

    session.expire_all()
    assert source.status is FileStatus.READY
    assert [page.position for page in sample_a.pages] == [0, 1]
    assert requeue_stale(app) == NOTHING


def test_a_job_waiting_to_retry_or_running_is_left_alone_until_its_worker_is_long_gone(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    source = _uploaded(client, world, sample_a, session)
    huey = _huey(app)
    task = huey.dequeue()
    task.eta = normalize_time(delay=60, utc=huey.utc)  # its attempt failed; it waits to be tried again
    huey.add_schedule(task)
    assert requeue_stale(app) == NOTHING

    huey.flush()
    huey.put(running_key(4242), RunningRecord(huey.serialize_task(task), time.time()))
    assert requeue_stale(app) == NOTHING

    # A worker that stopped with its machine leaves its record: past the job's time limit, it is not running.
    huey.put(running_key(4242), RunningRecord(huey.serialize_task(task), time.time() - task.timeout - 1))
    assert requeue_stale(app) == [f"Queued file {source.id} again."]


def test_a_job_queued_again_has_only_the_retries_its_file_has_left(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    source = _uploaded(client, world, sample_a, session)
    _huey(app).flush()
    source.attempts = 2  # of three: the first and JOB_RETRIES (2) more
    session.flush()

    assert requeue_stale(app) == [f"Queued file {source.id} again."]
    [task] = _huey(app).pending()
    assert (task.args, task.retries) == (("moderation_hub.samples.processing:process_source_file", (source.id,)), 0)


def test_a_page_queued_again_has_only_the_retries_it_has_left_and_a_failed_one_is_left_alone(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    _uploaded(client, world, sample_a, session)
    _work_off(app)
    session.expire_all()
    first, second = sample_a.pages
    first.images_outdated, first.remake_attempts = True, 1  # of three; its job lost with the queue
    second.images_outdated, second.remake_attempts, second.remake_failure = True, 3, "it took too long. To try again"
    session.flush()

    assert requeue_stale(app) == [f"Queued new images of page {first.id} again."]
    [task] = _huey(app).pending()
    assert (task.args, task.retries) == (("moderation_hub.samples.processing:remake_page_images", (first.id,)), 1)
    assert requeue_stale(app) == NOTHING  # now in the queue's hands


def test_a_sweep_is_skipped_while_another_workers_sweep_runs(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    source = _uploaded(client, world, sample_a, session)
    _huey(app).flush()  # the queue's messages lost
    five_past = dt.datetime(2026, 1, 5, 9, 5, tzinfo=dt.UTC)
    lock = _huey(app).lock_task(requeue_stale_work.name)
    lock.acquire()  # another machine's worker is sweeping

    [sweep] = _huey(app).read_periodic(five_past)
    _huey(app).execute(sweep)
    assert _huey(app).pending() == []

    lock.release()
    [sweep] = _huey(app).read_periodic(five_past)
    _huey(app).execute(sweep)
    [task] = _huey(app).pending()
    assert task.args == ("moderation_hub.samples.processing:process_source_file", (source.id,))


def test_the_command_sweeps_under_the_workers_lock(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    source = _uploaded(client, world, sample_a, session)
    _huey(app).flush()  # the queue's messages lost
    lock = _huey(app).lock_task(requeue_stale_work.name)
    lock.acquire()  # a worker is sweeping

    refused = app.test_cli_runner().invoke(args=["samples", "requeue-stale"])
    assert refused.exit_code == 1
    assert "A worker is sweeping now: nothing was done." in refused.output
    assert _huey(app).pending() == []

    lock.release()
    assert requeue_stale(app) == [f"Queued file {source.id} again."]
    assert not lock.is_locked()  # released again once the command's sweep committed
