"""Command-line interface: ``flask --app moderation_hub <command>``."""

import click
from alembic import command
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from moderation_hub import migrate
from moderation_hub.accounts.models import Role, Scope
from moderation_hub.accounts.services import AccountError, RoleGrant, create_user, grant_role
from moderation_hub.db import db
from moderation_hub.demo import DEMO_PASSWORD, load_demo
from moderation_hub.frameworks.cli import frameworks_cli
from moderation_hub.jobs.cli import worker
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.samples.cli import samples_cli

db_cli = AppGroup("db", help="Database migrations.")
users_cli = AppGroup("users", help="People and their roles.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the latest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does, e.g. 'add work samples'.")
def db_revision(message: str) -> None:
    """For developers: write a new migration from the difference between the models and the database."""
    command.revision(migrate.alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="Display name.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--school-urn", help="For a teacher or assessment lead.")
@click.option("--authority-code", help="For a moderator or LA lead.")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def users_create(
    email: str, name: str, role: str, school_urn: str | None, authority_code: str | None, password: str
) -> None:
    """Create a person with a role, e.g. the first site administrator."""
    with db.transaction():
        try:
            grant = _grant_from_options(Role(role), school_urn, authority_code)
            user = create_user(email, name, password)
            grant_role(user, grant)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.email} ({Role(role).label}).")


def _grant_from_options(role: Role, school_urn: str | None, authority_code: str | None) -> RoleGrant:
    if role.scope is Scope.SCHOOL:
        school = db.session.scalar(select(School).where(School.urn == (school_urn or "")))
        if school is None:
            raise AccountError(f"A {role.label.lower()} needs --school-urn of an existing school")
        return RoleGrant(role, school=school)
    if role.scope is Scope.AUTHORITY:
        authority = db.session.scalar(select(LocalAuthority).where(LocalAuthority.code == (authority_code or "")))
        if authority is None:
            raise AccountError(f"A {role.label.lower()} needs --authority-code of an existing authority")
        return RoleGrant(role, authority=authority)
    return RoleGrant(role)


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo data set (idempotent) and print the demo logins."""
    with db.transaction():
        logins = load_demo()
    click.echo(f"Demo data is ready. Sign in with any of these (password for all: {DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.email:<48} {login.name}, {login.description}")


def init_cli(app: Flask) -> None:
    for group in (db_cli, users_cli, frameworks_cli, samples_cli, demo, worker):
        app.cli.add_command(group)
