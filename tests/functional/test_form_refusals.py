"""Refusals the form walk cannot see from outside: a button's garbled hidden value, a field left out of a post that
edits a stored row, and the per-line rule of a list of codes. Each is refused by name and stores nothing."""

import html

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.rounds.models import ModerationRound
from moderation_hub.samples.models import Page
from tests.conftest import https_client, post_form, sign_in
from tests.factories import World
from tests.functional.conftest import matrix_ids


def _client(app: Flask, world: World, role: str) -> FlaskClient:
    client = https_client(app)
    sign_in(client, getattr(world, role).email)
    return client


def _text(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


@pytest.mark.parametrize("garbled", ["abc", ""])
def test_a_garbled_yes_or_no_is_refused_by_name_never_read_as_no(
    app: Flask, session: Session, world: World, page_a: Page, garbled: str
) -> None:
    lead, teacher = _client(app, world, "la_lead"), _client(app, world, "teacher_a")
    person = f"/people/{world.teacher_a.id}"
    page = f"/pages/{page_a.id}"

    active = post_form(lead, f"{person}/active", {"active": garbled}, page=person, follow_redirects=True)
    flagged = post_form(teacher, f"{page}/needs-redaction", {"needed": garbled}, page=page, follow_redirects=True)

    assert "Account active must be yes or no" in _text(active)
    assert "Page needs redaction must be yes or no" in _text(flagged)
    session.expire_all()
    assert world.teacher_a.is_active and not page_a.needs_redaction
    post_form(lead, f"{person}/active", {"active": "no"}, page=person)
    session.expire_all()
    assert not world.teacher_a.is_active


def test_a_field_left_out_of_an_edit_is_missing_not_the_stored_value(
    app: Flask, session: Session, world: World
) -> None:
    lead = _client(app, world, "la_lead")
    url = f"/clusters/{world.cluster.id}/edit"
    name = world.cluster.name

    refused = post_form(lead, url, {}, page=url)

    assert refused.status_code == 400 and 'id="name-error"' in refused.get_data(as_text=True)
    session.expire_all()
    assert world.cluster.name == name


def test_a_pupil_code_in_a_request_with_an_invisible_character_is_refused_by_name(
    app: Flask, world: World, framework_slug: str, page_a: Page, round_a: ModerationRound
) -> None:
    lead = _client(app, world, "la_lead")
    url = "/rounds/{round}/schools/{part_a}/request".format(**matrix_ids(world, framework_slug, page_a, round_a))

    refused = post_form(lead, url, {"kind": "named", "codes": "Y6-001\r\nY6\u200b-002"}, page=url)

    assert refused.status_code == 400 and 'id="codes-error"' in refused.get_data(as_text=True)
    assert "Pupil codes must not contain invisible characters" in _text(refused)


def test_an_evidence_note_has_a_limit_that_is_shown_and_refused_by_name(
    app: Flask, session: Session, world: World, page_a: Page
) -> None:
    teacher = _client(app, world, "teacher_a")
    sample = page_a.sample
    criterion = sample.framework.criteria[0]
    url = f"/samples/{sample.id}/evidence"
    shown = teacher.get(url).get_data(as_text=True)
    posted = {"version": sample.version, f"status-{criterion.id}": "met", f"note-{criterion.id}": "x" * 2_001}

    refused = post_form(teacher, url, posted, page=url)

    assert 'maxlength="2000"' in shown and "up to 2,000 characters" in shown
    assert refused.status_code == 400
    assert f'href="#note-{criterion.id}"' in _text(refused)
    assert f"Note on {criterion.code} must be 2,000 characters or fewer" in _text(refused)
    assert "x" * 2_001 in _text(refused)  # shown as posted, so nothing typed is lost
    session.expire_all()
    assert sample.evidence == []
