"""An unexpected database error is logged with its type and route, and nothing a person typed."""

import json
import logging
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from moderation_hub.db import db
from moderation_hub.samples import services
from moderation_hub.samples.models import WorkSample
from tests.conftest import post_form, sign_in

MARKER = "Marker-5f2c typed by the teacher"


@pytest.fixture
def every_log_line(app: Flask, caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """Every record any logger emits (caplog's handler sits on the root logger; the app's loggers do not
    propagate, so it joins them too), written as the app's handler writes it."""
    formatter = logging.getLogger("moderation_hub").handlers[0].formatter
    assert formatter is not None
    apart = [logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    apart = [logger for logger in apart if not logger.propagate]
    for logger in apart:
        logger.addHandler(caplog.handler)
    yield lambda: [formatter.format(record) for record in caplog.records]
    for logger in apart:
        logger.removeHandler(caplog.handler)


def _store_as_a_user_id(sample: WorkSample, details: services.SampleDetails, *_args: object) -> None:
    # Text where an integer key belongs fails on both databases; PostgreSQL's message quotes the value.
    db.session.execute(text("INSERT INTO user_account (id) VALUES (:commentary)"), {"commentary": details.commentary})


def test_a_database_error_logs_its_type_and_route_and_no_value(
    app: Flask,
    client: FlaskClient,
    sample_a: WorkSample,
    monkeypatch: pytest.MonkeyPatch,
    every_log_line: Callable[[], list[str]],
) -> None:
    monkeypatch.setattr(services, "update_sample", _store_as_a_user_id)
    app.testing = False  # as in production: the error reaches the error page and the log, not the test
    sign_in(client, "teacher.a@example.org")
    form = {
        "pupil_code": "Y6-001",
        "year_group": "6",
        "academic_year": "2025",
        "teacher_judgement": "EXS",
        "commentary": MARKER,
        "version": str(sample_a.version),
    }
    assert post_form(client, f"/samples/{sample_a.id}/edit", form).status_code == 500

    lines = every_log_line()
    (error,) = [entry for entry in map(json.loads, lines) if entry["message"] == "unhandled error"]
    assert error["route"] == "/samples/<int:sample_id>/edit"
    assert error["error_type"].startswith("sqlalchemy.exc.")
    assert "_store_as_a_user_id" in error["exc_info"]  # the frames are kept
    for line in lines:
        assert "Marker-5f2c" not in line, line
