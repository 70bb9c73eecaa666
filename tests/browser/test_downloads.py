"""Prepared downloads in a real browser: the LA lead asks for the demo round's judgements as a spreadsheet and gets
the link, and a progress page follows a build as the worker reports it, then shows the link without a reload by
hand. Each page passes axe, and its script throws nothing."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from moderation_hub.accounts.models import User
from moderation_hub.db import db, utcnow
from moderation_hub.downloads import services
from moderation_hub.downloads.kinds import JUDGEMENTS_XLSX
from moderation_hub.downloads.models import DownloadState, PreparedDownload
from tests.browser.conftest import LA_LEAD_EMAIL, ConsoleLog, assert_no_console_problems, sign_in
from tests.browser.samples_fixtures import LiveApp
from tests.browser.test_pages import assert_accessible

pytestmark = pytest.mark.browser

REVEALED_ROUND = "Year 6 writing: LA moderation"


def _revealed_round_id(page: Page) -> int:
    page.get_by_role("link", name="Moderation rounds").click()
    page.get_by_role("link", name=REVEALED_ROUND).click()
    match = re.search(r"/rounds/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def test_the_la_lead_prepares_the_judgements_and_downloads_them(page: Page, console: ConsoleLog) -> None:
    sign_in(page)
    round_id = _revealed_round_id(page)
    page.goto(f"/downloads/new/{JUDGEMENTS_XLSX.key}?round={round_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(JUDGEMENTS_XLSX.label)
    assert_accessible(page)

    page.get_by_role("button", name="Prepare the file").click()
    link = page.get_by_role("link", name="Download the file")
    expect(link).to_be_visible()  # built while the request committed (the live app runs jobs at once)
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"round-{round_id}-judgements.xlsx"

    page.goto("/downloads")
    expect(page.get_by_role("link", name=re.compile("judgements \\(XLSX\\)"))).to_be_visible()
    assert_accessible(page)
    assert_no_console_problems(console)


def test_the_progress_page_follows_the_build_and_then_offers_the_file(
    page: Page, console: ConsoleLog, live_app: LiveApp
) -> None:
    sign_in(page)
    round_id = _revealed_round_id(page)
    with live_app.app.app_context(), db.transaction():
        lead = db.session.scalars(select(User).where(User.email == LA_LEAD_EMAIL)).one()
        download = PreparedDownload(
            requested_by_id=lead.id,
            kind=JUDGEMENTS_XLSX.key,
            arguments={"round": round_id},
            title="Year 6 writing: judgements (XLSX)",
            state=DownloadState.BUILDING,
            done=2,
            total=5,
            expires_at=utcnow() + services.KEEP_FOR,
        )
        db.session.add(download)
        db.session.flush()
        download_id = download.id

    page.goto(f"/downloads/{download_id}")
    expect(page.get_by_text("2 of 5 steps done (40%).")).to_be_visible()
    expect(page.get_by_role("link", name="Check again")).to_be_visible()
    assert_accessible(page)

    with live_app.app.app_context(), db.transaction():  # the worker reports progress...
        db.session.execute(update(PreparedDownload).where(PreparedDownload.id == download_id).values(done=4))
    expect(page.get_by_text("4 of 5 steps done (80%).")).to_be_visible(timeout=15_000)
    with live_app.app.app_context(), db.transaction():  # ...and finishes: the page reloads itself to offer the file
        services.build(download_id)
    expect(page.get_by_role("link", name="Download the file")).to_be_visible(timeout=15_000)
    assert_accessible(page)
    assert_no_console_problems(console)
