"""One clock: the academic year and a round's date rules read the same UK date, even where UTC is a day behind."""

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub import clock
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import judging, services
from tests.conftest import https_client, sign_in
from tests.factories import World
from tests.functional.rounds.conftest import RoundWorld, submitted_sample

# 00:30 on 1 September in the UK (summer time), still 31 August on the server's UTC calendar.
UK_MIDNIGHT_PAST = dt.datetime(2025, 8, 31, 23, 30, tzinfo=dt.UTC)
FIRST_DAY = dt.date(2025, 9, 1)
_SELECTED_YEAR = re.compile(r'<option value="(\d{4})" selected>')
_YEAR_OPTION = re.compile(r'<option value="(\d{4})"')


@pytest.fixture(autouse=True)
def _just_past_uk_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utcnow", lambda: UK_MIDNIGHT_PAST)


def test_the_uk_date_has_already_turned_to_the_new_academic_year() -> None:
    assert clock.today() == FIRST_DAY
    assert clock.current_academic_year() == 2025


def test_forms_offer_the_new_academic_year(
    app: Flask, client: FlaskClient, world: World, ks2_writing: Framework
) -> None:
    sign_in(client, world.teacher_a.email)
    sample_form = client.get(f"/schools/{world.school_a.id}/samples/new").get_data(as_text=True)
    assert _SELECTED_YEAR.findall(sample_form) == ["2025"]
    lead = https_client(app)
    sign_in(lead, world.la_lead.email)
    round_form = lead.get("/rounds/new").get_data(as_text=True)
    assert _YEAR_OPTION.findall(round_form)[0] == "2025"  # the first option, chosen unless the lead picks another


def test_a_deadline_of_31_august_has_passed(
    app: Flask, session: Session, world: World, collecting_round: RoundWorld, ks2_writing: Framework
) -> None:
    round_ = collecting_round.round
    round_.submission_deadline = FIRST_DAY - dt.timedelta(days=1)
    late = submitted_sample(app, session, world.school_a, world.teacher_a, "Y6-090", ks2_writing, "EXS")
    part_a = next(part for part in round_.schools if part.school_id == world.school_a.id)
    assert services.entry_problems(part_a, late) == ["The deadline for samples was 31 August 2025"]


def test_a_judging_window_opening_on_1_september_is_open(session: Session, judging_round: RoundWorld) -> None:
    judging_round.round.judging_opens, judging_round.round.judging_closes = FIRST_DAY, FIRST_DAY
    session.flush()
    assert judging.window_notice(judging_round.round) is None
