"""The dashboard says what each person has to do next in moderation rounds, with counts and dates, each item linking
to the work; and it costs the same few queries for a round of five samples as for one of many."""

import datetime as dt
import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub import clock
from moderation_hub.accounts.models import Role, User
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import services
from moderation_hub.rounds.models import HIDING_RULES, RoundModerator, RoundState, SampleRequestKind
from tests.conftest import https_client, sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round, make_user, take_part
from tests.functional.rounds.conftest import ks2_writing, selects_on  # noqa: F401 - a fixture used here

_TO_DO = re.compile(r'<section[^>]*aria-labelledby="to-do">(.*?)</section>', re.S)
_NOT_A_LINK = re.compile(r"<(?!/?a[ >])[^>]*>")


@pytest.fixture(autouse=True)
def in_the_autumn_term(monkeypatch: pytest.MonkeyPatch) -> None:
    """20 November 2025: the rounds here are of 2025/26."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 20))


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = https_client(app)
    sign_in(client, user.email)
    return client


def to_do(app: Flask, user: User) -> str:
    """The dashboard's "What to do next" as text with its links: other tags and spacing flattened."""
    response = signed_in(app, user).get("/dashboard")
    assert response.status_code == 200
    match = _TO_DO.search(response.get_data(as_text=True))
    assert match, "the dashboard has no 'What to do next'"
    return " ".join(_NOT_A_LINK.sub(" ", html.unescape(match.group(1))).split())


def test_a_moderator_sees_how_many_samples_wait_and_when_judging_closes(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    judging = make_round(
        session, world.authority, ks2_writing, RoundState.JUDGING, name="Year 6 writing", judging_closes=CLOSES
    )
    for number, given in enumerate(("EXS", None, None)):
        sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, f"P{number}", "EXS")
        make_entry(session, judging, sample, {world.moderator: given})
    collecting = make_round(
        session, world.authority, ks2_writing, RoundState.COLLECTING, name="Spring writing", judging_opens=OPENS
    )
    collecting.moderators.append(RoundModerator(user_id=world.moderator.id))
    session.flush()

    page = to_do(app, world.moderator)

    assert (
        f'<a class="govuk-link" href="/rounds/{judging.id}/judging">Year 6 writing</a>: 2 samples wait for your '
        "judgement, of 3 allocated to you. Judging closes on 5 December 2025."
    ) in page
    assert (
        f'<a class="govuk-link" href="/rounds/{collecting.id}/judging">Spring writing</a>: no samples are allocated '
        "to you yet. Judging has not opened yet; it opens on 2 March 2026."
    ) in page
    assert "Your judging" not in to_do(app, world.teacher_a)


def test_an_assessment_lead_sees_missing_samples_by_their_deadline_and_outcomes_ready(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    autumn = make_round(
        session, world.authority, ks2_writing, RoundState.COLLECTING, name="Autumn", submission_deadline=DUE
    )
    autumn_a, _autumn_b = take_part(session, autumn, world.school_a, world.school_b)
    make_entry(
        session, autumn, make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "A1", "EXS"), {}
    )
    late = make_round(
        session, world.authority, ks2_writing, RoundState.COLLECTING, name="Late", submission_deadline=PAST_DUE
    )
    late_a = take_part(session, late, world.school_a)[0]
    late_a.request_kind, late_a.requested_codes = SampleRequestKind.NAMED, ["A9"]
    revealed = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, name="Revealed")
    revealed_a, _revealed_b = take_part(session, revealed, world.school_a, world.school_b)
    for code, agreed in (("A2", "EXS"), ("A3", None)):
        sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, code, "EXS")
        make_entry(session, revealed, sample, {world.moderator: "EXS"}, agreed=agreed)
    make_entry(
        session,
        revealed,
        make_ready_sample(session, world.school_b, world.teacher_b, ks2_writing, "B1", "EXS"),
        {},
        "EXS",
    )

    page = to_do(app, world.lead_a)

    assert (
        f'<a class="govuk-link" href="/rounds/{late.id}/schools/{late_a.id}/samples">Late: Alder Primary School</a> '
        "still needs Pupil A9. Overdue They were due by 1 November 2025."
    ) in page
    assert (
        f'<a class="govuk-link" href="/rounds/{autumn.id}/schools/{autumn_a.id}/samples">Autumn: Alder Primary '
        "School</a> still needs 2 more pupils. Due by 1 December 2025."
    ) in page
    assert page.index("Late:") < page.index("Autumn:")  # the earliest deadline first
    assert (
        f'<a class="govuk-link" href="/rounds/{revealed.id}/schools/{revealed_a.id}/outcome">Revealed: Alder Primary '
        "School</a>: 1 of 2 samples has an agreed outcome."
    ) in page
    assert "Birch" not in page
    assert "Alder" not in to_do(app, world.teacher_b)


