"""``flask frameworks import|export``."""

from pathlib import Path
from typing import TextIO

import click
from flask.cli import with_appcontext

from moderation_hub.db import db
from moderation_hub.frameworks.services import export_framework, find_framework, import_framework_file
from moderation_hub.frameworks.yaml_format import FrameworkFormatError
from moderation_hub.wording import counted

frameworks_cli = click.Group("frameworks", help="Import and export assessment frameworks as YAML.")


@frameworks_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Import FILE, one version of a framework as YAML; the same version again changes nothing."""
    try:
        with db.transaction():
            summary = import_framework_file(file.read_bytes()).summary
    except FrameworkFormatError as error:
        for message in error.messages:
            click.echo(f"{file}: {message}", err=True)
        raise click.ClickException(f"nothing was imported: {counted(len(error.messages), 'problem')}") from None
    click.echo(summary)


@frameworks_cli.command("export")
@click.argument("slug")
@click.option("--version", type=click.IntRange(min=1), help="The version to export (default: the latest).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Default: standard output.")
@with_appcontext
def export_command(slug: str, version: int | None, output: TextIO) -> None:
    """Write framework SLUG as YAML: edit it and import it as the next version."""
    framework = find_framework(slug, version)
    if framework is None:
        raise click.ClickException(f"there is no framework {slug!r}" + (f" version {version}" if version else ""))
    output.write(export_framework(framework))
