"""The judging window: moderators change their judgements only on its days, UK dates with both ends included.

Outside it their pages still open, read-only, and say why; every change is refused and nothing is stored.
The lead's own actions are not bound by it, and the lead can move it while judging. "Today" is moved by
replacing ``clock.today``, the one clock every date rule reads.
"""

import datetime as dt
import html
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub import clock
from moderation_hub.audit.models import AuditEvent
from moderation_hub.frameworks.models import Framework
from moderation_hub.opaque import opaque_name
from moderation_hub.rounds import judging
from moderation_hub.rounds.errors import RoundError
from moderation_hub.rounds.models import Judgement, JudgementComment, JudgementState, RoundState
from tests.conftest import csrf_token_from, https_client, post_form, sign_in
from tests.factories import World
from tests.functional.rounds.conftest import RoundWorld, crawl, judging_url
from tests.functional.rounds.test_blindness import FOLLOWED, hidden_values

OPENS, CLOSES = dt.date(2026, 3, 2), dt.date(2026, 3, 13)  # a Monday and a Friday
DAY = dt.timedelta(days=1)
NOT_YET = "Judging opens on Monday 2 March 2026."
CLOSED = "Judging closed on Friday 13 March 2026. Ask the round's lead to extend the window if you need more time."
OUTSIDE = [
    pytest.param(OPENS - DAY, NOT_YET, id="the day before it opens"),
    pytest.param(CLOSES + DAY, CLOSED, id="the day after it closes"),
]

SetToday = Callable[[dt.date], None]


@pytest.fixture
def windowed(session: Session, judging_round: RoundWorld) -> RoundWorld:
    judging_round.round.judging_opens, judging_round.round.judging_closes = OPENS, CLOSES
    session.flush()
    return judging_round


@pytest.fixture
def set_today(monkeypatch: pytest.MonkeyPatch) -> SetToday:
    return lambda day: monkeypatch.setattr(clock, "today", lambda: day)


def mine(round_world: RoundWorld, world: World) -> Judgement:
    return next(j for e in round_world.round.entries for j in e.live_judgements if j.moderator_id == world.moderator.id)


