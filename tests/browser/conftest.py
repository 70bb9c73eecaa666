"""A live Moderation Hub in a background thread, and Debian's Chromium driven by Playwright.

The live server is the real app on a temporary SQLite file, migrated and loaded with the demo data as
scripts/serve-demo.sh does, and shared by every browser test of the run: a browser reaches it over HTTP
from another thread, so the savepoint isolation of the other tests cannot apply here. It therefore ignores
``--database``; the browser tests run in the SQLite pass of scripts/run-tests.sh only.

Without Chromium at /usr/bin/chromium the browser tests are skipped, loudly, except when CI=true: there
a missing browser fails them. Playwright never downloads a browser of its own.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from moderation_hub.demo import DEMO_PASSWORD
from tests.browser.samples_fixtures import LiveApp, live_app_with_jobs

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    # The machine has no network but the package registries: stop Chromium phoning home at start-up.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LA_LEAD_EMAIL = "la.lead@demo.moderation-hub.test"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The shared live app, for tests that add their own data to it (samples_fixtures, tests/factories.py)."""
    # Cookies stay Secure, as in production: Chromium keeps Secure cookies from http://127.0.0.1.
    with live_app_with_jobs(tmp_path_factory.mktemp("live-server")) as live:
        yield live


@pytest.fixture(scope="session")
def live_server(live_app: LiveApp) -> str:
    return live_app.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = (
            f"NO BROWSER: Chromium is not installed at {CHROMIUM}, so the browser tests cannot run. "
            "Install it with `apt-get install chromium` (scripts/run-tests.sh does so when run as root)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " CI=true, so this fails the run.", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class ConsoleLog:
    """What the page said in the console, and the scripts that threw."""

    messages: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [message for message in self.messages if "Content Security Policy" in message]


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser: Browser, live_server: str, console: ConsoleLog) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda message: console.messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.page_errors.append(str(error)))
    yield page
    context.close()


def sign_in(page: Page, email: str = LA_LEAD_EMAIL, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


PHONE, LAPTOP, HEIGHT = 390, 1280, 900  # the widths every page is checked at


def assert_no_console_problems(console: ConsoleLog) -> None:
    assert console.csp_violations == [], "the Content-Security-Policy blocked something"
    assert console.page_errors == [], "a script on the page threw"


@contextmanager
def browsing(browser: Browser, live_app: LiveApp, width: int, email: str | None = None) -> Iterator[Page]:
    """A browser window ``width`` pixels wide, signed in as ``email`` when given; its console must stay clean."""
    context = browser.new_context(base_url=live_app.url, viewport={"width": width, "height": HEIGHT})
    console = ConsoleLog()
    page = context.new_page()
    page.on("console", lambda message: console.messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.page_errors.append(str(error)))
    try:
        if email:
            sign_in(page, email)
            expect(page).to_have_url("/dashboard")
        yield page
        assert_no_console_problems(console)
    finally:
        context.close()
