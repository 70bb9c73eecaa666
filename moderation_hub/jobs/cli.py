"""``flask --app moderation_hub worker``: run queued jobs until stopped."""

import click
from flask import current_app
from flask.cli import with_appcontext

from moderation_hub.jobs.worker import WorkerConfigurationError, run_worker


@click.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="How many jobs run at once, each in a process of its own (default: the JOB_WORKERS setting).",
)
@with_appcontext
def worker(workers: int | None) -> None:
    """Run queued jobs until stopped: Ctrl-C lets running jobs finish, SIGTERM interrupts and re-queues them."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        run_worker(app, workers or app.config["JOB_WORKERS"])
    except WorkerConfigurationError as error:
        raise click.ClickException(str(error)) from None
