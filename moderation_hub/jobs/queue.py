"""Jobs: functions declared with ``@job`` that run off the request path, retried on failure.

Huey carries the messages: a SQLite file in the instance folder by default, Redis when ``REDIS_URL`` is
set. Each app gets its own Huey instance, built from its settings by ``init_jobs``, with two tasks of its
own: one runs any job by name, one reports a job's permanent failure; and one periodic task per periodic
job. Jobs themselves are plain functions in a registry keyed by ``module:function``, so declaring one needs
no app, and a worker finds one it has not seen by importing its module.

Every worker runs every periodic job. One declared ``exclusive`` runs under Huey's lock (``lock_task``),
kept in the queue's storage, so workers on every machine that shares the queue run it one at a time.
"""

import importlib
import logging
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import Task, TaskLock
from huey.exceptions import TaskLockedException, TaskTimeout

from moderation_hub.db import db

logger = logging.getLogger(__name__)

# Jobs take ids and plain values, never rows or objects: each attempt reads fresh data in its own
# transaction, and the message survives a trip through the queue.
JobArgument = int | str | float | bool | None
_ARGUMENT_TYPES = (int, str, float, bool, type(None))


@dataclass(frozen=True)
class JobFailure:
    """Why a job gave up after its last attempt; handed to its ``on_failure`` callback."""

    job: str  # the job's name, "module:function"
    error_type: str  # the exception's class name, e.g. "JobCrashed", "WorkerDiedError", "TimeLimitError"
    message: str  # the exception's message


class WorkerDiedError(Exception):
    """The worker process running the job ended mid-job: killed, crashed, or out of memory."""


class TimeLimitError(Exception):
    """The job ran past its time limit (``timeout_seconds`` or ``JOB_TIMEOUT_SECONDS``)."""


@dataclass(frozen=True)
class Job:
    """A function that runs on the queue; declare one with ``@job``."""

    function: Callable[..., None]
    retries: int | None
    retry_delay_seconds: int | None
    timeout_seconds: int | None
    on_failure: Callable[..., None] | None

    @property
    def name(self) -> str:
        return f"{self.function.__module__}:{self.function.__qualname__}"

    @property
    def attempts_allowed(self) -> int:
        """Its first attempt and each retry, under the current app's settings."""
        return 1 + _setting(self.retries, current_app.config["JOB_RETRIES"])

    def enqueue(self, *args: JobArgument) -> None:
        """Queue a run now. Where the job reads rows this transaction writes, use ``enqueue_after_commit``."""
        _current_queue().enqueue(self, args)

    def enqueue_after_commit(self, *args: JobArgument, retries: int | None = None) -> None:
        """Queue a run once the current transaction commits; never, if it rolls back. ``retries`` replaces the
        job's own number, for a run that resumes earlier attempts.

        The committed work stands even if the queue cannot be reached then: the failure is logged, and the
        work waits for a sweep that queues it again (``samples.processing.requeue_stale``).
        """
        queue = _current_queue()
        _check_arguments(self, args)
        db.after_commit(lambda: queue.enqueue_committed(self, args, retries))

    def exclusively(self) -> AbstractContextManager[bool]:
        """The lock an ``exclusive`` periodic job runs under, for running its work now, outside the worker
        (a command): ``with job.exclusively() as held:``, where ``held`` is False while another run holds it.
        Release it only after committing, as the worker does."""
        return _current_queue().exclusively(self.name, current_app.config["JOB_TIMEOUT_SECONDS"])

    def in_hand(self) -> set[tuple[JobArgument, ...]]:
        """The arguments of every run of this job that the queue holds: waiting, waiting to retry, running in a
        worker, or failed and waiting for its failure report."""
        return _current_queue().in_hand(self)


class Periodic(NamedTuple):
    minutes: int  # between runs
    exclusive: bool  # one run at a time across every worker


_JOBS: dict[str, Job] = {}
_PERIODIC: dict[str, Periodic] = {}  # by the job's name


def job(
    *,
    retries: int | None = None,
    retry_delay_seconds: int | None = None,
    timeout_seconds: int | None = None,
    on_failure: Callable[..., None] | None = None,
) -> Callable[[Callable[..., None]], Job]:
    """Declare a module-level function as a job; ``None`` takes the ``JOB_*`` setting of the same name.

    Each attempt runs in an app context of its own, inside ``db.transaction()``: it commits when the
    function returns and rolls back when it raises, so a failed attempt leaves nothing behind. A retried
    job runs again from the start, and (rarely: a worker killed just after a commit) may run again after
    succeeding, so write it to be idempotent. After the last attempt fails, ``on_failure(failure, *args)``
    runs as a job of its own, in its own transaction, with a ``JobFailure``.
    """

    def register(function: Callable[..., None]) -> Job:
        if "<locals>" in function.__qualname__:
            raise TypeError(f"{function.__qualname__}: a job must be a module-level function, for the worker to import")
        declared = Job(function, retries, retry_delay_seconds, timeout_seconds, on_failure)
        _JOBS[declared.name] = declared
        return declared

    return register


