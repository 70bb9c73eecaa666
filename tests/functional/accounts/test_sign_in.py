"""Signing in and out: cookies, revocation, CSRF, throttling, and messages that reveal nothing."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tests.conftest import build_test_app, csrf_token_from, https_client, post_form, sign_in
from tests.factories import PASSWORD, World

GENERIC_FAILURE = "Enter a correct email address and password"


def test_sign_in_takes_a_teacher_to_their_dashboard(client: FlaskClient, world: World) -> None:
    response = sign_in(client, "Teacher.A@Example.org")  # email matching ignores case
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Hello, Tess Alder" in page
    assert "Alder Primary School" in page


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("teacher.a@example.org", "not-the-right-password"),
        ("nobody@example.org", PASSWORD),
    ],
    ids=["wrong password", "no such account"],
)
def test_failed_sign_in_says_the_same_whether_or_not_the_account_exists(
    client: FlaskClient, world: World, email: str, password: str
) -> None:
    response = post_form(client, "/sign-in", {"email": email, "password": password})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert GENERIC_FAILURE in page
    assert "no account" not in page.lower()


def test_deactivated_account_cannot_sign_in_and_gets_the_generic_message(
    client: FlaskClient, world: World, session: Session
) -> None:
    world.teacher_a.is_active = False
    session.flush()
    response = post_form(client, "/sign-in", {"email": "teacher.a@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert GENERIC_FAILURE in response.get_data(as_text=True)


def test_session_and_remember_cookies_are_secure_httponly_and_lax(client: FlaskClient, world: World) -> None:
    response = post_form(client, "/sign-in", {"email": "teacher.a@example.org", "password": PASSWORD, "remember": "y"})
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    assert set(cookies) >= {"mh_session", "mh_remember"}
    for header in cookies.values():
        assert "Secure" in header
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header


def test_sign_in_rejects_a_post_without_csrf_token(client: FlaskClient, world: World) -> None:
    response = client.post("/sign-in", data={"email": "teacher.a@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_sign_in_ignores_a_next_address_on_another_site(client: FlaskClient, world: World) -> None:
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in?next=https://evil.example/steal",
        data={"email": "teacher.a@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/dashboard"


def test_sign_in_follows_a_next_path_on_this_site(client: FlaskClient, world: World) -> None:
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in?next=/account",
        data={"email": "teacher.a@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/account"


def _copy_cookies(source: FlaskClient, target: FlaskClient) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, "teacher.a@example.org")
    thief = https_client(app)
    _copy_cookies(client, thief)
    assert thief.get("/dashboard").status_code == 200

    response = post_form(client, "/sign-out", {}, page="/dashboard")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302
    assert thief.get("/dashboard").status_code == 302


def test_signing_out_ends_remember_me_cookies_on_other_devices(app: Flask, client: FlaskClient, world: World) -> None:
    laptop = https_client(app)
    post_form(laptop, "/sign-in", {"email": "teacher.a@example.org", "password": PASSWORD, "remember": "y"})
    # Only the remember cookie survives a closed browser.
    laptop.delete_cookie("mh_session", domain="localhost")
    assert laptop.get("/dashboard").status_code == 200

    sign_in(client, "teacher.a@example.org")
    post_form(client, "/sign-out", {}, page="/dashboard")

    laptop.delete_cookie("mh_session", domain="localhost")
    assert laptop.get("/dashboard").status_code == 302


def test_sign_out_needs_a_csrf_token(client: FlaskClient, world: World) -> None:
    sign_in(client, "teacher.a@example.org")
    assert client.post("/sign-out").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_repeated_failures_for_one_account_are_throttled_with_a_clear_message(
    client: FlaskClient, world: World
) -> None:
    for _ in range(5):
        response = post_form(client, "/sign-in", {"email": "teacher.a@example.org", "password": "wrong-guess-x"})
        assert response.status_code == 400
    response = post_form(client, "/sign-in", {"email": "TEACHER.A@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "too many unsuccessful attempts" in response.get_data(as_text=True).lower()
    # Another account from the same address is not locked out by the first account's failures.
    assert sign_in(client, "teacher.b@example.org").status_code == 302


def test_repeated_failures_from_one_address_are_throttled_across_accounts(
    app: Flask, client: FlaskClient, world: World
) -> None:
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for number in range(3):
        post_form(client, "/sign-in", {"email": f"guess{number}@example.org", "password": "wrong-guess-x"})
    response = post_form(client, "/sign-in", {"email": "teacher.a@example.org", "password": PASSWORD})
    assert response.status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(app: Flask, world: World) -> None:
    for _ in range(7):
        fresh = https_client(app)
        assert sign_in(fresh, "teacher.a@example.org").status_code == 302


def test_anonymous_visitor_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def _fail_five_times_then_restart(
    connection: Connection, database_url: str, tmp_path: Path, **settings: object
) -> FlaskClient:
    """Five failed sign-ins on one app server, then a client of a freshly started one."""
    first = build_test_app(connection, database_url, tmp_path, **settings)
    client = https_client(first)
    with first.app_context():
        for _ in range(5):
            response = post_form(client, "/sign-in", {"email": "teacher.a@example.org", "password": "wrong-guess-x"})
            assert response.status_code == 400
    # A new app builds new limiter storage, as another process or server would.
    second = build_test_app(connection, database_url, tmp_path, **settings)
    return https_client(second)


@pytest.fixture
def limiter_prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix for this test's failure counts, removed with them afterwards.

    Flask-Limiter's extension is one per process and keeps the first key prefix it is given for every app
    initialised after (one app per process in production), so later tests' Redis-backed apps count under
    this prefix too: the five failures left here would lock teacher.a out of them for 15 minutes.
    """
    prefix = f"mh-test-{uuid.uuid4().hex}"
    yield prefix
    store = redis.Redis.from_url(redis_url)
    for key in store.scan_iter(f"*{prefix}*"):
        store.delete(key)


def test_with_redis_the_failure_count_is_shared_by_every_app_server(
    connection: Connection, database_url: str, tmp_path: Path, world: World, redis_url: str, limiter_prefix: str
) -> None:
    other_server = _fail_five_times_then_restart(
        connection, database_url, tmp_path, REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=limiter_prefix
    )
    response = post_form(other_server, "/sign-in", {"email": "teacher.a@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert redis.Redis.from_url(redis_url).keys(f"*{limiter_prefix}*")


def test_without_redis_each_process_counts_on_its_own(
    connection: Connection, database_url: str, tmp_path: Path, world: World
) -> None:
    other_server = _fail_five_times_then_restart(connection, database_url, tmp_path)
    assert sign_in(other_server, "teacher.a@example.org").status_code == 302
