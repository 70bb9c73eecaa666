"""A page whose redactions the worker cannot burn into new images fails after its attempts, with the reason
and what to do: the teacher sees it, the sample cannot be submitted, and the sweep stops queueing it. A new
change of redactions gives it fresh attempts.

Jobs run where they are queued here (JOB_IMMEDIATE), each retry at once; test_stale_work_queues.py has the
sweep against a real queue.
"""

import html

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.ingestion.geometry import Box
from moderation_hub.samples import processing
from moderation_hub.samples.models import Page, WorkSample
from moderation_hub.samples.services import SampleDetails, update_sample
from moderation_hub.storage import storage
from tests.conftest import post_form
from tests.factories import World
from tests.functional.samples.test_page_status import strip_entries
from tests.functional.samples.test_pages import _darkest_inside
from tests.functional.samples.test_stale_work import requeue_stale

NOTHING = ["Nothing was waiting for a job the queue had lost."]
MISSING = "the page's stored image is missing. Remove the file it came from and upload it again"
FAULT = "a fault on our side stopped it. To try again later, add or remove a redaction on this page"
BOX = {"x0": "0.1", "y0": "0.1", "x1": "0.4", "y1": "0.2"}


def _redact(client: FlaskClient, page: Page, box: dict[str, str] = BOX) -> None:
    assert post_form(client, f"/pages/{page.id}/redactions", box).status_code == 302


def _text(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


@pytest.fixture
def lost_master(essay: WorkSample, client: FlaskClient, session: Session) -> Page:
    """The essay's first page, its master gone from storage, redacted: its images cannot be made again."""
    page = essay.pages[0]
    storage().delete(page.master_key)
    _redact(client, page)
    session.expire_all()
    return page


def test_a_page_whose_master_is_lost_fails_with_the_reason_after_its_attempts(
    app: Flask, lost_master: Page, session: Session
) -> None:
    page = lost_master
    assert page.images_outdated
    assert page.remake_attempts == 3  # the first attempt and JOB_RETRIES (2) more
    assert page.remake_failure == MISSING

    assert requeue_stale(app) == NOTHING  # a failed page waits for the teacher: never queued again
    assert requeue_stale(app) == NOTHING
    session.expire_all()
    assert (page.remake_attempts, page.remake_failure) == (3, MISSING)


def test_the_page_and_its_sample_show_why_the_redactions_failed(
    client: FlaskClient, essay: WorkSample, lost_master: Page
) -> None:
    page_view = _text(client.get(f"/pages/{lost_master.id}"))

    assert "govuk-warning-text" in page_view
    assert f"The redactions on this page could not be applied, so the image below does not show them: {MISSING}." in (
        " ".join(page_view.split())
    )
    assert "are being applied" not in page_view
    key = f"{essay.files[0].id}-0"
    assert strip_entries(page_view)[key] == "Page 1 Redactions not applied"
    status = client.get(f"/samples/{essay.id}/status.json").get_json()
    assert status["pages_outdated"] == 0  # nothing left for the page's scripts to wait for
    [first, _] = status["page_statuses"]
    assert first["tags"] == [{"text": "Redactions not applied", "colour": "red"}]
    assert (first["in_progress"], first["failure"]) == (False, f"Its redactions could not be applied: {MISSING}.")
    sample_page = _text(client.get(f"/samples/{essay.id}"))
    assert f"Redactions could not be applied to page 1: {MISSING}" in sample_page
    assert "Wait while redactions are applied" not in sample_page


def test_a_sample_with_a_failed_page_cannot_be_submitted_and_says_what_to_do(
    client: FlaskClient, world: World, essay: WorkSample, lost_master: Page, session: Session
) -> None:
    update_sample(essay, SampleDetails("Y6-001", 6, 2025, "EXS"), essay.version, world.teacher_a)

    response = post_form(client, f"/samples/{essay.id}/submit", {"version": essay.version}, page="/account")

    assert response.status_code == 409
    assert f"Redactions could not be applied to page 1: {MISSING}" in _text(response)
    session.expire_all()
    assert essay.state.value == "draft"


def test_the_unredacted_images_of_a_failed_page_reach_only_its_school(client: FlaskClient, lost_master: Page) -> None:
    """The teacher still sees the page to fix it; every reader outside the school gets a 404 (see rounds)."""
    assert client.get(f"/pages/{lost_master.id}/display.jpg").status_code == 200


def test_a_new_redaction_gives_a_failed_page_fresh_attempts_and_its_images_are_made(
    client: FlaskClient, essay: WorkSample, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = essay.pages[0]
    calls: list[int] = []

    def failing(*_args: object) -> None:
        calls.append(1)
        raise RuntimeError("the worker ran out of disk")

    monkeypatch.setattr(processing, "redact_page", failing)
    _redact(client, page)
    session.expire_all()
    assert (len(calls), page.remake_attempts, page.remake_failure) == (3, 3, FAULT)
    unredacted = page.display_key

    monkeypatch.undo()
    _redact(client, page, {"x0": "0.5", "y0": "0.5", "x1": "0.8", "y1": "0.6"})

    session.expire_all()
    assert (page.images_outdated, page.remake_attempts, page.remake_failure) == (False, 1, None)
    assert page.display_key != unredacted
    for box in (Box(0.1, 0.1, 0.4, 0.2), Box(0.5, 0.5, 0.8, 0.6)):  # the failed change's box, and the new one
        assert _darkest_inside(storage().get(page.display_key), box) <= 40


def test_the_sweep_fails_a_page_that_has_used_every_attempt(app: Flask, essay: WorkSample, session: Session) -> None:
    """Its last run's failure report was lost with the queue: the sweep says why instead of queueing it for ever."""
    page = essay.pages[0]
    page.images_outdated, page.remake_attempts = True, 3
    session.flush()

    assert requeue_stale(app) == [f"Marked new images of page {page.id} as failed: they had used every attempt."]

    session.expire_all()
    assert page.remake_failure == (
        "it was tried 3 times without finishing. To try again, add or remove a redaction on this page"
    )
    assert requeue_stale(app) == NOTHING


def test_the_sweep_queues_a_page_with_attempts_left_and_it_is_remade(
    app: Flask, essay: WorkSample, session: Session
) -> None:
    page = essay.pages[0]
    page.images_outdated, page.remake_attempts = True, 2
    session.flush()

    assert requeue_stale(app) == [f"Queued new images of page {page.id} again."]

    session.expire_all()
    assert (page.images_outdated, page.remake_attempts, page.remake_failure) == (False, 3, None)