def text_of(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def judgement_form(judgement: Judgement, action: str) -> dict[str, object]:
    return {"version": judgement.version, "standard": "EXS", "rationale": "Secure across the pieces", "action": action}


def changes_recorded(session: Session, judgement: Judgement) -> list[str]:
    actions = select(AuditEvent.action).where(
        AuditEvent.subject_type == "judgement",
        AuditEvent.subject_id == judgement.id,
        AuditEvent.action.not_like("judgement.viewed%"),
    )
    return list(session.scalars(actions))


@pytest.mark.parametrize("day", [OPENS, CLOSES], ids=["the day it opens", "the day it closes"])
def test_a_moderator_saves_and_submits_on_the_first_and_last_days(
    client: FlaskClient, session: Session, world: World, windowed: RoundWorld, set_today: SetToday, day: dt.date
) -> None:
    set_today(day)
    judgement = mine(windowed, world)
    sign_in(client, world.moderator.email)
    url = judging_url(judgement)

    page = text_of(client.get(url))
    assert "Submit judgement" in page
    assert NOT_YET not in page and CLOSED not in page
    assert post_form(client, url, judgement_form(judgement, "save")).status_code == 302
    session.expire_all()
    assert post_form(client, url, judgement_form(judgement, "submit")).status_code == 302

    session.expire_all()
    assert judgement.state is JudgementState.SUBMITTED


@pytest.mark.parametrize(("day", "notice"), OUTSIDE)
def test_outside_the_window_the_pages_open_read_only_and_say_why(
    client: FlaskClient, world: World, windowed: RoundWorld, set_today: SetToday, day: dt.date, notice: str
) -> None:
    set_today(day)
    judgement = mine(windowed, world)
    sign_in(client, world.moderator.email)

    queue = client.get(f"/rounds/{windowed.round.id}/judging")
    page = client.get(judging_url(judgement))

    assert queue.status_code == page.status_code == 200
    assert notice in text_of(queue)
    assert f'href="{judging_url(judgement)}"' in text_of(queue)
    judging_page = text_of(page)
    assert 'class="govuk-notification-banner"' in judging_page and notice in judging_page
    assert f"{judging_url(judgement)}/pages/1/display.jpg" in judging_page  # the work can still be read
    for control in ("Submit judgement", "Save draft", "Add comment", "Your draft saves itself"):
        assert control not in judging_page
    assert '<fieldset class="govuk-fieldset" disabled>' in judging_page


@pytest.mark.parametrize(("day", "notice"), OUTSIDE)
def test_outside_the_window_every_change_is_refused_and_nothing_is_stored(
    client: FlaskClient,
    session: Session,
    world: World,
    windowed: RoundWorld,
    set_today: SetToday,
    day: dt.date,
    notice: str,
) -> None:
    set_today(day)
    judgement = mine(windowed, world)
    version = judgement.version
    sign_in(client, world.moderator.email)
    url = judging_url(judgement)
    token = csrf_token_from(client.get(url).get_data(as_text=True))

    saved = client.post(url, data={**judgement_form(judgement, "save"), "csrf_token": token})
    submitted = client.post(url, data={**judgement_form(judgement, "submit"), "csrf_token": token})
    autosaved = client.post(
        url, data={**judgement_form(judgement, "save"), "csrf_token": token}, headers={"Accept": "application/json"}
    )
    comment = {"page": "1", "comment": "Look here", "csrf_token": token}
    commented = client.post(f"{url}/comments", data=comment, follow_redirects=True)

    assert saved.status_code == submitted.status_code == autosaved.status_code == 409
    for refused in (saved, submitted):
        assert 'class="govuk-error-summary"' in refused.get_data(as_text=True) and notice in text_of(refused)
    assert autosaved.get_json() == {"error": notice}
    assert commented.request.path == url and notice in text_of(commented)  # back on the page, told why
    session.expire_all()
    assert (judgement.state, judgement.version, judgement.rationale, judgement.standard_id) == (
        JudgementState.NOT_STARTED,
        version,
        "",
        None,
    )
    assert judgement.comments == []
    assert changes_recorded(session, judgement) == []


def test_a_page_comment_cannot_be_removed_once_the_window_has_closed(
    client: FlaskClient, session: Session, world: World, windowed: RoundWorld, set_today: SetToday
) -> None:
    judgement = mine(windowed, world)
    set_today(CLOSES)
    pinned = judging.add_comment(judgement, judgement.entry.sample.pages[0], "Varied openers", world.moderator)
    session.flush()
    set_today(CLOSES + DAY)
    sign_in(client, world.moderator.email)
    url = judging_url(judgement)

    remove = f"{url}/comments/{opaque_name('comment', pinned.id)}/remove"
    response = post_form(client, remove, {"version": judgement.version}, page=url, follow_redirects=True)

    assert response.request.path == url and CLOSED in text_of(response)
    session.expire_all()
    assert session.get(JudgementComment, pinned.id) is not None


def test_outside_the_window_the_refusals_reveal_nothing_the_round_hides(
    client: FlaskClient, world: World, windowed: RoundWorld, set_today: SetToday
) -> None:
    set_today(CLOSES + DAY)
    round_ = windowed.round
    judgement = mine(windowed, world)
    sign_in(client, world.moderator.email)
    fetched = crawl(client, [f"/rounds/{round_.id}", f"/rounds/{round_.id}/judging"], FOLLOWED)
    token = csrf_token_from(client.get(judging_url(judgement)).get_data(as_text=True))
    for accept in ("text/html", "application/json"):
        refused = client.post(
            judging_url(judgement),
            data={**judgement_form(judgement, "submit"), "csrf_token": token},
            headers={"Accept": accept},
        )
        assert refused.status_code == 409
        fetched[f"refusal as {accept}"] = (refused.get_data(), dict(refused.headers))

    assert judging_url(judgement) in fetched
    texts = [html.unescape(body.decode("utf-8", "replace")) + repr(headers) for body, headers in fetched.values()]
    assert any(CLOSED in text for text in texts)
    assert [
        secret for secret in hidden_values(world, windowed) for text in texts if secret.lower() in text.lower()
    ] == []


def test_the_lead_moves_the_window_while_judging_and_the_change_is_logged(
    app: Flask,
    client: FlaskClient,
    session: Session,
    world: World,
    windowed: RoundWorld,
    set_today: SetToday,
    ks2_writing: Framework,
) -> None:
    set_today(CLOSES + DAY)
    round_ = windowed.round
    judgement = mine(windowed, world)
    moderator = https_client(app)
    sign_in(moderator, world.moderator.email)
    url = judging_url(judgement)
    assert post_form(moderator, url, judgement_form(judgement, "save")).status_code == 409
    lead = client
    sign_in(lead, world.la_lead.email)
    assert "Today is outside the judging window" in text_of(lead.get(f"/rounds/{round_.id}"))
    edit = f"/rounds/{round_.id}/edit"
    settings = {
        "name": round_.name,
        "kind": round_.kind.value,
        "cluster": "0",
        "frameworks": str(ks2_writing.id),
        "academic_year": str(round_.academic_year),
        "judgements_per_sample": str(round_.judgements_per_sample),
        **dict.fromkeys(
            ("hide_school", "hide_teacher", "hide_teacher_judgement", "hide_evidence", "hide_annotations"), "y"
        ),
        "submission_deadline": ["", "", ""],
        "judging_opens": ["2", "3", "2026"],
        "judging_closes": ["20", "3", "2026"],  # a week more
        "version": str(round_.version),
    }

    response = post_form(lead, edit, settings)

    assert response.status_code == 302, text_of(response)
    session.expire_all()
    assert (round_.state, round_.judging_opens, round_.judging_closes) == (
        RoundState.JUDGING,
        OPENS,
        dt.date(2026, 3, 20),
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "round.updated")).one()
    assert event.actor_id == world.la_lead.id
    assert (event.details["before"]["judging_closes"], event.details["after"]["judging_closes"]) == (
        "2026-03-13",
        "2026-03-20",
    )
    assert "Today is outside the judging window" not in text_of(lead.get(f"/rounds/{round_.id}"))
    # The moderator, refused a moment ago, can now save.
    assert post_form(moderator, url, judgement_form(judgement, "save")).status_code == 302


