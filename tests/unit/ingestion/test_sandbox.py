"""Whatever a job does (crash, hang, eat memory, refuse the file), the caller gets a clear answer and the
child process is gone."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from moderation_hub.ingestion import sandbox
from moderation_hub.ingestion.confinement import unavailable_reason
from moderation_hub.ingestion.errors import RejectedFile
from moderation_hub.ingestion.sandbox import (
    JobCrashed,
    JobOutOfMemory,
    JobTimedOut,
    UnexpectedJobError,
    iter_isolated,
    run_isolated,
)
from tests.unit.ingestion import child_jobs

MB = 1024 * 1024
LIMITS = {"timeout_seconds": 10, "memory_bytes": 256 * MB}
REPOSITORY = str(Path(__file__).resolve().parents[3])


def is_gone(pid: int) -> bool:
    """True once the process has exited and been reaped: a zombie still answers signal 0."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_job_returns_its_result() -> None:
    assert run_isolated(child_jobs.add, 2, 3, **LIMITS) == 5


def test_a_generator_job_streams_its_items() -> None:
    assert list(iter_isolated(child_jobs.count_up_to, 4, **LIMITS)) == [0, 1, 2, 3]


def test_a_stream_makes_its_next_item_while_the_caller_handles_the_last() -> None:
    stream = iter_isolated(child_jobs.clock_readings, 2, **LIMITS)
    next(stream)
    time.sleep(1)  # the caller storing a page
    asked = time.time()
    made = next(stream)
    assert made < asked - 0.5
    assert list(stream) == []


def test_a_job_that_aborts_is_reported_as_a_crash_and_the_next_job_runs() -> None:
    with pytest.raises(JobCrashed, match=r"^the file made the page renderer crash$") as crash:
        run_isolated(child_jobs.abort, **LIMITS)
    assert crash.value.details == "killed by SIGABRT"
    assert run_isolated(child_jobs.add, 1, 1, **LIMITS) == 2


def test_a_job_that_exits_without_a_result_is_reported_as_a_crash() -> None:
    with pytest.raises(JobCrashed) as crash:
        run_isolated(child_jobs.exit_quietly, **LIMITS)
    assert crash.value.details == "exited with code 0 without a result"


def test_a_job_that_hangs_is_killed_at_its_time_limit() -> None:
    stream = iter_isolated(child_jobs.report_pid_then_sleep, 60, timeout_seconds=1, memory_bytes=256 * MB)
    pid = next(stream)
    started = time.monotonic()
    with pytest.raises(JobTimedOut, match=r"^the file took too long to process$"):
        next(stream)
    assert time.monotonic() - started < 2.5
    assert is_gone(pid)


def test_a_job_that_wants_too_much_memory_is_stopped() -> None:
    with pytest.raises(JobOutOfMemory, match=r"^the file needed more memory than we allow for one file$"):
        run_isolated(child_jobs.allocate, 2048 * MB, timeout_seconds=10, memory_bytes=256 * MB)


def test_the_memory_limit_counts_from_the_jobs_start_not_from_zero() -> None:
    assert run_isolated(child_jobs.allocate, 100 * MB, timeout_seconds=10, memory_bytes=256 * MB) == 100 * MB


def test_a_refused_file_comes_back_as_itself() -> None:
    with pytest.raises(RejectedFile) as refusal:
        run_isolated(child_jobs.reject, "essay.pdf", **LIMITS)
    assert str(refusal.value) == '"essay.pdf" is protected by a password'


def test_a_bug_in_a_job_comes_back_with_its_frames_and_type_but_not_its_message() -> None:
    """The details go to the log, and a renderer's message can quote the file's text."""
    with pytest.raises(UnexpectedJobError, match=r"^the page renderer failed unexpectedly$") as failure:
        run_isolated(child_jobs.fail, **LIMITS)
    assert failure.value.details.endswith(", in fail\nbuiltins.KeyError\n")
    assert "'a bug'" not in failure.value.details