def test_a_teacher_sees_their_own_pupils_outcomes_of_this_year(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    colleague = make_user(session, (Role.TEACHER, world.school_a))
    revealed = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, name="Revealed")
    differs = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y6-001", "GDS")
    matches = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y6-002", "EXS")
    theirs = make_ready_sample(session, world.school_a, colleague, ks2_writing, "Y6-003", "EXS")
    for sample in (differs, matches, theirs):
        make_entry(session, revealed, sample, {world.moderator: "EXS"}, agreed="EXS")
    last_year = make_round(session, world.authority, ks2_writing, RoundState.CLOSED, name="Old", academic_year=2024)
    old = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y5-001", "EXS", academic_year=2024)
    make_entry(session, last_year, old, {world.moderator: "EXS"}, agreed="EXS")

    page = to_do(app, world.teacher_a)

    assert (
        f'<a class="govuk-link" href="/samples/{differs.id}#outcomes">Pupil Y6-001</a>, Revealed: agreed Working at '
        "the expected standard; you judged Working at greater depth within the expected standard."
    ) in page
    assert (
        f'href="/samples/{matches.id}#outcomes">Pupil Y6-002</a>, Revealed: agreed Working at the expected '
        "standard, as you judged."
    ) in page
    assert "Y6-003" not in page and "Y5-001" not in page
    assert "Y6-001" not in to_do(app, world.teacher_b)


def test_an_la_lead_sees_each_rounds_next_step_and_what_holds_it_up(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    setting_up = make_round(session, world.authority, ks2_writing, RoundState.SETUP, name="New round")
    collecting = make_round(session, world.authority, ks2_writing, RoundState.COLLECTING, name="Collecting round")
    take_part(session, collecting, world.school_a)
    revealed = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, name="Revealed round")
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "A1", "EXS")
    make_entry(session, revealed, sample, {world.moderator: "EXS"}, agreed="EXS")
    make_round(session, world.authority, ks2_writing, RoundState.CLOSED, name="Closed round")

    page = to_do(app, world.la_lead)

    assert (
        f'<a class="govuk-link" href="/rounds/{setting_up.id}">New round</a> (setting up). Next step: add a school, '
        "before you can open for samples: No school is taking part yet."
    ) in page
    assert (
        f'<a class="govuk-link" href="/rounds/{collecting.id}">Collecting round</a> (collecting samples). Next step: '
        "wait for the schools to enter samples, before you can open judging: No samples have been entered yet."
    ) in page
    assert f'href="/rounds/{revealed.id}">Revealed round</a> (revealed). Next step: close the round: ready now.' in page
    assert "Closed round" not in page
    assert "New round" not in to_do(app, world.other_la_lead)


def test_an_la_lead_moderating_in_a_round_that_hides_nothing_reaches_her_queue(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    hides_nothing = dict.fromkeys(HIDING_RULES, False)
    round_ = make_round(session, world.authority, ks2_writing, RoundState.JUDGING, name="Open round", **hides_nothing)
    services.add_moderator(round_, world.la_lead, None, world.la_lead)
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "A1", "EXS")
    make_entry(session, round_, sample, {world.la_lead: None})
    queue = f'<a class="govuk-link" href="/rounds/{round_.id}/judging">'

    assert f"{queue}Open round</a>: 1 sample waits for your judgement" in to_do(app, world.la_lead)
    round_page = signed_in(app, world.la_lead).get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert f"{queue}Your samples to judge</a>" in round_page


def test_the_dashboard_costs_the_same_queries_whatever_the_rounds_size(
    app: Flask,
    session: Session,
    connection: Connection,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    """Every kind of item, for each person, with 2 samples a round and then with 40."""
    rounds = [
        make_round(session, world.authority, ks2_writing, state, lead=world.la_lead)
        for state in (RoundState.COLLECTING, RoundState.JUDGING, RoundState.REVEAL)
    ]
    for round_ in rounds:
        take_part(session, round_, world.school_a, world.school_b, count=60)
    people = [world.moderator, world.lead_a, world.teacher_a, world.la_lead]
    clients = {person.id: signed_in(app, person) for person in people}

    def selects() -> dict[int, int]:
        counts = {}
        for person in people:
            with selects_on(connection) as statements:
                assert clients[person.id].get("/dashboard").status_code == 200
            counts[person.id] = len(statements)
        return counts

    def add_samples(first: int, count: int) -> None:
        for number in range(first, first + count):
            for school, teacher in ((world.school_a, world.teacher_a), (world.school_b, world.teacher_b)):
                sample = make_ready_sample(session, school, teacher, ks2_writing, f"{school.id}-{number}", "EXS")
                collecting, judging, revealed = rounds
                make_entry(session, collecting, sample, {})
                make_entry(session, judging, sample, {world.moderator: "EXS" if number % 2 else None})
                make_entry(session, revealed, sample, {world.moderator: "EXS"}, agreed="EXS")

    add_samples(0, 1)
    small = selects()
    add_samples(1, 19)
    assert selects() == small


CLOSES, OPENS = dt.date(2025, 12, 5), dt.date(2026, 3, 2)
DUE, PAST_DUE = dt.date(2025, 12, 1), dt.date(2025, 11, 1)
