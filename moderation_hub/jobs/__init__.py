"""The job queue: work that runs off the request path, in worker processes (``flask worker``).

Declare a job, and what to do when it gives up, in the capability that owns the work::

    def mark_upload_failed(failure: JobFailure, upload_id: int) -> None: ...

    @job(retries=2, on_failure=mark_upload_failed)
    def process_upload(upload_id: int) -> None: ...

then queue it from a view or service with ``process_upload.enqueue_after_commit(upload.id)``. A job that
the worker runs on a timetable is declared with ``@periodic_job(minutes=5)``.
"""

from moderation_hub.jobs.queue import (
    Job,
    JobArgument,
    JobFailure,
    TimeLimitError,
    WorkerDiedError,
    init_jobs,
    job,
    periodic_job,
)

__all__ = ["Job", "JobArgument", "JobFailure", "TimeLimitError", "WorkerDiedError", "init_jobs", "job", "periodic_job"]
