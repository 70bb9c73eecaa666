"""The command line: migrating, creating people, and the idempotent demo data set."""

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from moderation_hub import create_app
from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.db import db
from moderation_hub.demo import DEMO_PASSWORD
from moderation_hub.education import SchoolType
from moderation_hub.frameworks.models import Framework
from moderation_hub.organisations.models import Cluster, LocalAuthority, School
from moderation_hub.rounds.models import RoundEntry


@pytest.fixture
def file_app(tmp_path: Path) -> Flask:
    """An app on its own SQLite file, migrated by the CLI as an operator would."""
    app = create_app(
        {
            "ENVIRONMENT": "testing",
            "SECRET_KEY": "cli-test",
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        }
    )
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return app


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_a_whole_authority_and_is_idempotent(file_app: Flask) -> None:
    runner = file_app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = {
        model: _count(file_app, model) for model in (LocalAuthority, Cluster, School, User, Membership, Framework)
    }

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert {model: _count(file_app, model) for model in counts} == counts

    assert counts[LocalAuthority] == 1
    assert counts[Cluster] == 3
    assert counts[School] == 12
    assert counts[Framework] == 5
    assert DEMO_PASSWORD in first.output
    assert "la.lead@demo.moderation-hub.test" in first.output
    with file_app.app_context():
        types = set(db.session.scalars(select(School.school_type)))
        roles = set(db.session.scalars(select(Membership.role)))
    assert types >= {
        SchoolType.INFANT,
        SchoolType.JUNIOR,
        SchoolType.PRIMARY,
        SchoolType.SECONDARY,
        SchoolType.ALL_THROUGH,
        SchoolType.SPECIAL,
    }
    assert roles == set(Role)


def test_demo_prints_its_logins_last_with_every_school_lead_its_rounds_need(file_app: Flask) -> None:
    result = file_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output

    lines = result.output.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("Demo data is ready."))
    logins = lines[header + 1 :]
    # Nothing follows the logins: serve-demo.sh prints this output last, once the server is up.
    assert logins and all(line.startswith("  ") and "demo.moderation-hub.test " in line for line in logins)
    printed = {line.split()[0] for line in logins}
    with file_app.app_context():
        # Each school in a demo round: its assessment lead entered its samples and reads its outcomes.
        schools = set(db.session.scalars(select(RoundEntry.school_id)))
        school_leads = {
            school_id: set(
                db.session.scalars(
                    select(User.email)
                    .join(Membership)
                    .where(Membership.school_id == school_id, Membership.role == Role.ASSESSMENT_LEAD)
                )
            )
            for school_id in schools
        }
    assert len(school_leads) == 5  # Harbourside, Kestrel Hill, Bramblewood, St Aidan's and Market Street
    assert {school_id: bool(emails & printed) for school_id, emails in school_leads.items()} == dict.fromkeys(
        school_leads, True
    )
    people = ("la.lead@", "moderator@", "lead@harbourside.", "year6@harbourside.", "year2@kestrel.", "new.teacher@")
    assert all(any(email.startswith(person) for email in printed) for person in people)


def test_users_create_makes_a_site_admin_who_can_sign_in(file_app: Flask) -> None:
    result = file_app.test_cli_runner().invoke(
        args=["users", "create", "--email", "Boss@Example.org", "--name", "Bo Boss", "--role", "site_admin"],
        input="violet-kettle-harbour-drum\nviolet-kettle-harbour-drum\n",
    )
    assert result.exit_code == 0, result.output
    with file_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert user is not None
        assert user.is_site_admin


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "teacher"], "needs --school-urn"),
        (["--role", "moderator", "--authority-code", "NOPE"], "needs --authority-code"),
        (["--role", "site_admin", "--password", "short"], "15 characters or more"),
    ],
)
def test_users_create_explains_what_is_wrong_and_stores_nothing(
    file_app: Flask, arguments: list[str], message: str
) -> None:
    args = ["users", "create", "--email", "x@example.org", "--name", "X", *arguments]
    if "--password" not in arguments:
        args += ["--password", "violet-kettle-harbour-drum"]
    result = file_app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert _count(file_app, User) == 0
