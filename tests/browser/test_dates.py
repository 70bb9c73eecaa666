"""Every date a person types, typed in GOV.UK's three boxes in a real browser, saved and shown back: a piece's
date written (to its teacher and to the moderator judging it), and a round's deadline and judging window."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from moderation_hub.accounts.models import Role, User
from moderation_hub.clock import today
from moderation_hub.db import db
from moderation_hub.organisations.models import LocalAuthority
from moderation_hub.rounds.models import RoundState
from moderation_hub.samples.models import SampleState, WorkSample
from tests import factories
from tests.browser.conftest import ConsoleLog, assert_no_console_problems, sign_in
from tests.browser.samples_fixtures import TEACHER_EMAIL, LiveApp, make_sample

pytestmark = pytest.mark.browser

FRAMEWORK = "Key stage 2 writing teacher assessment (demo) (version 1)"


def type_date(group: Locator, day: dt.date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def uk(day: dt.date) -> str:
    return day.strftime("%-d %B %Y")


def test_a_pieces_date_written_is_saved_and_shown_to_its_teacher_and_its_moderator(
    page: Page, live_app: LiveApp, console: ConsoleLog
) -> None:
    sample_id = make_sample(live_app)
    written = today() - dt.timedelta(days=40)
    sign_in(page, TEACHER_EMAIL)
    page.goto(f"/samples/{sample_id}")

    page.get_by_text("Add a piece of work").click()
    page.get_by_label("Title").fill("Letter to the headteacher")
    type_date(page.get_by_role("group", name="Date written"), written)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Add piece").click()

    expect(page.get_by_text("Piece of work added.")).to_be_visible()
    pieces = page.get_by_role("table", name="Pieces of work")
    expect(pieces.get_by_role("row", name="Letter to the headteacher")).to_contain_text(uk(written))

    round_id = _judging_round_for(live_app, sample_id, "dates.moderator@example.org")
    page.context.clear_cookies()  # signs the teacher out
    sign_in(page, "dates.moderator@example.org", factories.PASSWORD)
    page.goto(f"/rounds/{round_id}/judging")
    page.get_by_role("link", name=re.compile(r"^Sample ")).click()
    pieces = page.get_by_role("table", name="Pieces of work")
    expect(pieces.get_by_role("row", name="Letter to the headteacher")).to_contain_text(uk(written))
    assert_no_console_problems(console)


def test_a_rounds_deadline_and_judging_window_are_saved_and_shown_back(page: Page, console: ConsoleLog) -> None:
    dates = {
        "Deadline for schools' samples": today() + dt.timedelta(days=20),
        "Judging opens": today() + dt.timedelta(days=27),
        "Judging closes": today() + dt.timedelta(days=41),
    }
    sign_in(page)
    page.goto("/rounds/new")
    page.get_by_label("Name of the round").fill("Dated round")
    page.get_by_role("radio", name="Local authority moderation").check()
    page.get_by_role("checkbox", name=FRAMEWORK).check()
    for name, day in dates.items():
        type_date(page.get_by_role("group", name=name), day)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dated round")
    deadline, opens, closes = dates.values()
    expect(page.locator(".govuk-summary-list__row", has_text="Samples due")).to_contain_text(uk(deadline))
    expect(page.locator(".govuk-summary-list__row", has_text="Judging window")).to_contain_text(
        f"{uk(opens)} to {uk(closes)}"
    )

    page.get_by_role("link", name="Change the settings").click()
    for name, day in dates.items():
        group = page.get_by_role("group", name=name)
        for box, part in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
            expect(group.get_by_label(box)).to_have_value(re.compile(rf"^0?{part}$"))  # the boxes show "03" for 3
    assert_no_console_problems(console)


def _judging_round_for(live: LiveApp, sample_id: int, moderator_email: str) -> int:
    """Stands for the school submitting the sample and the LA entering it in a round open for judging, allocated
    to a moderator of the sample's authority made for this test; returns the round's id."""
    with live.app.app_context(), db.transaction():
        sample = db.session.get_one(WorkSample, sample_id)
        sample.state = SampleState.SUBMITTED
        authority = db.session.get_one(LocalAuthority, sample.school.authority_id)
        moderator = factories.make_user(db.session, (Role.MODERATOR, authority), email=moderator_email)
        lead = db.session.scalars(select(User).where(User.email == "la.lead@demo.moderation-hub.test")).one()
        round_ = factories.make_round(db.session, authority, sample.framework, RoundState.JUDGING, lead=lead)
        factories.make_entry(db.session, round_, sample, {moderator: None})
        return round_.id
