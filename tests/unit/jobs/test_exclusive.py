"""An exclusive periodic job runs one run at a time across every worker sharing the queue, on the SQLite queue
and on the local Redis: each app here stands for a worker machine, and runs the job as its worker would.
"""

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from huey import Huey
from huey.api import Task

from moderation_hub import create_app
from moderation_hub.jobs import Job, periodic_job
from moderation_hub.jobs import queue as jobs_queue

WAIT_SECONDS = 10
FIVE_PAST = dt.datetime(2026, 1, 5, 9, 5, tzinfo=dt.UTC)

# What the job below saw, and what lets its runs finish; reset before each test.
runs = {"started": 0, "running": 0, "most_at_once": 0}
release = threading.Event()
counting = threading.Lock()


def hold_until_released() -> None:
    """A run that takes as long as the test wants, counting how many run at once."""
    with counting:
        runs["started"] += 1
        runs["running"] += 1
        runs["most_at_once"] = max(runs["most_at_once"], runs["running"])
    try:
        assert release.wait(WAIT_SECONDS), "the test never released the run"
    finally:
        with counting:
            runs["running"] -= 1


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> Job:
    """``hold_until_released`` declared an exclusive periodic job, for the apps of this test only."""
    runs.update(started=0, running=0, most_at_once=0)
    release.clear()
    monkeypatch.setattr(jobs_queue, "_JOBS", dict(jobs_queue._JOBS))
    monkeypatch.setattr(jobs_queue, "_PERIODIC", dict(jobs_queue._PERIODIC))
    return periodic_job(minutes=5, exclusive=True)(hold_until_released)


@pytest.fixture(params=["sqlite", "redis"])
def machines(request: pytest.FixtureRequest, declared: Job, tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    """Two apps, as on two worker machines, sharing one queue: a SQLite file, or a queue in Redis."""
    settings: dict[str, object] = {
        "ENVIRONMENT": "testing",
        "SECRET_KEY": "test",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "REDIS_URL": None,
        "JOB_DATABASE": str(tmp_path / "jobs.sqlite3"),
        "JOB_IMMEDIATE": False,
        "JOB_QUEUE_NAME": f"mh_test_{uuid.uuid4().hex[:12]}",
    }
    if request.param == "redis":
        settings["REDIS_URL"] = request.getfixturevalue("redis_url")
    apps = create_app(settings), create_app(settings)
    yield apps
    release.set()
    _huey(apps[0]).flush()  # the queue's tasks and locks


def _huey(app: Flask) -> Huey:
    return app.extensions["jobs"].huey


def _periodic_run(app: Flask, declared: Job) -> Task:
    """The run of the job the worker's scheduler queues at five past the hour."""
    [task] = [task for task in _huey(app).read_periodic(FIVE_PAST) if task.name == f"periodic {declared.name}"]
    return task


def _run_in_thread(app: Flask, declared: Job) -> threading.Thread:
    thread = threading.Thread(target=_huey(app).execute, args=(_periodic_run(app, declared),))
    thread.start()
    return thread


def _wait_until(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_SECONDS} s for {what}"
        time.sleep(0.01)


def test_a_run_that_finds_another_running_on_any_machine_is_skipped(
    machines: tuple[Flask, Flask], declared: Job
) -> None:
    first_machine, second_machine = machines
    first = _run_in_thread(first_machine, declared)
    _wait_until("the first run to start", lambda: runs["started"] == 1)

    _huey(second_machine).execute(_periodic_run(second_machine, declared))  # returns at once: skipped
    _huey(first_machine).execute(_periodic_run(first_machine, declared))  # so does one on the same machine

    assert runs == {"started": 1, "running": 1, "most_at_once": 1}
    release.set()
    first.join(WAIT_SECONDS)
    assert not first.is_alive()
    _huey(second_machine).execute(_periodic_run(second_machine, declared))  # the lock was released: it runs
    assert runs == {"started": 2, "running": 0, "most_at_once": 1}


def test_a_lock_left_by_a_run_whose_worker_died_is_taken_over_after_the_time_limit(
    machines: tuple[Flask, Flask], declared: Job, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_machine, second_machine = machines
    release.set()  # runs finish at once
    _huey(first_machine).lock_task(declared.name).acquire()  # taken by a run whose worker was then killed

    _huey(second_machine).execute(_periodic_run(second_machine, declared))
    assert runs["started"] == 0  # it may still be running: skipped

    time_limit = second_machine.config["JOB_TIMEOUT_SECONDS"]
    later = time.time() + time_limit + 1
    monkeypatch.setattr(jobs_queue, "time", SimpleNamespace(time=lambda: later))  # the queue's clock only
    _huey(second_machine).execute(_periodic_run(second_machine, declared))

    assert runs["started"] == 1
    assert not _huey(first_machine).is_locked(declared.name)  # released after its run
