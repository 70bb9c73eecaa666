"""The standards file's forms that need an exemplar (which the shared form walk's world has none of) refuse hostile,
garbled and missing input by naming the field, and never answer 500; their buttons survive tampering."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.rounds.models import RoundEntry
from moderation_hub.standards import candidates, publication
from moderation_hub.standards.models import Exemplar
from tests.conftest import csrf_token_from
from tests.factories import World
from tests.functional.standards.conftest import Library, signed_in

HOSTILE_LINE = {"NUL": "a\x00b", "overlong": "x" * 20_000, "bidi": "Parent\u202e", "zero-width": "Par\u200bent"}
HOSTILE_PROSE = {"NUL": "a\x00b", "overlong": "x" * 20_001}
GARBLED = "abc"


def _refusals(client: FlaskClient, url: str, shown: dict[str, object], kinds: dict[str, str]) -> list[str]:
    """Post ``shown`` with one field at a time made hostile, garbled or missing; the problems found."""
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    problems = []
    for name, kind in kinds.items():
        values: dict[str, object] = {"missing": None}
        if kind == "line":
            values |= HOSTILE_LINE
        elif kind == "prose":
            values |= HOSTILE_PROSE
        else:
            values |= {"garbled": [GARBLED] * 3 if kind == "date" else GARBLED}
        for case, value in values.items():
            data = {key: item for key, item in shown.items() if key != name}
            if value is not None:
                data[name] = value
            response = client.post(url, data={**data, "csrf_token": token})
            body = response.get_data(as_text=True)
            if response.status_code >= 500:
                problems.append(f"{name} {case}: {response.status_code}")
            elif kind != "hidden" and case != "missing" and f'href="#{name}' not in body:
                problems.append(f"{name} {case}: answered {response.status_code} without naming it")
    return problems


def _draft(world: World, candidate: RoundEntry, session: Session) -> Exemplar:
    exemplar = candidates.promote(candidate, world.la_lead)
    session.flush()
    return exemplar


def test_the_commentary_form(app: Flask, session: Session, world: World, candidate: RoundEntry) -> None:
    exemplar = _draft(world, candidate, session)
    shown = {"commentary": "Secure", "version": exemplar.version}
    kinds = {"commentary": "prose", "version": "hidden"}
    assert _refusals(signed_in(app, world.la_lead), f"/standards/drafts/{exemplar.code}", shown, kinds) == []


def test_the_page_check_form(app: Flask, session: Session, world: World, candidate: RoundEntry) -> None:
    exemplar = _draft(world, candidate, session)
    problems = _refusals(
        signed_in(app, world.lead_a), f"/standards/drafts/{exemplar.code}/check", {"pages": "1"}, {"pages": "checkbox"}
    )
    assert problems == []


def test_the_permission_form(app: Flask, session: Session, world: World, candidate: RoundEntry) -> None:
    exemplar = _draft(world, candidate, session)
    shown = {"given_by": "Parent", "given_on": ["1", "9", "2025"], "scope": "authority", "expires_on": ["", "", ""]}
    kinds = {"given_by": "line", "given_on": "date", "scope": "radio", "expires_on": "date"}
    url = f"/schools/{world.school_a.id}/standards/{exemplar.code}/permission"
    assert _refusals(signed_in(app, world.lead_a), url, shown, kinds) == []


@pytest.mark.parametrize("version", ["abc", "", "99999999999999999999", "1\x00"])
def test_the_publish_button_survives_a_tampered_version(
    app: Flask, session: Session, world: World, candidate: RoundEntry, version: str
) -> None:
    exemplar = _draft(world, candidate, session)
    client = signed_in(app, world.la_lead)
    token = csrf_token_from(client.get(f"/standards/drafts/{exemplar.code}").get_data(as_text=True))
    response = client.post(f"/standards/drafts/{exemplar.code}/publish", data={"version": version, "csrf_token": token})
    assert response.status_code in (302, 400)


def test_buttons_without_their_token_are_refused(app: Flask, session: Session, world: World, library: Library) -> None:
    flag = publication.flag_never_publish(world.school_b, "B-1", world.la_lead)
    session.flush()
    lead = signed_in(app, world.lead_a)
    assert lead.post(f"/schools/{world.school_a.id}/standards/{library.exemplar.code}/withdraw").status_code == 400
    # Another school's flag, even with a good token, is not there to school A's lead.
    token = csrf_token_from(lead.get(f"/schools/{world.school_a.id}/standards").get_data(as_text=True))
    remove = f"/schools/{world.school_a.id}/standards/never-publish/{flag.id}/remove"
    assert lead.post(remove, data={"csrf_token": token}).status_code == 404
    promote = signed_in(app, world.la_lead).post(f"/standards/candidates/{library.entry.id}/promote")
    assert promote.status_code == 400
    assert publication.live_permission(library.sample) is not None
