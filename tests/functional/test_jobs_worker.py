"""The job queue with real workers: ``flask worker`` in a subprocess, fed by an app in this process.

Every scenario runs on the SQLite queue (one worker shared by the module) and on the local Redis (a worker
and a queue name of its own per test). Jobs write their effects to the suite's database (SQLite, or
PostgreSQL with --database=postgresql) and count their attempts in files; each test waits, for a bounded
time, until it sees them.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, text

from moderation_hub import create_app
from moderation_hub.db import build_engine, db
from moderation_hub.jobs import Job, JobFailure, job

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 20


# The jobs. Each takes the folder where it counts its attempts and a marker naming the test's effects.


def _insert(table: str, **values: object) -> None:
    columns = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    db.session.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"), values)  # noqa: S608


def _count_attempt(scratch: str, marker: str) -> int:
    with (Path(scratch) / f"{marker}.attempts").open("a+") as attempts:
        attempts.write("attempt\n")
        attempts.seek(0)
        return len(attempts.readlines())


def record_failure(failure: JobFailure, _scratch: str, marker: str) -> None:
    _insert("job_failure", marker=marker, error_type=failure.error_type, message=failure.message)


@job(retries=0)
def record(_scratch: str, marker: str) -> None:
    _insert("job_effect", marker=marker, pid=os.getpid())


@job(retries=2, retry_delay_seconds=1, on_failure=record_failure)
def succeed_on_third_attempt(scratch: str, marker: str) -> None:
    attempt = _count_attempt(scratch, marker)
    _insert("job_effect", marker=marker, pid=os.getpid())  # rolled back with each failed attempt
    if attempt < 3:
        raise RuntimeError(f"attempt {attempt} failed")


@job(retries=1, retry_delay_seconds=0, on_failure=record_failure)
def always_fail(scratch: str, marker: str) -> None:
    _count_attempt(scratch, marker)
    _insert("job_effect", marker=marker, pid=os.getpid())
    raise ValueError(f"cannot process {marker}")


@job(retries=1, retry_delay_seconds=0, on_failure=record_failure)
def kill_own_worker(scratch: str, marker: str) -> None:
    _count_attempt(scratch, marker)
    os.kill(os.getpid(), signal.SIGKILL)


@job(retries=0, timeout_seconds=1, on_failure=record_failure)
def overrun(_scratch: str, _marker: str) -> None:
    time.sleep(30)


@job(retries=0)
def hang_on_first_attempt(scratch: str, marker: str) -> None:
    if _count_attempt(scratch, marker) == 1:
        time.sleep(60)
    _insert("job_effect", marker=marker, pid=os.getpid())


@job(retries=0)
def wait_for_release(scratch: str, marker: str) -> None:
    _count_attempt(scratch, marker)
    deadline = time.monotonic() + WAIT_SECONDS
    while not (Path(scratch) / f"{marker}.release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    _insert("job_effect", marker=marker, pid=os.getpid())


# Running a worker.


@dataclass
class RunningWorker:
    process: subprocess.Popen[bytes]
    app: Flask  # the enqueuing side, with the worker's settings
    directory: Path
    database: Engine  # the worker's database: the suite's, SQLite or PostgreSQL

    def enqueue(self, declared: Job, marker: str) -> None:
        with self.app.app_context():
            declared.enqueue(str(self.directory), marker)

    def effects(self, marker: str) -> list[tuple[object, ...]]:
        return self._rows("SELECT marker, pid FROM job_effect WHERE marker = :marker", marker)

    def failures(self, marker: str) -> list[tuple[object, ...]]:
        return self._rows("SELECT error_type, message FROM job_failure WHERE marker = :marker", marker)

    def attempts(self, marker: str) -> int:
        path = self.directory / f"{marker}.attempts"
        return len(path.read_text().splitlines()) if path.exists() else 0

    def wait_until(self, what: str, condition: Callable[[], object]) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                log = (self.directory / "worker.log").read_text()[-4000:]
                pytest.fail(f"waited {WAIT_SECONDS} s for {what}; the worker's log ends:\n{log}")
            time.sleep(0.05)

    def _rows(self, sql: str, marker: str) -> list[tuple[object, ...]]:
        with self.database.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), {"marker": marker})]


def _settings(directory: Path, database_url: str, **overrides: object) -> dict[str, object]:
    return {
        "ENVIRONMENT": "testing",
        "SECRET_KEY": "jobs-test",
        "INSTANCE_PATH": str(directory / "instance"),
        "DATABASE_URL": database_url,
        "REDIS_URL": None,
        "JOB_IMMEDIATE": False,
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def _environment(settings: dict[str, object]) -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if name not in settings}
    given = {name: str(value).lower() if isinstance(value, bool) else str(value) for name, value in settings.items()}
    return {**inherited, **{name: value for name, value in given.items() if value != "None"}}


def _database_with_tables(database_url: str) -> Engine:
    engine = build_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS job_effect (marker VARCHAR(40), pid INTEGER)"))
        connection.execute(
            text("CREATE TABLE IF NOT EXISTS job_failure (marker VARCHAR(40), error_type VARCHAR(40), message TEXT)")
        )
    return engine


def start_worker(directory: Path, database_url: str, **overrides: object) -> RunningWorker:
    settings = _settings(directory, database_url, **overrides)
    database = _database_with_tables(database_url)
    with (directory / "worker.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "moderation_hub", "worker", "--workers", "2"],
            cwd=PROJECT_ROOT,
            env={**_environment(settings), "PYTHONPATH": str(PROJECT_ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to check that stopping it leaves no process behind
        )
    return RunningWorker(process, create_app(settings), directory, database)


def stop(running: RunningWorker, signal_number: int = signal.SIGTERM) -> int:
    """Stop the worker with a signal; return its exit code once it and every process it started are gone."""
    running.process.send_signal(signal_number)
    code = running.process.wait(timeout=WAIT_SECONDS)
    running.wait_until("the worker's processes to end", lambda: not _group_alive(running.process.pid))
    return code


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def worker_running(directory: Path, database_url: str, **overrides: object) -> Iterator[RunningWorker]:
    running = start_worker(directory, database_url, **overrides)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            stop(running)
        running.database.dispose()


@pytest.fixture(scope="module")
def sqlite_worker(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[RunningWorker]:
    with worker_running(tmp_path_factory.mktemp("sqlite-worker"), database_url) as running:
        yield running


@pytest.fixture(params=["sqlite", "redis"])
def running_worker(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[RunningWorker]:
    """A worker on the SQLite queue (shared by the module), or on Redis (a queue name of its own)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_worker")
        return
    redis_url = request.getfixturevalue("redis_url")
    queue_name = f"mh_test_{uuid.uuid4().hex[:12]}"
    with worker_running(tmp_path, database_url, REDIS_URL=redis_url, JOB_QUEUE_NAME=queue_name) as running:
        yield running
    running.app.extensions["jobs"].huey.flush()  # the test's queue, schedule and running-job records


