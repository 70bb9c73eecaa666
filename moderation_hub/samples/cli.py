"""``flask samples import``: bring an authority's existing archive of pupils' work in from a CSV manifest;
``flask samples requeue-stale``: queue again the uploads and redactions whose job the queue lost."""

from contextlib import closing
from pathlib import Path

import click
from flask.cli import with_appcontext

from moderation_hub.accounts.services import find_user_by_email
from moderation_hub.clock import current_academic_year
from moderation_hub.db import db
from moderation_hub.samples import processing
from moderation_hub.samples.bulk_import import (
    COLUMNS,
    ImportSummary,
    ManifestError,
    SampleWork,
    import_files,
    prepare_samples,
    read_manifest,
    worker_count,
)
from moderation_hub.wording import counted

samples_cli = click.Group("samples", help="Work samples.")


@samples_cli.command("import", epilog=f"The manifest's header: {','.join(COLUMNS)}")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "author_email",
    required=True,
    metavar="EMAIL",
    help="The person the audit log records as creating the samples and uploading the files, e.g. the LA lead.",
)
@click.option(
    "--academic-year",
    type=click.IntRange(2000, 2100),
    default=current_academic_year,
    help="The samples' academic year by the year it starts: 2025 is 2025/26 (default: the current one).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="How many samples are imported at once (on PostgreSQL; SQLite takes one at a time).",
)
@with_appcontext
def import_command(manifest: Path, author_email: str, academic_year: int, jobs: int) -> None:
    """Import the pupils' work listed in MANIFEST, a CSV file with one row per file.

    Rows with the same school and pupil code make one sample. The whole manifest is checked first and
    nothing is imported unless every row is right. Running it again after an interruption skips what
    was imported and finishes the rest.
    """
    author_id, work, summary = _prepare(manifest, author_email, academic_year)
    file_count = sum(len(sample.files) for sample in work)
    year = f"{academic_year}/{(academic_year + 1) % 100:02d}"
    click.echo(f"{counted(len(work), 'sample')}, {counted(file_count, 'file')} for {year}.")
    workers = worker_count(jobs)
    if workers < jobs:
        click.echo("The database is SQLite, so samples are imported one at a time.")
    try:
        _import(work, author_id, workers, file_count, summary)
    except KeyboardInterrupt:
        click.echo("Stopped: run the same command again to finish the import.", err=True)
        raise
    for line in summary.lines():
        click.echo(line)
    if summary.failures:
        raise click.ClickException(
            f"{counted(len(summary.failures), 'file was', 'files were')} not imported (listed above)"
        )


def _prepare(manifest: Path, author_email: str, academic_year: int) -> tuple[int, list[SampleWork], ImportSummary]:
    """Check everything, storing nothing; the import creates each new sample with its first accepted file."""
    try:
        with db.transaction():
            author = find_user_by_email(author_email)
            if author is None or not author.is_active:
                raise click.BadParameter(f"there is no active account for {author_email}", param_hint="--as")
            planned = read_manifest(manifest, academic_year)
            reused = sum(sample.existing is not None for sample in planned)
            return author.id, prepare_samples(planned), ImportSummary(samples_reused=reused)
    except ManifestError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"nothing was imported: {counted(len(error.problems), 'problem')} in {manifest}"
        ) from None


def _import(work: list[SampleWork], author_id: int, workers: int, file_count: int, summary: ImportSummary) -> None:
    bar = click.progressbar(length=file_count, label="Importing files", item_show_func=lambda progress: progress)
    # closing: whatever interrupts the loop (Ctrl-C) stops the import's threads there and then.
    with bar, closing(import_files(work, author_id, workers)) as outcomes:
        for outcome in outcomes:
            summary.add(outcome)
            bar.update(1, summary.progress)


@samples_cli.command("requeue-stale")
@with_appcontext
def requeue_stale_command() -> None:
    """Queue again the work whose job the queue lost, as the worker does every five minutes: files still
    processing INGEST_STALE_MINUTES after upload, and pages still waiting for redacted images, whose job
    is neither waiting, retrying nor running. A file that has used every attempt is marked failed instead.
    Safe to run while workers run: it takes the workers' sweep lock, so it never sweeps while one does.
    """
    with processing.requeue_stale_work.exclusively() as held:
        if not held:
            raise click.ClickException("A worker is sweeping now: nothing was done. Try again in a minute.")
        with db.transaction():
            sweep = processing.requeue_stale()
    for line in sweep.lines():
        click.echo(line)
