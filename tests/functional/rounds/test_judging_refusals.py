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


def test_a_refused_submission_shows_everything_typed_and_the_error_by_its_field(
    client: FlaskClient, session: Session, world: World, judgement: Judgement
) -> None:
    sign_in(client, world.moderator.email)
    framework = judgement.entry.sample.framework
    first, second = framework.criteria[:2]
    standard = framework.standards[-1]
    rationale = "Secure cohesion " + "x" * 10_000
    fields = {
        "standard": standard.code,
        "rationale": rationale,
        f"verdict-{first.id}": "met",
        f"note-{first.id}": "Paragraphs link <well>",
        f"verdict-{second.id}": "not_met",
        f"note-{second.id}": "No semi-colons",
        "action": "submit",
    }
    refused = _post(client, judgement, fields, judgement.version)
    page = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert f">{html.escape(rationale)}</textarea>" in page
    assert f'id="standard-{standard.code}" name="standard" type="radio" value="{standard.code}" checked' in page
    assert f'name="verdict-{first.id}" type="radio" value="met" checked' in page
    assert f'name="verdict-{second.id}" type="radio" value="not_met" checked' in page
    assert 'value="Paragraphs link &lt;well&gt;"' in page and 'value="No semi-colons"' in page
    # The message is by the field as well as in the summary, and the field is described by it.
    assert 'aria-describedby="rationale-info rationale-hint rationale-error"' in page
    assert html.unescape(page).count("Rationale must be 10,000 characters or fewer") == 2
    session.expire_all()
    assert (judgement.rationale, judgement.standard, judgement.criteria) == ("", None, [])


def test_the_judging_page_counts_the_rationale_and_notes_against_their_limits(
    client: FlaskClient, world: World, judgement: Judgement
) -> None:
    sign_in(client, world.moderator.email)
    page = client.get(judging_url(judgement)).get_data(as_text=True)
    note = f"note-{judgement.entry.sample.framework.criteria[0].id}"

    assert 'data-module="govuk-character-count" data-maxlength="10000"' in page
    assert "You can enter up to 10,000 characters" in page
    assert f'id="{note}-info"' in page and "You can enter up to 2,000 characters" in page
    # No maxlength: the browser would cut a pasted note short without saying so.
    assert " maxlength=" not in page


def test_a_refused_comment_on_a_page_is_shown_again_as_typed(
    client: FlaskClient, session: Session, world: World, judgement: Judgement
) -> None:
    sign_in(client, world.moderator.email)
    comment = "Check the <second> paragraph " + "x" * 10_000
    token = csrf_token_from(client.get(judging_url(judgement)).get_data(as_text=True))
    data = {"page": "1", "comment": comment, "csrf_token": token}
    refused = client.post(f"{judging_url(judgement)}/comments", data=data)
    page = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert f">{html.escape(comment)}</textarea>" in page and 'data-maxlength="10000"' in page
    assert '<a href="#comment">Comment must be 10,000 characters or fewer</a>' in page
    assert 'id="comment-error"' in page and 'name="page" value="1"' in page
    session.expire_all()
    assert judgement.comments == []
