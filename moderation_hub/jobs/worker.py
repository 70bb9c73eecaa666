"""The worker behind ``flask worker``: Huey's consumer with each worker in a process of its own.

A job that kills its worker process (a crash, the kernel's out-of-memory killer) cannot take the
consumer down: the consumer notices the dead worker within a second, starts another, and counts the
job's attempt as failed, so the job is retried or its failure reported rather than lost. Each worker
records the job it is running in the queue's storage, which is how the consumer knows which job died.

Stopping: SIGINT (Ctrl-C) lets running jobs finish; SIGTERM interrupts them, and they are queued again.
"""

import logging
import multiprocessing
import os
import signal
import time
from multiprocessing.process import BaseProcess

from flask import Flask
from huey import Huey
from huey.api import Task
from huey.consumer import Consumer
from huey.signals import SIGNAL_INTERRUPTED
from huey.utils import normalize_time

from moderation_hub.jobs.queue import JobQueue, RunningRecord, WorkerDiedError, running_key

logger = logging.getLogger(__name__)


class WorkerConfigurationError(RuntimeError):
    """The settings leave nothing for a worker to do; the message says what to change."""


class JobConsumer(Consumer):
    """Huey's consumer, where a job whose worker process died counts as a failed attempt, not a lost job."""

    def __init__(self, queue: JobQueue, workers: int) -> None:
        self.queue = queue
        _record_running_jobs(queue.huey)
        super().__init__(
            queue.huey,
            workers=workers,
            worker_type="process",  # a crash in one job's process leaves the consumer and other jobs running
            periodic=True,  # the scheduler queues periodic jobs (the sweep of lost uploads) and delayed retries
            max_delay=1.0,  # SQLite is polled: an idle queue is checked at least every second
            health_check_interval=1,
        )

    def check_worker_health(self) -> bool:
        dead = [process for _, process in self.worker_threads if not process.is_alive()]
        for process in dead:
            self._fail_job_of(process)
        if dead:
            # Replacement workers are forked next: they must not inherit this process's SQLite connection.
            self.huey.storage.close()
        return super().check_worker_health()

    def _fail_job_of(self, process: BaseProcess) -> None:
        record = self.huey.get(running_key(process.pid))
        if not isinstance(record, RunningRecord):
            return  # it died between jobs (or the record is a leftover from before records had a start time)
        task = self.huey.deserialize_task(record.task)
        logger.warning("worker process died running a job", extra={"task": task.id, "exit_code": process.exitcode})
        if task.retries:
            _retry(self.huey, task)
        else:
            error = WorkerDiedError(f"the worker process running the job {_describe(process)}")
            self.queue.report_if_final(task, error)


def run_worker(app: Flask, workers: int) -> None:
    """Run the consumer in this process until it is stopped by a signal."""
    queue: JobQueue = app.extensions["jobs"]
    if queue.huey.immediate:
        raise WorkerConfigurationError("JOB_IMMEDIATE is set, so jobs run where they are enqueued: unset it")
    _log_like_the_app()
    logger.info("worker starting", extra={"workers": workers, "queue": queue.describe()})
    engine = app.extensions["database"]["engine"]

    @queue.huey.on_startup()
    def prepare_worker_process() -> None:
        engine.dispose(close=False)  # SQLAlchemy's recipe for a forked child: open connections of its own
        # Huey starts its worker processes as daemons, and multiprocessing lets no daemon start a process:
        # every upload's render would fail. The sandbox's children need no daemon's clean-up at exit: they
        # end when their worker does, as their pipes close.
        multiprocessing.current_process().daemon = False

    JobConsumer(queue, workers).run()


def _record_running_jobs(huey: Huey) -> None:
    """In each worker: remember the running job under the worker's pid, and queue interrupted jobs again."""

    @huey.pre_execute()
    def remember_running_job(task: Task) -> None:
        huey.put(running_key(os.getpid()), RunningRecord(huey.serialize_task(task), time.time()))

    @huey.post_execute()
    def forget_running_job(_task: Task, _value: object, _exception: BaseException | None) -> None:
        huey.delete(running_key(os.getpid()))

    @huey.signal(SIGNAL_INTERRUPTED)
    def queue_interrupted_job(_signal: str, task: Task, *_args: object, **_kwargs: object) -> None:
        # A stop interrupted the attempt, which rolled back; the job was not at fault, so it keeps its retries.
        huey.delete(running_key(os.getpid()))
        huey.enqueue(task)


def _retry(huey: Huey, task: Task) -> None:
    """What Huey does after a failed attempt, for one whose worker died before Huey could."""
    task.retries -= 1
    if task.retry_delay:
        task.eta = normalize_time(delay=task.retry_delay, utc=huey.utc)
        huey.add_schedule(task)
    else:
        huey.enqueue(task)


def _describe(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with status {code}"


def _log_like_the_app() -> None:
    """Huey's own lines (jobs started, finished, failed with their tracebacks) as the app's JSON lines."""
    app_logger = logging.getLogger("moderation_hub")
    huey_logger = logging.getLogger("huey")
    huey_logger.handlers = list(app_logger.handlers)
    huey_logger.setLevel(app_logger.level)
    huey_logger.propagate = False
