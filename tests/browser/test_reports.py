"""The demo's revealed round, read in a real browser: the round's agreement report for the LA lead, a school's
outcome and report for its assessment lead. Charts load as images, and axe finds nothing to fix."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleLog, assert_no_console_problems, sign_in
from tests.browser.test_pages import assert_accessible

pytestmark = pytest.mark.browser

REVEALED_ROUND = "Year 6 writing: LA moderation"
BRAMBLEWOOD_LEAD = "lead@bramblewood-990105.demo.moderation-hub.test"


def assert_charts_drawn(page: Page) -> None:
    charts = page.locator("img.mh-chart__image")
    expect(charts.first).to_be_visible()
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        drawn = chart.evaluate(
            """image => image.complete ? image.naturalWidth > 0 : new Promise(done => {
                image.addEventListener("load", () => done(image.naturalWidth > 0));
                image.addEventListener("error", () => done(false));
            })"""
        )
        assert drawn, f"{chart.get_attribute('src')}: {page.request.get(chart.get_attribute('src')).status}"


def test_the_la_lead_reads_the_round_report_with_charts_and_tables(page: Page, console: ConsoleLog) -> None:
    sign_in(page)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name=REVEALED_ROUND).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(REVEALED_ROUND)
    expect(page.get_by_role("table").first).to_be_visible()
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    assert_charts_drawn(page)
    assert_accessible(page)
    assert_no_console_problems(console)


def test_a_school_lead_reads_a_not_agreed_outcome_and_the_school_report(page: Page, console: ConsoleLog) -> None:
    sign_in(page, BRAMBLEWOOD_LEAD)
    page.get_by_role("link", name="Moderation rounds").click()
    page.get_by_role("link", name=REVEALED_ROUND).click()
    page.get_by_role("link", name="Read your school's outcome").click()

    expect(page.get_by_text("Not agreed")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Your school's agreement report across rounds").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bramblewood")
    assert_charts_drawn(page)
    assert_accessible(page)
    assert_no_console_problems(console)
