"""The site answers only for the hosts it is configured with, and links in emails name SERVER_NAME whatever a
request says about its host or scheme."""

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection

from moderation_hub.accounts.models import Role
from tests.conftest import build_test_app, csrf_token_from, https_client, post_form, sign_in
from tests.factories import World

ALIAS = "alias.example.org"  # a second name the site answers to, through TRUSTED_HOSTS
FORGED = "attacker.example"
REFUSAL = "This site does not answer for that host name."
LINK = re.compile(r"\b\w+://\S+")


@pytest.fixture
def app(connection: Connection, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The suite's app (SERVER_NAME localhost, https links) behind one proxy, which passes on the host and scheme
    a client claims, answering to ALIAS as well."""
    app = build_test_app(connection, database_url, tmp_path, PROXY_FIX_HOPS=1, TRUSTED_HOSTS=ALIAS)
    with app.app_context():
        yield app


@pytest.fixture
def mail(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The log, where emails are written (there is no MAIL_SERVER in tests)."""
    logger = logging.getLogger("moderation_hub")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def _claiming(client: FlaskClient, host: str) -> FlaskClient:
    """The client's requests say, through the proxy, that they were for ``host`` over plain HTTP."""
    client.environ_base |= {"HTTP_X_FORWARDED_HOST": host, "HTTP_X_FORWARDED_PROTO": "http"}
    return client


def _bodies(mail: pytest.LogCaptureFixture) -> list[str]:
    return [record.body for record in mail.records if hasattr(record, "body")]


def _links(mail: pytest.LogCaptureFixture) -> list[str]:
    bodies = _bodies(mail)
    assert bodies, "no email was written"
    return [link for body in bodies for link in LINK.findall(body)]


def test_a_password_reset_asked_for_under_another_host_links_to_the_configured_one(
    client: FlaskClient, world: World, mail: pytest.LogCaptureFixture
) -> None:
    response = post_form(_claiming(client, ALIAS), "/forgotten-password", {"email": "teacher.a@example.org"})
    assert response.status_code == 200
    (link,) = _links(mail)
    assert link.startswith("https://localhost/reset-password/")


def test_invitations_asked_for_under_another_host_link_to_the_configured_one(
    client: FlaskClient, world: World, mail: pytest.LogCaptureFixture
) -> None:
    sign_in(_claiming(client, ALIAS), "la.lead@example.org")
    for email in ("newcomer@example.org", "teacher.a@example.org"):  # a new person, and someone with an account
        data = {"email": email, "role": Role.TEACHER.value, "school": str(world.school_a.id), "authority": ""}
        assert post_form(client, "/people/invite", data).status_code == 302
    invitation, sign_in_link = _links(mail)
    assert invitation.startswith("https://localhost/invitations/")
    assert sign_in_link == "https://localhost/sign-in"


@pytest.mark.parametrize("claim", [{"Host": FORGED}, {"X-Forwarded-Host": FORGED}], ids=["Host", "X-Forwarded-Host"])
def test_a_request_for_a_host_the_site_does_not_serve_is_refused_and_sends_nothing(
    client: FlaskClient, world: World, mail: pytest.LogCaptureFixture, claim: dict[str, str]
) -> None:
    token = csrf_token_from(client.get("/forgotten-password").text)
    data = {"email": "teacher.a@example.org", "csrf_token": token}
    response = client.post("/forgotten-password", data=data, headers=claim)
    assert (response.status_code, response.text) == (400, REFUSAL)
    assert not _bodies(mail)


def test_production_refuses_a_forged_host_with_a_plain_400(
    connection: Connection, database_url: str, tmp_path: Path
) -> None:
    production = build_test_app(
        connection, database_url, tmp_path, ENVIRONMENT="production", SERVER_NAME="moderation.example.org"
    )
    client = https_client(production)
    assert client.get("/sign-in").status_code == 200
    refused = client.get("/sign-in", headers={"Host": FORGED})
    assert (refused.status_code, refused.text) == (400, REFUSAL)