def test_the_leads_own_actions_are_not_bound_by_the_window(
    client: FlaskClient, session: Session, world: World, windowed: RoundWorld, set_today: SetToday
) -> None:
    round_ = windowed.round
    set_today(CLOSES)
    for judgement in [j for e in round_.entries for j in e.live_judgements]:
        judging.submit(judgement, judging.JudgementInput("EXS", "Secure"), judgement.version, judgement.moderator)
    session.flush()
    set_today(CLOSES + DAY)
    sign_in(client, world.la_lead.email)
    judgement = mine(windowed, world)

    reopen = f"/rounds/{round_.id}/judgements/{judgement.id}/reopen"
    assert post_form(client, reopen, {"reason": "Rationale names the pupil"}).status_code == 302
    session.expire_all()
    assert judgement.state is JudgementState.DRAFT
    with pytest.raises(RoundError, match="Judging closed on Friday 13 March 2026"):
        judging.submit(judgement, judging.JudgementInput("EXS", "Secure"), judgement.version, world.moderator)
    set_today(CLOSES)
    judging.submit(judgement, judging.JudgementInput("EXS", "Secure"), judgement.version, world.moderator)
    session.flush()
    set_today(CLOSES + DAY)

    page = f"/rounds/{round_.id}"
    version = round_.version
    moved = post_form(client, f"{page}/advance", {"version": version, "target": "reveal"}, page=page)
    assert moved.status_code == 302
    entry = round_.entries[0]
    outcome = f"/rounds/{round_.id}/reveal/{entry.blind_code}"
    recorded = post_form(client, outcome, {"version": entry.version, "standard": "EXS", "rationale": "Agreed"})
    assert recorded.status_code == 302
    session.expire_all()
    assert round_.state is RoundState.REVEAL
    assert entry.agreed_standard is not None and entry.agreed_standard.code == "EXS"


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (dt.datetime(2026, 6, 30, 22, 59, tzinfo=dt.UTC), dt.date(2026, 6, 30)),
        (dt.datetime(2026, 6, 30, 23, 0, tzinfo=dt.UTC), dt.date(2026, 7, 1)),  # midnight in summer time
        (dt.datetime(2026, 1, 31, 23, 59, tzinfo=dt.UTC), dt.date(2026, 1, 31)),  # UTC is UK time in winter
    ],
)
def test_the_window_is_read_in_uk_dates_not_the_servers_utc_date(instant: dt.datetime, day: dt.date) -> None:
    assert clock.uk_date(instant) == day