def test_why_a_job_failed_is_logged_for_the_engineer(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The uploader is told only that the renderer failed; the log keeps where the child failed."""
    # Straight to the capture, once: an app made by another test stops the package's loggers propagating.
    monkeypatch.setattr(sandbox.logger, "propagate", False)
    sandbox.logger.addHandler(caplog.handler)
    try:
        with pytest.raises(UnexpectedJobError):
            run_isolated(child_jobs.fail, **LIMITS)
        with pytest.raises(JobCrashed):
            run_isolated(child_jobs.abort, **LIMITS)
    finally:
        sandbox.logger.removeHandler(caplog.handler)
    failures = [(record.error_type, record.details) for record in caplog.records]
    assert [error_type for error_type, _ in failures] == ["UnexpectedJobError", "JobCrashed"]
    assert "builtins.KeyError" in failures[0][1]
    assert failures[1][1] == "killed by SIGABRT"


def test_stopping_a_stream_early_stops_the_child() -> None:
    stream = iter_isolated(child_jobs.pids_forever, **LIMITS)
    pid = next(stream)
    stream.close()
    assert is_gone(pid)


def test_jobs_start_single_threaded_and_can_leave_no_core_dump() -> None:
    assert run_isolated(child_jobs.thread_count, **LIMITS) == 1
    assert run_isolated(child_jobs.core_dump_limit, **LIMITS) == (0, 0)


def test_a_ctrl_c_to_the_process_group_does_not_stop_a_child_mid_job() -> None:
    """Ctrl-C at a terminal running the worker reaches every process in its group, children included."""
    started = time.monotonic()
    items = iter_isolated(child_jobs.interrupt_self_then_count, 3, timeout_seconds=10, memory_bytes=256 * MB)
    assert list(items) == [0, 1, 2]
    assert time.monotonic() - started < 10


def test_each_job_gets_a_new_child_forked_before_the_job_was_asked_for() -> None:
    """The spare child forked while the last job ran takes the next one, so no job waits for a fork; and no
    child ever takes a second job, which could carry one school's file into another's."""
    first_pid, _ = run_isolated(child_jobs.pid_and_start, **LIMITS)
    time.sleep(0.5)
    asked = time.clock_gettime(time.CLOCK_BOOTTIME)
    second_pid, second_started = run_isolated(child_jobs.pid_and_start, **LIMITS)
    third_pid, _ = run_isolated(child_jobs.pid_and_start, **LIMITS)
    assert len({first_pid, second_pid, third_pid}) == 3
    assert second_started < asked - 0.3


def test_a_job_still_runs_when_the_spare_child_has_died() -> None:
    run_isolated(child_jobs.add, 1, 1, **LIMITS)
    spare = sandbox._SPARE._child
    assert spare is not None
    os.kill(spare.process.pid, signal.SIGKILL)
    spare.process.join()
    assert run_isolated(child_jobs.add, 2, 3, **LIMITS) == 5


def test_a_forked_copy_of_this_process_never_shares_its_spare_child() -> None:
    """Both would hand it a job: one of them would get the other's answer."""
    run_isolated(child_jobs.add, 1, 1, **LIMITS)
    pid = os.fork()
    if pid == 0:
        os._exit(0 if sandbox._SPARE.take() is None else 1)
    assert os.waitpid(pid, 0)[1] == 0
    assert sandbox._SPARE._child is not None  # this process keeps its own


def run_script(directory: Path, body: str, **environment: str) -> str:
    """Run ``body`` as the main script of a new Python process, from the repository; what it printed."""
    script = directory / "main_script.py"
    script.write_text(textwrap.dedent(body))
    finished = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, str(script)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        env={**os.environ, "PYTHONPATH": REPOSITORY, **environment},
    )
    return finished.stdout


def test_children_do_not_run_the_main_script_again(tmp_path: Path) -> None:
    """A worker's main script is the ``flask`` command: re-run in every child, it cost 170 ms each."""
    runs = tmp_path / "runs"
    run_script(
        tmp_path,
        f"""
        from pathlib import Path

        with Path({str(runs)!r}).open("a") as runs:
            runs.write("ran\\n")

        if __name__ == "__main__":
            from moderation_hub.ingestion.sandbox import run_isolated
            from tests.unit.ingestion import child_jobs

            for _ in range(3):
                assert run_isolated(child_jobs.add, 2, 3, timeout_seconds=30, memory_bytes=256 << 20) == 5
        """,
    )
    assert runs.read_text() == "ran\n"


def test_children_get_no_secrets_and_allocate_in_huge_pages(tmp_path: Path) -> None:
    secrets = {
        "SECRET_KEY": "session-signing-key",
        "DATABASE_URL": "postgresql+psycopg://app:db-password@db/moderation_hub",
        "AWS_SECRET_ACCESS_KEY": "cloud-secret",
    }
    printed = run_script(
        tmp_path,
        """
        import json

        if __name__ == "__main__":
            from moderation_hub.ingestion.sandbox import run_isolated
            from tests.unit.ingestion import child_jobs

            print(json.dumps(run_isolated(child_jobs.environment, timeout_seconds=30, memory_bytes=256 << 20)))
        """,
        LANG="C.UTF-8",
        **secrets,
    )
    environment = json.loads(printed)
    assert not set(secrets) & set(environment)
    assert not any(secret in value for secret in secrets.values() for value in environment.values())
    assert environment["GLIBC_TUNABLES"] == "glibc.malloc.hugetlb=1"
    assert (environment["LANG"], environment["PATH"]) == ("C.UTF-8", os.environ["PATH"])


@pytest.mark.parametrize(("service", "port"), [("PostgreSQL", 5432), ("Redis", 6379)])
def test_children_cannot_reach_the_network(service: str, port: int) -> None:
    """The machine's PostgreSQL and Redis answer this process, and no sandboxed child: Landlock refuses the
    connection where the kernel can ("Permission denied"), and behind it the child's network namespace has
    no way out ("Network is unreachable")."""
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    refused = run_isolated(child_jobs.connection_error, "127.0.0.1", port, **LIMITS)
    assert refused in {"Permission denied", "Network is unreachable"}, service


def test_children_have_a_network_namespace_of_their_own() -> None:
    assert run_isolated(child_jobs.network_namespace, **LIMITS) != str(Path("/proc/self/ns/net").readlink())


@pytest.mark.skipif(unavailable_reason() is not None, reason=f"no Landlock here: {unavailable_reason()}")
def test_children_can_neither_read_nor_write_files_beyond_the_code_they_run(tmp_path: Path) -> None:
    """As another school's upload in local storage: this process reads it, and no sandboxed child."""
    upload = tmp_path / "storage" / "an-upload"
    upload.parent.mkdir()
    upload.write_bytes(b"another school's work")
    created = tmp_path / "storage" / "made-by-a-child"
    errors = run_isolated(child_jobs.file_errors, str(upload), str(created), **LIMITS)
    assert errors == ("Permission denied", "Permission denied")
    assert not created.exists()
    assert upload.read_bytes() == b"another school's work"


@pytest.mark.parametrize("module", ["moderation_hub.education", "html.parser", "PIL.ImageFilter"])
def test_children_can_still_import_what_their_job_needs(module: str) -> None:
    """From this package, the standard library and the installed packages, though no forkserver preloaded it."""
    assert run_isolated(child_jobs.imports, module, **LIMITS) == (False, True)
