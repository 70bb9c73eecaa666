"""The job queue in immediate mode, as the suite's apps run it (JOB_IMMEDIATE): each job runs inside
enqueue(), through Huey's own retry logic.

The same paths against a real worker process, on SQLite and on Redis, are in tests/functional/test_jobs_worker.py.
"""

from pathlib import Path

import pytest
from flask import Flask
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub import create_app
from moderation_hub.db import db
from moderation_hub.jobs import JobFailure, job
from moderation_hub.jobs.cli import worker
from moderation_hub.jobs.queue import find_job
from moderation_hub.organisations.models import LocalAuthority

# What the jobs below saw; cleared before each test. Jobs in the app keep no state between runs.
attempts: list[str] = []
failures: list[tuple[JobFailure, str]] = []


@pytest.fixture(autouse=True)
def _clear_records() -> None:
    attempts.clear()
    failures.clear()


def _add_authority(code: str) -> None:
    db.session.add(LocalAuthority(name=f"Authority {code}", code=code))
    db.session.flush()


@job()
def add_authority(code: str) -> None:
    attempts.append(code)
    _add_authority(code)


@job(retries=2, retry_delay_seconds=30)
def add_authority_on_third_attempt(code: str) -> None:
    attempts.append(code)
    _add_authority(code)  # rolled back with each failed attempt
    if len(attempts) < 3:
        raise RuntimeError(f"attempt {len(attempts)} failed")


def record_failure(failure: JobFailure, code: str) -> None:
    failures.append((failure, code))
    _add_authority(code)  # the failure report commits in a transaction of its own


@job(retries=1, on_failure=record_failure)
def always_fails(code: str) -> None:
    attempts.append(code)
    _add_authority(f"{code}-attempt")
    raise ValueError(f"cannot process {code}")


def _authority_codes(session: Session) -> set[str]:
    return set(session.scalars(select(LocalAuthority.code)))


def test_a_job_commits_its_work_in_a_session_of_its_own(app: Flask, session: Session) -> None:
    add_authority.enqueue("JOB1")

    assert attempts == ["JOB1"]
    assert "JOB1" in _authority_codes(session)
    assert not session.new  # the job's row was not added through the caller's session


def test_a_job_that_fails_twice_then_succeeds_runs_three_times_and_keeps_one_attempts_work(
    app: Flask, session: Session
) -> None:
    add_authority_on_third_attempt.enqueue("JOB2")

    assert attempts == ["JOB2"] * 3
    assert session.scalar(select(LocalAuthority).where(LocalAuthority.code == "JOB2")) is not None
    assert failures == []


def test_a_job_that_always_fails_reports_its_failure_once_with_the_error(app: Flask, session: Session) -> None:
    always_fails.enqueue("JOB3")

    assert attempts == ["JOB3", "JOB3"]
    assert failures == [
        (JobFailure(job=always_fails.name, error_type="ValueError", message="cannot process JOB3"), "JOB3")
    ]
    codes = _authority_codes(session)
    assert "JOB3" in codes
    assert "JOB3-attempt" not in codes


def test_enqueue_after_commit_runs_the_job_only_once_the_transaction_commits(app: Flask, session: Session) -> None:
    with db.transaction():
        add_authority.enqueue_after_commit("JOB4")
        assert attempts == []
    assert attempts == ["JOB4"]

    with pytest.raises(RuntimeError), db.transaction():
        add_authority.enqueue_after_commit("JOB5")
        raise RuntimeError("the request failed")
    with db.transaction():
        pass
    assert attempts == ["JOB4"]


def test_jobs_take_ids_and_plain_values_not_rows(app: Flask, session: Session) -> None:
    authority = LocalAuthority(name="Row", code="ROW")
    with pytest.raises(TypeError, match="takes ids and plain values, not a LocalAuthority"):
        add_authority.enqueue(authority)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes ids and plain values"):
        add_authority.enqueue_after_commit(authority)  # type: ignore[arg-type]


def test_a_job_must_be_a_module_level_function_for_the_worker_to_find_it() -> None:
    with pytest.raises(TypeError, match="must be a module-level function"):

        @job()
        def nested() -> None:
            pass


def test_a_worker_imports_a_jobs_module_to_find_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "module_with_a_job.py").write_text(
        "from moderation_hub.jobs import job\n\n@job()\ndef tidy() -> None:\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    assert find_job("module_with_a_job:tidy").function.__name__ == "tidy"
    with pytest.raises(LookupError, match="no job named module_with_a_job:missing"):
        find_job("module_with_a_job:missing")


def _settings(tmp_path: Path, **settings: object) -> dict[str, object]:
    return {
        "ENVIRONMENT": "testing",
        "SECRET_KEY": "test",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "REDIS_URL": None,
        "JOB_DATABASE": None,
        "JOB_IMMEDIATE": False,
        **settings,
    }


def test_the_queue_is_a_sqlite_file_in_the_instance_folder_unless_redis_is_configured(tmp_path: Path) -> None:
    default = create_app(_settings(tmp_path)).extensions["jobs"].huey
    assert isinstance(default, SqliteHuey)
    assert default.storage.filename == str(tmp_path / "instance" / "jobs.sqlite3")

    moved = create_app(_settings(tmp_path, JOB_DATABASE=str(tmp_path / "queue" / "jobs.db"))).extensions["jobs"]
    assert moved.huey.storage.filename == str(tmp_path / "queue" / "jobs.db")

    shared = create_app(_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", JOB_QUEUE_NAME="la_one"))
    assert isinstance(shared.extensions["jobs"].huey, RedisHuey)
    assert shared.extensions["jobs"].huey.storage.queue_key == "huey.redis.la_one"


def test_the_worker_refuses_to_start_when_jobs_run_immediately(app: Flask) -> None:
    result = app.test_cli_runner().invoke(worker, ["--workers", "1"])

    assert result.exit_code == 1
    assert "JOB_IMMEDIATE is set" in result.output
