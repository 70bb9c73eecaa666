"""A judging save that cannot be stored as posted: bad input is a 400 naming the field, whether the page is fresh
or stale; only a stale page with good input is the 409 that says reload. The autosave's JSON names the field too,
which its script shows by that field."""

import html

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.rounds.models import Judgement
from tests.conftest import csrf_token_from, sign_in
from tests.factories import World
from tests.functional.rounds.conftest import RoundWorld, judging_url

JSON = {"Accept": "application/json"}


@pytest.fixture
def judgement(judging_round: RoundWorld, world: World, session: Session) -> Judgement:
    mine = select(Judgement).where(Judgement.moderator_id == world.moderator.id).order_by(Judgement.id)
    return session.scalars(mine).first()


def _post(client: FlaskClient, judgement: Judgement, fields: dict[str, str], version: int, **kwargs: object):
    token = csrf_token_from(client.get(judging_url(judgement)).get_data(as_text=True))
    data = {"version": version, "action": "save", "csrf_token": token, **fields}
    return client.post(judging_url(judgement), data=data, **kwargs)


def _bad_fields(judgement: Judgement) -> list[tuple[dict[str, str], str, str]]:
    """(posted fields, the field named, the start of its message)"""
    criterion = judgement.entry.sample.framework.criteria[0]
    note, verdict = f"note-{criterion.id}", f"verdict-{criterion.id}"
    return [
        ({"rationale": "x" * 10_001}, "rationale", "Rationale must be 10,000 characters or fewer"),
        ({"standard": "NOPE"}, "standard", "Choose a standard from the framework's scale"),
        ({verdict: "met", note: "x" * 2_001}, note, f"Note on {criterion.code} must be 2,000 characters or fewer"),
        ({note: "a\x00b"}, note, f"Note on {criterion.code} must be one line"),
        ({verdict: "abc"}, verdict, f"Verdict on {criterion.code} must be Met, Not met"),
    ]


@pytest.mark.parametrize("stale", [False, True], ids=["fresh page", "stale page"])
def test_bad_input_is_refused_by_field_name_and_nothing_is_saved(
    client: FlaskClient, session: Session, world: World, judgement: Judgement, stale: bool
) -> None:
    sign_in(client, world.moderator.email)
    version = judgement.version - 1 if stale else judgement.version
    for fields, field, message in _bad_fields(judgement):
        autosaved = _post(client, judgement, fields, version, headers=JSON)
        page = html.unescape(_post(client, judgement, fields, version).get_data(as_text=True))

        assert autosaved.status_code == 400
        answer = autosaved.get_json()
        assert answer["field"] == field and answer["error"].startswith(message)
        assert f'<a href="#{field}' in page and message in page
    session.expire_all()
    assert (judgement.rationale, judgement.standard, judgement.criteria) == ("", None, [])


def test_good_input_on_a_stale_page_is_the_409_that_says_reload(
    client: FlaskClient, world: World, judgement: Judgement
) -> None:
    sign_in(client, world.moderator.email)
    refused = _post(client, judgement, {"rationale": "Secure"}, judgement.version - 1, headers=JSON)

    assert refused.status_code == 409
    assert "field" not in refused.get_json() and "Reload the page" in refused.get_json()["error"]
