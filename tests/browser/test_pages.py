"""What a person sees in a real browser: signing in, accessibility, our stylesheet and the CSP."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleLog, assert_no_console_problems, sign_in

pytestmark = pytest.mark.browser

# WCAG 2.2 AA, which includes every A and AA rule of 2.0 and 2.1; axe tags its rules by the version that
# introduced them.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
GOV_UK_HEADER_BLACK = "rgb(11, 12, 12)"


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def test_la_lead_signs_in_reaches_dashboard_and_signs_out(page: Page, console: ConsoleLog) -> None:
    sign_in(page)

    expect(page).to_have_url("/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Priya Raman")
    expect(page.get_by_role("heading", name="Riverford Council")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url("/sign-in")
    expect(page.get_by_text("You have signed out on every device.")).to_be_visible()
    page.goto("/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Moderation Hub")
    assert_no_console_problems(console)


def test_sign_in_page_is_accessible(page: Page, console: ConsoleLog) -> None:
    page.goto("/sign-in")

    assert_accessible(page)
    assert_no_console_problems(console)


def test_sign_in_error_state_is_accessible_and_focuses_the_error_summary(page: Page, console: ConsoleLog) -> None:
    sign_in(page, password="not-the-right-password")

    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(summary).to_be_focused()  # GOV.UK Frontend's script moves focus there
    assert_accessible(page)
    assert_no_console_problems(console)


def test_dashboard_is_accessible(page: Page, console: ConsoleLog) -> None:
    sign_in(page)
    expect(page).to_have_url("/dashboard")

    assert_accessible(page)
    assert_no_console_problems(console)


def test_pages_use_our_stylesheet_and_scripts_without_gov_uk_branding(page: Page, console: ConsoleLog) -> None:
    page.goto("/sign-in")

    heading_font = page.get_by_role("heading", level=1).evaluate("element => getComputedStyle(element).fontFamily")
    assert "system-ui" in heading_font
    assert "GDS Transport" not in heading_font
    declared_fonts = page.evaluate("() => [...document.fonts].map(font => font.family)")
    assert not any("GDS Transport" in family for family in declared_fonts)
    header_background = page.locator(".govuk-generic-header").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert header_background == GOV_UK_HEADER_BLACK
    expect(page.locator("body")).to_have_class("govuk-template__body js-enabled govuk-frontend-supported")
    assert_no_console_problems(console)


def test_a_schools_settings_page_is_accessible_and_saves_the_choice(page: Page, console: ConsoleLog) -> None:
    sign_in(page)  # the LA lead, who may set the authority's schools' settings
    page.goto("/schools")
    page.get_by_role("link", name="Harbourside Primary").click()
    settings = page.get_by_role("link", name="Change school settings")
    settings.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("School settings")
    expect(page.get_by_label("No, delete each file once its pages are made")).to_be_checked()  # the demo's choice
    assert_accessible(page)

    page.get_by_label("Yes, keep them").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Harbourside Primary School's settings have been saved.")).to_be_visible()
    expect(page.locator(".govuk-summary-card", has_text="School settings")).to_contain_text("Yes")

    settings.click()  # back to the demo's own choice, for the other tests
    page.get_by_label("No, delete each file once its pages are made").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-summary-card", has_text="School settings")).to_contain_text("No")
    assert_no_console_problems(console)