def periodic_job(*, minutes: int, exclusive: bool = False) -> Callable[[Callable[[], None]], Job]:
    """Declare a module-level function, taking nothing, that the worker runs every ``minutes`` minutes (a
    divisor of 60) as a job that is never retried: the next run comes soon enough. Each worker (``flask
    worker``) runs it, so with several it may run twice at once; write it to be safe when it does.

    An ``exclusive`` job runs under a lock named after it in the queue's storage: a run that finds another
    still running, on any machine sharing the queue, is skipped. A lock its run left behind (the worker
    was killed, or its machine stopped) is taken over once older than the job's time limit.
    """

    def register(function: Callable[[], None]) -> Job:
        declared = job(retries=0)(function)
        _PERIODIC[declared.name] = Periodic(minutes, exclusive)
        return declared

    return register


def find_job(name: str) -> Job:
    if name not in _JOBS:
        importlib.import_module(name.partition(":")[0])  # registers the module's jobs
    try:
        return _JOBS[name]
    except KeyError:
        raise LookupError(f"there is no job named {name}") from None


class JobQueue:
    """One app's queue: enqueues jobs, and runs them and their failure reports in that app."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = _build_huey(app)
        self.run_task = self.huey.task(name="run_job")(self._run)
        self.report_task = self.huey.task(name="report_job_failure")(self._report)
        self.huey.post_execute()(self._after_attempt)
        # The app factory has imported every module that declares a periodic job (through its blueprints).
        for name, periodic in _PERIODIC.items():
            self._schedule(name, periodic)

    def describe(self) -> str:
        storage = self.huey.storage
        where = f"the SQLite file {storage.filename}" if isinstance(self.huey, SqliteHuey) else "Redis"
        return f"queue {self.huey.name!r} in {where}"

    def enqueue(self, job: Job, args: tuple[JobArgument, ...], retries: int | None = None) -> None:
        _check_arguments(job, args)
        config = self.app.config
        self.huey.enqueue(
            self.run_task.s(
                job.name,
                args,
                retries=_setting(retries, _setting(job.retries, config["JOB_RETRIES"])),
                retry_delay=self._retry_delay(_setting(job.retry_delay_seconds, config["JOB_RETRY_DELAY_SECONDS"])),
                timeout=_setting(job.timeout_seconds, config["JOB_TIMEOUT_SECONDS"]),
            )
        )

    def enqueue_committed(self, job: Job, args: tuple[JobArgument, ...], retries: int | None) -> None:
        """``enqueue`` after a commit. Raising here would turn a request whose work is saved into an error
        page, and skip the commit's other callbacks, so a queue that cannot be reached is logged instead."""
        try:
            self.enqueue(job, args, retries)
        except Exception:
            logger.exception("job not queued", extra={"job": job.name})

    def in_hand(self, job: Job) -> set[tuple[JobArgument, ...]]:
        # Read in the order a task moves (a retry waits in the schedule, then the queue, then runs), so one
        # moving on while this reads is found in the next place read.
        tasks = [*self.huey.scheduled(), *self.huey.pending(), *self._running()]
        ours = (self.run_task.task_class, self.report_task.task_class)
        return {tuple(task.args[1]) for task in tasks if isinstance(task, ours) and task.args[0] == job.name}

    def _running(self) -> list[Task]:
        """The tasks workers record as running. A record outlives a worker whose machine stopped; Huey ends
        every attempt at its time limit, so a record older than that is such a leftover, and left out (as are
        records without a start time, from before records had one)."""
        now = time.time()
        records = [
            self.huey.serializer.deserialize(data)
            for key, data in self.huey.all_results().items()
            if key.startswith(RUNNING_KEY_PREFIX)
        ]
        tasks = [
            (self.huey.deserialize_task(record.task), record.started_at)
            for record in records
            if isinstance(record, RunningRecord)
        ]
        return [task for task, started_at in tasks if task.timeout is None or now - started_at < task.timeout]

    def report_if_final(self, task: Task, error: BaseException) -> None:
        """After a job's last attempt failed, queue its failure report; reports are not reported on."""
        if task.retries or not isinstance(task, self.run_task.task_class):
            return
        name, args = task.args
        failure = _failure_from(name, error, task.timeout)
        logger.error("job failed", extra={"job": name, "error_type": failure.error_type})
        config = self.app.config
        self.huey.enqueue(
            self.report_task.s(
                name,
                args,
                failure,
                retries=config["JOB_RETRIES"],
                retry_delay=self._retry_delay(config["JOB_RETRY_DELAY_SECONDS"]),
                timeout=config["JOB_TIMEOUT_SECONDS"],
            )
        )

    def _retry_delay(self, seconds: int) -> int:
        return 0 if self.huey.immediate else seconds  # in immediate mode no scheduler would run a delayed retry

    def _run(self, name: str, args: tuple[JobArgument, ...]) -> None:
        job = find_job(name)
        with self.app.app_context(), db.transaction():
            job.function(*args)

    def _report(self, name: str, args: tuple[JobArgument, ...], failure: JobFailure) -> None:
        on_failure = find_job(name).on_failure
        if on_failure is not None:
            with self.app.app_context(), db.transaction():
                on_failure(failure, *args)

    def _after_attempt(self, task: Task, _value: Any, exception: BaseException | None) -> None:
        # Huey calls this after every attempt, outside the attempt's time limit, and then retries by itself.
        if exception is not None:
            self.report_if_final(task, exception)

    def _schedule(self, name: str, periodic: Periodic) -> None:
        """Have the worker's scheduler queue the periodic job every ``periodic.minutes`` minutes."""
        timeout = self.app.config["JOB_TIMEOUT_SECONDS"]

        def run_periodic_job() -> None:
            if periodic.exclusive:
                self._run_exclusively(name, timeout)
            else:
                self._run(name, ())

        every = crontab(minute=f"*/{periodic.minutes}")
        self.huey.periodic_task(every, name=f"periodic {name}", timeout=timeout)(run_periodic_job)

    def _run_exclusively(self, name: str, timeout: int) -> None:
        with self.exclusively(name, timeout) as held:
            if not held:
                logger.info("periodic job skipped: another run holds its lock", extra={"job": name})
                return
            self._run(name, ())

    @contextmanager
    def exclusively(self, name: str, timeout: int) -> Iterator[bool]:
        """Hold the job's lock for the block, which is told whether it got it (False: another run holds it).

        Huey's lock holds no time, and cannot expire on SQLite (nor on Redis before 7.4), so the time it was
        taken is kept beside it: Huey stops every run at its time limit, so a lock held longer belongs to a
        run that ended without releasing it.
        """
        lock = self.huey.lock_task(name)
        if not self._take(lock, name, timeout):
            yield False
            return
        try:
            yield True
        finally:
            self.huey.delete(_lock_taken_key(name))
            lock.release()

    def _take(self, lock: TaskLock, name: str, timeout: int) -> bool:
        try:
            lock.acquire()
        except TaskLockedException:
            if not self._left_behind(name, timeout):
                return False
            # Not atomic: two runs that find the same leftover at once may both take it over, once.
            logger.warning("periodic job's lock, left by a run that ended, taken over", extra={"job": name})
            lock.release()
            try:
                lock.acquire()
            except TaskLockedException:
                return False
        self.huey.put(_lock_taken_key(name), time.time())
        return True

    def _left_behind(self, name: str, timeout: int) -> bool:
        taken_key = _lock_taken_key(name)
        # A lock found without its time (its run ended between taking the two) is timed from now.
        self.huey.put_if_empty(taken_key, time.time())
        taken_at = self.huey.get(taken_key, peek=True)
        return taken_at is not None and time.time() - taken_at >= timeout  # None: released meanwhile


