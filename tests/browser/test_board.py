"""The meeting board in a real browser: one page of samples at a time, kept up to date by board.mjs without a
reload, its pages and counts following the round as moderators submit."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from moderation_hub.accounts.models import Role
from moderation_hub.db import db, utcnow
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import board as meeting_board
from moderation_hub.rounds.models import Judgement, JudgementState, RoundState
from tests import factories
from tests.browser.conftest import ConsoleLog, assert_no_console_problems, sign_in
from tests.browser.samples_fixtures import FRAMEWORK_SLUG, LiveApp
from tests.browser.test_pages import assert_accessible

pytestmark = pytest.mark.browser

LEAD_EMAIL = "board.lead@example.org"
SAMPLES = 5  # each judged by two moderators: one has submitted, the other not started


@dataclass(frozen=True)
class BoardRound:
    round_id: int
    waiting: list[int]  # the judgements not started, one a sample


@pytest.fixture(scope="module")
def board_round(live_app: LiveApp) -> BoardRound:
    """A round being judged in an authority of its own (the demo's rounds stay as other tests expect them)."""
    with live_app.app.app_context(), db.transaction():
        session = db.session
        authority = factories.make_authority(session)
        factories.make_user(session, (Role.LA_LEAD, authority), email=LEAD_EMAIL, name="Bea Board")
        school = factories.make_school(session, authority)
        teacher = factories.make_user(session, (Role.TEACHER, school))
        moderators = [factories.make_user(session, (Role.MODERATOR, authority)) for _ in range(3)]
        framework = session.scalars(select(Framework).where(Framework.slug == FRAMEWORK_SLUG)).one()
        round_ = factories.make_round(session, authority, framework, RoundState.JUDGING, name="Board round")
        waiting = []
        for number in range(SAMPLES):
            sample = factories.make_ready_sample(session, school, teacher, framework, f"BD{number:02d}", "EXS")
            first, second = moderators[number % 3], moderators[(number + 1) % 3]
            entry = factories.make_entry(session, round_, sample, {first: None, second: "EXS"})
            waiting.append(entry.judgements[0].id)
        return BoardRound(round_.id, waiting)


def submit_directly(live: LiveApp, judgement_ids: list[int]) -> None:
    """As a moderator's submission leaves them; the board only reads the state and the standard."""
    with live.app.app_context(), db.transaction():
        for judgement in db.session.scalars(select(Judgement).where(Judgement.id.in_(judgement_ids))):
            standards = {standard.code: standard for standard in judgement.entry.sample.framework.standards}
            judgement.state, judgement.standard = JudgementState.SUBMITTED, standards["EXS"]
            judgement.rationale, judgement.submitted_at = "Secure throughout.", utcnow()


def test_the_board_shows_a_page_of_samples_and_follows_the_round_without_a_reload(
    page: Page, console: ConsoleLog, live_app: LiveApp, board_round: BoardRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meeting_board, "SAMPLES_PER_PAGE", 2)  # the live app runs in this process
    sign_in(page, LEAD_EMAIL, factories.PASSWORD)
    page.goto(f"/rounds/{board_round.round_id}/board?show=judging&page=2")

    expect(page.get_by_text("This board updates by itself.")).to_be_visible()
    pages = page.get_by_role("navigation", name="Pages of the samples")
    expect(pages).to_be_visible()
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    expect(page.locator('[data-board="samples"] > li')).to_have_count(2)
    expect(page.get_by_text("Being judged (5)")).to_be_visible()
    assert_accessible(page)

    submit_directly(live_app, board_round.waiting[:3])

    # Within a poll or two: the totals, the announcement, and the shorter list on its one remaining page.
    expect(page.locator('[data-board="submitted"]')).to_have_text("8", timeout=15_000)
    expect(page.locator('[data-board="announcement"]')).to_have_text("Board updated: 8 of 10 judgements submitted")
    expect(page.get_by_text("Being judged (2)")).to_be_visible()
    expect(pages).to_have_count(0)
    expect(page.locator('[data-board="samples"] > li')).to_have_count(2)
    expect(page.locator('[data-board="samples-page"]')).to_have_text("")

    submit_directly(live_app, board_round.waiting[3:])

    expect(page.get_by_text("No sample is being judged.")).to_be_visible(timeout=15_000)
    page.get_by_role("link", name="All samples (5)").click()
    expect(page.get_by_text("Page 1 of 3")).to_be_visible()
    expect(page.locator('[data-board="samples"] .govuk-tag--green')).to_have_count(2 + 4)  # 2 statuses, 4 submitted
    assert_accessible(page)
    assert_no_console_problems(console)
