"""What viewing pupils' work leaves in the audit log (who, what, when), and what uploading it never leaves in
the application's log lines: file names, pupils' names or pupil codes."""

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.audit.models import AuditEvent
from moderation_hub.frameworks.models import Framework
from moderation_hub.samples.models import FileStatus, SourceFile, WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample
from tests.conftest import sign_in
from tests.factories import World
from tests.functional.samples.test_uploads import upload
from tests.unit.ingestion import samples as files

# The loggers the application configures; neither passes its records on to the root logger.
APP_LOGGERS = ("moderation_hub", "flask_limiter")
PUPIL_CODE = "SMITHJ-07"
PUPIL = "Jane Smith"


def events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()  # read back what the request stored, not what the session remembers
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def who_and_what(event: AuditEvent) -> tuple[int | None, str, int, dict[str, object]]:
    return event.actor_id, event.subject_type, event.subject_id, event.details


def assert_recorded_just_now(event: AuditEvent, before: dt.datetime) -> None:
    """The event's time is in UTC, and is when the request ran (so not local time labelled UTC)."""
    assert event.occurred_at.utcoffset() == dt.timedelta(0)
    assert before <= event.occurred_at <= dt.datetime.now(dt.UTC)


def test_viewing_a_sample_is_recorded_with_who_what_and_when(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    before = dt.datetime.now(dt.UTC)
    assert client.get(f"/samples/{sample_a.id}").status_code == 200

    (viewed,) = events(session, "sample.viewed")
    assert who_and_what(viewed) == (world.teacher_a.id, "work_sample", sample_a.id, {})
    assert_recorded_just_now(viewed, before)


def test_viewing_a_page_is_recorded_with_who_what_and_when(
    client: FlaskClient, world: World, essay: WorkSample, session: Session
) -> None:
    second_page = essay.pages[1]
    before = dt.datetime.now(dt.UTC)
    assert client.get(f"/pages/{second_page.id}").status_code == 200

    (viewed,) = events(session, "page.viewed")
    assert who_and_what(viewed) == (world.teacher_a.id, "work_page", second_page.id, {"sample_id": essay.id})
    assert_recorded_just_now(viewed, before)


@pytest.fixture
def app_log(app: Flask, caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """The lines the application has logged so far, at every level, as its handler writes them (JSON)."""
    formatter = logging.getLogger("moderation_hub").handlers[0].formatter
    assert formatter is not None
    for name in APP_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)  # put back after the test
        logging.getLogger(name).addHandler(caplog.handler)
    yield lambda: [formatter.format(record) for record in caplog.records]
    for name in APP_LOGGERS:
        logging.getLogger(name).removeHandler(caplog.handler)


# A file named after the pupil, and what becomes of it (None: refused while the teacher waits).
UPLOADS = [
    pytest.param(f"{PUPIL} essay.pdf", files.essay_pdf(), FileStatus.READY, id="processed"),
    pytest.param(f"{PUPIL} photo.jpg", files.jpeg_with_a_bad_table(), FileStatus.FAILED, id="failed in the worker"),
    pytest.param(f"{PUPIL} essay.pdf", files.truncated(files.essay_pdf()), None, id="refused at upload"),
]


@pytest.mark.parametrize(("filename", "content", "status"), UPLOADS)
def test_uploading_a_pupils_work_logs_no_file_name_pupil_name_or_pupil_code(
    client: FlaskClient,
    world: World,
    ks2_writing: Framework,
    session: Session,
    app_log: Callable[[], list[str]],
    filename: str,
    content: bytes,
    status: FileStatus | None,
) -> None:
    sample = create_sample(world.school_a, ks2_writing, SampleDetails(PUPIL_CODE, 6, 2025), world.teacher_a)
    sign_in(client, "teacher.a@example.org")
    response = upload(client, sample, (filename, content))
    assert response.status_code == (400 if status is None else 302)
    session.expire_all()
    assert [source.status for source in session.scalars(select(SourceFile))] == ([status] if status else [])
    assert PUPIL_CODE in client.get(f"/samples/{sample.id}").get_data(as_text=True)

    lines = app_log()
    logged = [json.loads(line) for line in lines]
    uploads = [entry for entry in logged if entry.get("route") == "/samples/<int:sample_id>/files"]
    assert [entry["status"] for entry in uploads if entry["method"] == "POST"] == [response.status_code]
    if status is FileStatus.READY:
        assert any(entry["message"] == "file processed" for entry in logged)
    if status is FileStatus.FAILED:
        assert any(entry["message"] == "file failed" for entry in logged)
    for line in lines:
        for private in (filename, PUPIL, files.PUPIL_NAME, PUPIL_CODE):
            assert private not in line, (private, line)
