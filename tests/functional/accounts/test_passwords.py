"""Password rules, changes, and reset by a signed, expiring, single-use link."""

import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import timed

from moderation_hub.accounts.passwords import hash_password, password_problems
from moderation_hub.accounts.services import check_new_password
from tests.conftest import https_client, post_form, sign_in
from tests.factories import PASSWORD, World

NEW_PASSWORD = "quiet-granite-orchard-lamp"


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters() -> None:
    assert hash_password("a long enough password").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-one", "15 characters or more"),
        ("passwordpassword", "too easy to guess"),
        ("123456789012345678", "too easy to guess"),
        ("qwertyuiopasdfghjkl", "too easy to guess"),
        ("x" * 257, "256 characters or fewer"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    problems = password_problems(password, 15, [])
    assert problems
    assert reason in problems[0]


@pytest.mark.parametrize("password", ["tessalder-tessalder", "Tess.Alder.Tess.Alder", "tess.alder@example.org"])
def test_passwords_built_from_the_persons_own_name_or_email_are_refused(app: Flask, password: str) -> None:
    problems = check_new_password(password, "tess.alder@example.org", "Tess Alder")
    assert problems
    assert "too easy to guess" in problems[0]


def test_long_unrelated_words_are_accepted_without_composition_rules() -> None:
    assert password_problems("quiet granite orchard lamp", 15, ["tess.alder@example.org"]) == []


def test_changing_password_ends_other_sessions_but_keeps_this_one(
    app: Flask, client: FlaskClient, world: World
) -> None:
    other_device = https_client(app)
    sign_in(other_device, "teacher.a@example.org")
    sign_in(client, "teacher.a@example.org")

    response = post_form(client, "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    fresh = https_client(app)
    assert sign_in(fresh, "teacher.a@example.org", NEW_PASSWORD).status_code == 302


def test_changing_password_needs_the_current_one(client: FlaskClient, world: World) -> None:
    sign_in(client, "teacher.a@example.org")
    response = post_form(client, "/account/password", {"current_password": "not-it-at-all", "password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "current password is not correct" in response.get_data(as_text=True)


def test_a_weak_new_password_is_refused_and_nothing_changes(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, "teacher.a@example.org")
    response = post_form(client, "/account/password", {"current_password": PASSWORD, "password": "password1"})
    assert response.status_code == 400
    assert "15 characters or more" in response.get_data(as_text=True)
    assert sign_in(https_client(app), "teacher.a@example.org").status_code == 302


def _emails(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "subject", "").startswith("Reset")]


@pytest.fixture
def mail_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    logger = logging.getLogger("moderation_hub")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def _reset_link(mail_log: pytest.LogCaptureFixture) -> str:
    (record,) = _emails(mail_log)
    match = re.search(r"https?://[^/]+(/reset-password/\S+)", record.body)
    assert match
    return match.group(1)


def test_forgotten_password_answers_the_same_for_unknown_addresses(
    client: FlaskClient, world: World, mail_log: pytest.LogCaptureFixture
) -> None:
    known = post_form(client, "/forgotten-password", {"email": "teacher.a@example.org"})
    unknown = post_form(client, "/forgotten-password", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda page: page.replace("teacher.a@example.org", "X").replace("nobody@example.org", "X")  # noqa: E731
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    assert len(_emails(mail_log)) == 1


def test_reset_link_sets_a_new_password_once(
    app: Flask, client: FlaskClient, world: World, mail_log: pytest.LogCaptureFixture
) -> None:
    post_form(client, "/forgotten-password", {"email": "teacher.a@example.org"})
    link = _reset_link(mail_log)
    assert post_form(client, link, {"password": NEW_PASSWORD}).status_code == 302
    assert sign_in(https_client(app), "teacher.a@example.org", NEW_PASSWORD)

    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_reset_link_expires(
    client: FlaskClient, world: World, mail_log: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_form(client, "/forgotten-password", {"email": "teacher.a@example.org"})
    link = _reset_link(mail_log)
    real_time = timed.time.time
    monkeypatch.setattr(timed.time, "time", lambda: real_time() + 3 * 3600)
    response = client.get(link)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_a_tampered_reset_link_is_refused(client: FlaskClient, world: World) -> None:
    response = client.get("/reset-password/eyJ1c2VyIjoxfQ.forged.signature")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