# What a worker keeps in the queue's storage while it runs a job, under ``running_key``: the consumer
# reports the job as failed if the worker process dies, and ``in_hand`` counts it as running.
RUNNING_KEY_PREFIX = "running:"


class RunningRecord(NamedTuple):
    task: bytes  # as Huey serialises it
    started_at: float  # time.time(), comparable between machines


def running_key(pid: int) -> str:
    return f"{RUNNING_KEY_PREFIX}{socket.gethostname()}:{pid}"  # several machines may share one Redis


def _lock_taken_key(name: str) -> str:
    """Where the time an exclusive periodic job's lock was taken is kept (``time.time()``)."""
    return f"lock taken:{name}"


def init_jobs(app: Flask) -> None:
    app.extensions["jobs"] = JobQueue(app)


def _build_huey(app: Flask) -> Huey:
    config = app.config
    # Nobody reads results (jobs write to the database); JOB_IMMEDIATE runs each job inside enqueue().
    options: dict[str, Any] = {"results": False, "immediate": config["JOB_IMMEDIATE"]}
    if config["REDIS_URL"]:
        return RedisHuey(config["JOB_QUEUE_NAME"], url=config["REDIS_URL"], **options)
    path = Path(config["JOB_DATABASE"] or Path(app.instance_path) / "jobs.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(config["JOB_QUEUE_NAME"], filename=str(path), **options)


def _current_queue() -> JobQueue:
    return current_app.extensions["jobs"]


def _setting(declared: int | None, default: int) -> int:
    return default if declared is None else declared


def _check_arguments(job: Job, args: tuple[object, ...]) -> None:
    for value in args:
        if not isinstance(value, _ARGUMENT_TYPES):
            raise TypeError(f"{job.name} takes ids and plain values, not a {type(value).__name__}")


def _failure_from(name: str, error: BaseException, timeout: int | None) -> JobFailure:
    if isinstance(error, TaskTimeout):
        error = TimeLimitError(f"the job ran for longer than its time limit of {timeout} seconds")
    return JobFailure(job=name, error_type=type(error).__name__, message=str(error) or type(error).__name__)
