"""Nothing typed is lost in a real browser: a long text shows its limit before it is reached, and the sample form
asks before a teacher leaves it with commentary typed and not saved."""

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import ConsoleLog, assert_no_console_problems, sign_in
from tests.browser.samples_fixtures import TEACHER_EMAIL, LiveApp, make_sample
from tests.browser.test_pages import assert_accessible

pytestmark = pytest.mark.browser


def test_the_commentary_counts_down_its_limit_and_is_not_lost_to_leaving_unsaved(
    page: Page, live_app: LiveApp, console: ConsoleLog
) -> None:
    sample_id = make_sample(live_app)
    sign_in(page, TEACHER_EMAIL)
    page.goto(f"/samples/{sample_id}/edit")
    commentary = page.get_by_label("Overall commentary")
    count = page.locator(".govuk-character-count__status")  # the visible count; a hidden twin is announced
    expect(count).to_have_text("You have 10,000 characters remaining")

    commentary.click()
    commentary.press_sequentially("Secure cohesion.")  # typed as keys: a browser asks only after a person acts
    expect(count).to_have_text("You have 9,984 characters remaining")
    assert_accessible(page)

    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.close(run_before_unload=True)  # as a refresh, a link or closing the tab would leave it
    expect(commentary).to_have_value("Secure cohesion.")
    assert asked == ["beforeunload"] and not page.is_closed()

    page.get_by_role("button", name="Save").click()  # saving is not leaving: no question, and it is saved
    expect(page.get_by_text("Sample saved.")).to_be_visible()
    assert asked == ["beforeunload"]
    assert_no_console_problems(console)