def _marker() -> str:
    return uuid.uuid4().hex[:12]


# The scenarios, on each queue.


def test_a_job_runs_in_a_worker_process_and_commits(running_worker: RunningWorker) -> None:
    marker = _marker()
    running_worker.enqueue(record, marker)

    running_worker.wait_until("the job's row", lambda: running_worker.effects(marker))
    [(_, pid)] = running_worker.effects(marker)
    assert pid not in {os.getpid(), running_worker.process.pid}  # a worker process, not the consumer


def test_a_job_that_fails_twice_then_succeeds_runs_three_times(running_worker: RunningWorker) -> None:
    marker = _marker()
    running_worker.enqueue(succeed_on_third_attempt, marker)

    running_worker.wait_until("the third attempt's row", lambda: running_worker.effects(marker))
    assert running_worker.attempts(marker) == 3
    assert len(running_worker.effects(marker)) == 1  # the failed attempts' rows were rolled back
    assert running_worker.failures(marker) == []


def test_a_job_that_always_fails_reports_its_failure_once(running_worker: RunningWorker) -> None:
    marker = _marker()
    running_worker.enqueue(always_fail, marker)

    running_worker.wait_until("the failure report", lambda: running_worker.failures(marker))
    time.sleep(0.5)  # room for a second report, were one coming
    assert running_worker.failures(marker) == [("ValueError", f"cannot process {marker}")]
    assert running_worker.attempts(marker) == 2
    assert running_worker.effects(marker) == []


def test_a_job_that_kills_its_worker_is_reported_and_the_other_jobs_carry_on(running_worker: RunningWorker) -> None:
    doomed, next_one = _marker(), _marker()
    running_worker.enqueue(kill_own_worker, doomed)

    running_worker.wait_until("the failure report", lambda: running_worker.failures(doomed))
    assert running_worker.attempts(doomed) == 2  # a death counts as a failed attempt: retried, then reported
    assert running_worker.failures(doomed) == [
        ("WorkerDiedError", "the worker process running the job was killed by SIGKILL")
    ]
    running_worker.enqueue(record, next_one)
    running_worker.wait_until("the next job's row", lambda: running_worker.effects(next_one))
    assert running_worker.process.poll() is None


def test_a_running_job_is_in_the_queues_hands_until_it_is_done(running_worker: RunningWorker) -> None:
    """What the sweep of lost uploads relies on: a job the worker is running is known to be running."""
    marker = _marker()
    running_worker.enqueue(wait_for_release, marker)
    with running_worker.app.app_context():
        held = wait_for_release.in_hand
        running_worker.wait_until("the job to start", lambda: running_worker.attempts(marker) == 1)
        assert held() == {(str(running_worker.directory), marker)}

        (running_worker.directory / f"{marker}.release").touch()
        running_worker.wait_until("the job's row", lambda: running_worker.effects(marker))
        running_worker.wait_until("the job's record to go", lambda: held() == set())


# The rest on SQLite only: the time limit and signals work inside the worker, whatever the queue.


def test_a_job_past_its_time_limit_is_stopped_and_reported(sqlite_worker: RunningWorker) -> None:
    marker = _marker()
    sqlite_worker.enqueue(overrun, marker)

    sqlite_worker.wait_until("the failure report", lambda: sqlite_worker.failures(marker))
    assert sqlite_worker.failures(marker) == [
        ("TimeLimitError", "the job ran for longer than its time limit of 1 seconds")
    ]


def test_ctrl_c_stops_the_worker_and_every_process_it_started(tmp_path: Path, database_url: str) -> None:
    with worker_running(tmp_path, database_url) as running:
        marker = _marker()
        running.enqueue(record, marker)
        running.wait_until("the worker to run a job", lambda: running.effects(marker))

        assert stop(running, signal.SIGINT) == 0


def test_sigterm_interrupts_a_running_job_which_the_next_worker_runs_again(tmp_path: Path, database_url: str) -> None:
    marker = _marker()
    with worker_running(tmp_path, database_url) as first:
        first.enqueue(hang_on_first_attempt, marker)
        first.wait_until("the job to start", lambda: first.attempts(marker) == 1)

        assert stop(first, signal.SIGTERM) == 0
        assert first.effects(marker) == []

    with worker_running(tmp_path, database_url) as second:
        second.wait_until("the job to run again", lambda: second.effects(marker))
    assert second.attempts(marker) == 2
