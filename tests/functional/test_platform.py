"""What every response carries: security headers, friendly error pages, JSON logs; and the health check."""

import json
import logging
import re

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from tests.conftest import https_client, post_form, sign_in
from tests.factories import PASSWORD, World


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/sign-in", "/no-such-page", "/healthz"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_is_sent_only_over_https(app: Flask) -> None:
    assert "Strict-Transport-Security" not in app.test_client().get("/", url_scheme="http").headers


def test_pages_have_no_inline_scripts(client: FlaskClient, world: World) -> None:
    sign_in(client, "la.lead@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "<script>" not in page
    assert all(" src=" in tag for tag in page.split("<script")[1:])
    assert "GOV.UK" not in page  # not a GOV.UK service: no crown, no GOV.UK logotype


def test_health_check_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "reachable"}


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_server_error_shows_no_traceback(app: Flask, client: FlaskClient) -> None:
    @app.get("/explode")
    def explode() -> str:
        raise RuntimeError("secret internals")

    app.testing = False  # as in production: errors reach the handler instead of the test
    response = client.get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page
    assert "Traceback" not in page


def test_logs_are_json_lines_with_utc_time_request_and_user_ids(
    app: Flask, client: FlaskClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("moderation_hub")
    formatter = logger.handlers[0].formatter
    logger.addHandler(caplog.handler)
    try:
        sign_in(client, "teacher.a@example.org")
        client.get("/dashboard", headers={"X-Request-ID": "req-12345678"})
    finally:
        logger.removeHandler(caplog.handler)
    entries = [json.loads(formatter.format(record)) for record in caplog.records]
    dashboard = next(entry for entry in entries if entry.get("route") == "/dashboard")
    assert dashboard["request_id"] == "req-12345678"
    assert dashboard["user_id"] == world.teacher_a.id
    assert dashboard["time"].endswith("+00:00")
    assert dashboard["status"] == 200


def test_logs_never_carry_passwords_or_tokens(
    app: Flask, client: FlaskClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["ENVIRONMENT"] = "production"  # production does not log email bodies
    logger = logging.getLogger("moderation_hub")
    formatter = logger.handlers[0].formatter
    logger.addHandler(caplog.handler)
    try:
        post_form(client, "/sign-in", {"email": "teacher.a@example.org", "password": "wrong-secret-guess"})
        sign_in(client, "teacher.a@example.org")
        client.get("/reset-password/some.secret-token-value")
        post_form(client, "/forgotten-password", {"email": "lead.a@example.org"}, page="/forgotten-password")
    finally:
        logger.removeHandler(caplog.handler)
    written = "\n".join(formatter.format(record) for record in caplog.records)
    assert "wrong-secret-guess" not in written
    assert PASSWORD not in written
    assert "secret-token-value" not in written
    assert "/reset-password/<token>" in written
    assert "reset-password/" not in written.replace("/reset-password/<token>", "")


SEGMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.mark.parametrize("bad", ["\x00", "\u202e", "\u200b"])
def test_a_control_or_invisible_character_in_a_url_segment_is_a_404_at_routing(
    app: Flask, world: World, bad: str
) -> None:
    """Every route's text segment (a blind code, a token, a variant) refuses what text fields refuse, before a
    view reads it: ``%00`` reaching a query is a 500 on PostgreSQL."""
    client = https_client(app)
    sign_in(client, world.la_lead.email)
    walked = 0
    for rule in app.url_map.iter_rules():
        segments = {name: converter or "default" for converter, name in SEGMENT.findall(rule.rule)}
        if not {"default", "string"} & set(segments.values()):
            continue
        values = {name: 1 if converter == "int" else f"AB{bad}C" for name, converter in segments.items()}
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            assert client.open(url, method=method).status_code == 404, (method, rule.rule)
            walked += 1
    assert walked > 5
