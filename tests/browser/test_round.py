"""A whole small moderation round in a real browser, each person in their own browser: the LA lead sets it
up, two schools enter samples, two moderators judge blind (one by keyboard alone), the lead reveals and
agrees the outcomes, and a school's assessment lead reads its outcome. axe checks the pages people work in.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import APIResponse, Browser, Locator, Page, Route, expect

from moderation_hub.clock import current_academic_year
from tests.browser.conftest import ConsoleLog, assert_no_console_problems, sign_in
from tests.browser.rounds_fixtures import PASSWORD, SCHOOL_B_PUPIL, Cast, Person, blank_png, seed_round_world
from tests.browser.samples_fixtures import LiveApp, live_app_with_jobs
from tests.browser.test_pages import AXE_OPTIONS, assert_accessible
from tests.browser.test_samples import requests_finished

pytestmark = pytest.mark.browser

ROUND_NAME = "Summer Year 6 writing"
FRAMEWORK = "Key stage 2 writing teacher assessment (demo) (version 1)"
SCHOOL_A_PUPIL = "A6-001"
EXS = "EXS: Working at the expected standard"
WTS = "WTS: Working towards the expected standard"
PANEL_RATIONALE = "Spelling is not secure in the independent pieces."
KEYBOARD_RATIONALE = "Paragraphs and openers are varied; the recount is told in order."
JUDGEMENT_URL = re.compile(r"/rounds/\d+/judging/[A-Z0-9]+$")  # the judging page, and where its form posts
TAB_LIMIT = 120  # presses of Tab to reach a control; the judging form has 18 criteria of two stops each
PROCESSING_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def round_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app_with_jobs(tmp_path_factory.mktemp("round-live-server")) as live:
        yield live


@pytest.fixture(scope="module")
def cast(round_app: LiveApp) -> Cast:
    return seed_round_world(round_app)


@contextmanager
def signed_in(browser: Browser, live: LiveApp, person: Person | None = None) -> Iterator[Page]:
    """A browser of this person's own, signed in when a person is given; its console must stay clean."""
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    console = ConsoleLog()
    page = context.new_page()
    page.on("console", lambda message: console.messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.page_errors.append(str(error)))
    try:
        with requests_finished(page):
            if person:
                sign_in(page, person.email, PASSWORD)
                expect(page).to_have_url("/dashboard")
            yield page
        assert_no_console_problems(console)
    finally:
        context.close()


def test_a_small_round_runs_from_set_up_to_the_schools_outcome(
    browser: Browser, round_app: LiveApp, cast: Cast
) -> None:
    with (
        signed_in(browser, round_app, cast.la_lead) as lead,
        signed_in(browser, round_app, cast.lead_a) as school_lead,
    ):
        create_round(lead, cast)
        with signed_in(browser, round_app, cast.teacher_a) as teacher:
            create_and_submit_sample(teacher, SCHOOL_A_PUPIL)
        enter_sample(school_lead, SCHOOL_A_PUPIL)
        with signed_in(browser, round_app, cast.lead_b) as other_school_lead:
            enter_sample(other_school_lead, SCHOOL_B_PUPIL)
        codes = allocate_and_open_judging(lead)

        with signed_in(browser, round_app) as moderator:
            judge_both_samples_by_keyboard(moderator, cast)
        board_while_judging = axe_report(open_board(lead))
        with signed_in(browser, round_app, cast.moderators[1]) as moderator:
            judge_by_pointer(moderator, codes[SCHOOL_A_PUPIL], WTS)
            judge_by_pointer(moderator, codes[SCHOOL_B_PUPIL], EXS)

        reveal_and_agree(lead, codes, cast)
        close_round(lead)
        read_school_outcome(school_lead, cast)

        # The meeting board's checks come last, so that a problem there does not stop the ones above.
        assert board_while_judging == "", f"the meeting board while judging:\n{board_while_judging}"
        assert_accessible(open_board(lead))


# The LA lead and the schools


def create_round(lead: Page, cast: Cast) -> None:
    open_menu(lead, "Moderation rounds")
    lead.get_by_role("link", name="Create a round").click()
    lead.get_by_label("Name of the round").fill(ROUND_NAME)
    lead.get_by_role("radio", name="Local authority moderation").check()
    lead.get_by_role("checkbox", name=FRAMEWORK).check()
    year = current_academic_year()
    lead.get_by_label("Academic year").select_option(label=f"{year}/{(year + 1) % 100:02d}")
    lead.get_by_label("Judgements wanted per sample").fill("2")
    lead.get_by_role("checkbox", name="Agree the outcome automatically").check()
    lead.get_by_role("button", name="Save").click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text(ROUND_NAME)

    for school in (cast.school_a, cast.school_b):
        lead.get_by_role("link", name="Add a school to the round").click()
        lead.get_by_label("School", exact=True).select_option(label=school.choice)
        lead.get_by_role("button", name="Add school").click()
        expect(lead.get_by_role("table", name="Participating schools")).to_contain_text(school.name)
    for moderator in cast.moderators:
        lead.get_by_role("link", name="Add a moderator to the round").click()
        lead.get_by_label("Find someone by their name or email address").fill(moderator.email)
        lead.get_by_role("button", name="Search").click()
        lead.get_by_label("Moderator", exact=True).select_option(label=f"{moderator.name} ({moderator.email})")
        lead.get_by_role("button", name="Add moderator").click()
        expect(lead.get_by_role("table", name="Moderators")).to_contain_text(moderator.name)
    advance(lead, "Open for samples", "Collecting samples")


def create_and_submit_sample(teacher: Page, pupil: str) -> None:
    open_menu(teacher, "Work samples")
    teacher.get_by_role("button", name="Start a new sample").click()
    teacher.get_by_label("Pupil code").fill(pupil)
    teacher.get_by_label("Year group").select_option(label="Year 6")
    teacher.get_by_label("Framework").select_option(label=FRAMEWORK)
    teacher.get_by_role("button", name="Create sample").click()
    # The sample page's module scripts, which make choosing files upload them, run before its "load" event. (The
    # plain file input is already a button named "Upload pages", so waiting for that raced the scripts.)
    teacher.wait_for_load_state()
    teacher.locator('input[type="file"]').set_input_files(
        [{"name": "letter.png", "mimeType": "image/png", "buffer": blank_png()}]
    )
    # Uploaded, made into a page in a sandboxed process, and the sample page reloaded: slow on a busy machine.
    expect(teacher.get_by_role("heading", name="Pages (1)")).to_be_visible(timeout=PROCESSING_TIMEOUT_MS)
    teacher.get_by_role("link", name="Edit the details, judgement and commentary").click()
    teacher.get_by_role("radio", name=EXS).check()
    teacher.get_by_role("button", name="Save").click()
    teacher.get_by_role("button", name="Submit sample").click()
    expect(teacher.get_by_text("Sample submitted.")).to_be_visible()


def enter_sample(school_lead: Page, pupil: str) -> None:
    open_round(school_lead)
    expect(school_lead.get_by_role("heading", level=1)).to_have_text(ROUND_NAME)
    school_lead.get_by_role("button", name=f"Enter pupil {pupil}").click()
    expect(school_lead.get_by_text(f"Pupil {pupil}'s sample is entered in the round.")).to_be_visible()
    expect(school_lead.get_by_role("table", name="Samples entered in the round")).to_contain_text(pupil)


def allocate_and_open_judging(lead: Page) -> dict[str, str]:
    """Returns each pupil's blind code, which is all the moderators will see of the sample."""
    lead.reload()
    lead.get_by_role("button", name="Allocate samples to moderators").click()
    expect(lead.get_by_text("Samples allocated.")).to_be_visible()
    advance(lead, "Open judging", "Judging")
    samples = lead.get_by_role("table", name="Samples entered")
    codes = {}
    for pupil in (SCHOOL_A_PUPIL, SCHOOL_B_PUPIL):
        row = samples.get_by_role("row").filter(has_text=pupil)
        expect(row.get_by_role("listitem")).to_have_count(2)  # k = 2 moderators each
        codes[pupil] = row.get_by_role("cell").first.inner_text().strip()
    return codes


def reveal_and_agree(lead: Page, codes: dict[str, str], cast: Cast) -> None:
    open_round(lead)
    advance(lead, "Reveal", "Revealed")
    lead.get_by_role("link", name="Reveal and agreed outcomes").click()
    samples = lead.get_by_role("table", name="Every sample's judgements")
    expect(samples.get_by_role("row").filter(has_text=codes[SCHOOL_A_PUPIL])).to_contain_text("Disagree")
    expect(samples.get_by_role("row").filter(has_text=codes[SCHOOL_B_PUPIL])).to_contain_text("(automatic)")
    assert_accessible(lead)

    samples.get_by_role("link", name=codes[SCHOOL_A_PUPIL], exact=True).click()
    expect(lead.get_by_role("table", name="Judgements side by side")).to_contain_text("Disagree")
    assert_accessible(lead)
    lead.get_by_role("radio", name=WTS).check()
    lead.get_by_label("The panel's rationale").fill(PANEL_RATIONALE)
    lead.get_by_role("button", name="Record agreed outcome").click()
    expect(lead.get_by_text(f"Agreed outcome for sample {codes[SCHOOL_A_PUPIL]} recorded.")).to_be_visible()
    outcomes = lead.get_by_role("table", name="Outcome per school")
    expect(outcomes.get_by_role("row").filter(has_text=cast.school_a.name)).to_contain_text("Not agreed")
    school_b = outcomes.get_by_role("row").filter(has_text=cast.school_b.name)
    expect(school_b).to_contain_text("Agreed")
    expect(school_b).not_to_contain_text("Not agreed")


def close_round(lead: Page) -> None:
    open_round(lead)
    advance(lead, "Close the round", "Closed")


def read_school_outcome(school_lead: Page, cast: Cast) -> None:
    open_round(school_lead)
    school_lead.get_by_role("link", name="Read your school's outcome").click()
    expect(school_lead.get_by_role("heading", level=1)).to_have_text(f"Outcome of {ROUND_NAME}")
    expect(school_lead.get_by_text("Not agreed: moderation reached a different outcome for 1 pupil")).to_be_visible()
    pupil = school_lead.get_by_role("region", name=f"Pupil {SCHOOL_A_PUPIL}")
    expect(pupil).to_contain_text(PANEL_RATIONALE)
    expect(pupil).to_contain_text(KEYBOARD_RATIONALE)  # the moderators' rationale
    for moderator in cast.moderators:
        expect(pupil).not_to_contain_text(moderator.name)  # the round does not show moderators' names


def open_board(lead: Page) -> Page:
    open_round(lead)
    lead.get_by_role("link", name="Meeting board").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Meeting board")
    return lead


# The moderators


def judge_both_samples_by_keyboard(moderator: Page, cast: Cast) -> None:
    """Every step by keyboard, from signing in to the second submission: no clicks."""
    moderator.goto("/sign-in")
    tab_to(moderator, moderator.get_by_label("Email address"))
    moderator.keyboard.type(cast.moderators[0].email)
    tab_to(moderator, moderator.get_by_label("Password", exact=True))
    moderator.keyboard.type(PASSWORD)
    moderator.keyboard.press("Enter")
    expect(moderator).to_have_url("/dashboard")
    follow_by_keyboard(moderator, moderator.get_by_role("link", name="Moderation rounds"))
    follow_by_keyboard(moderator, moderator.get_by_role("link", name=ROUND_NAME))
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Your samples to judge")
    draft_status = moderator.get_by_role("status").filter(has_text=re.compile("draft", re.IGNORECASE))

    open_next_sample_by_keyboard(moderator, cast)
    choose_by_keyboard(moderator)
    moderator.keyboard.type(KEYBOARD_RATIONALE)
    expect(draft_status).to_have_text(re.compile(r"^Draft saved at [0-2][0-9]:[0-5][0-9]\.$"))  # 24-hour, UK style
    assert_accessible(moderator)
    submit_by_keyboard(moderator, submitted=1)

    # The second time the moderator submits while the draft is still being saved: the post waits for it.
    open_next_sample_by_keyboard(moderator, cast)
    choose_by_keyboard(moderator)
    with draft_answers_held(moderator) as release:
        moderator.keyboard.type(KEYBOARD_RATIONALE)
        expect(draft_status).to_have_text("Saving your draft…")  # the server has it; its answer is held
        submit_by_keyboard(moderator, submitted=2, before_the_answer=release)


def submit_by_keyboard(moderator: Page, submitted: int, before_the_answer: Callable[[], None] = lambda: None) -> None:
    moderator.keyboard.press("Tab")
    expect(moderator.get_by_role("button", name="Submit judgement")).to_be_focused()
    moderator.keyboard.press("Enter")
    before_the_answer()
    expect(moderator.get_by_text(re.compile(r"Your judgement of sample \S+ is submitted\."))).to_be_visible()
    expect(moderator.get_by_text(f"You have submitted {submitted} of 2.")).to_be_visible()


def open_next_sample_by_keyboard(moderator: Page, cast: Cast) -> None:
    follow_by_keyboard(moderator, moderator.get_by_role("link", name=re.compile(r"^Sample ")).first)
    moderator.wait_for_load_state()  # the autosave script is listening
    work = moderator.get_by_role("main")
    for hidden in (cast.school_a.name, cast.school_b.name, SCHOOL_A_PUPIL, SCHOOL_B_PUPIL, "The school's judgement"):
        expect(work).not_to_contain_text(hidden)  # judged blind


def choose_by_keyboard(moderator: Page) -> None:
    """Two criteria's verdicts, a note and the standard EXS; the focus is then in the rationale."""
    first, second = (moderator.get_by_role("group", name=re.compile(rf"^{code} ")) for code in ("PK6.1", "PK6.2"))
    tab_to(moderator, first.get_by_role("radio", name="Met", exact=True))
    moderator.keyboard.press("Space")
    expect(first.get_by_role("radio", name="Met", exact=True)).to_be_checked()
    moderator.keyboard.press("Tab")
    expect(moderator.get_by_label("Note on PK6.1 (optional)")).to_be_focused()
    moderator.keyboard.type("Events in order")
    moderator.keyboard.press("Tab")
    expect(second.get_by_role("radio", name="Met", exact=True)).to_be_focused()
    moderator.keyboard.press("ArrowRight")  # within a radio group the arrows choose
    expect(second.get_by_role("radio", name="Not met")).to_be_checked()

    standards = moderator.get_by_role("group", name="The standard the pupil is working at")
    tab_to(moderator, standards.get_by_role("radio").first)
    for _ in range(4):  # PK4, PK5, PK6, WTS, EXS
        moderator.keyboard.press("ArrowDown")
    expect(standards.get_by_role("radio", name=EXS)).to_be_checked()
    moderator.keyboard.press("Tab")
    expect(moderator.get_by_label("Rationale")).to_be_focused()


@contextmanager
def draft_answers_held(page: Page) -> Iterator[Callable[[], None]]:
    """Autosaves reach the server at once, but the page has their answers only once ``release()`` is called."""
    held: list[tuple[Route, APIResponse]] = []

    def hold(route: Route) -> None:
        if "application/json" in route.request.headers.get("accept", ""):
            held.append((route, route.fetch()))
        else:
            route.fallback()

    def release() -> None:
        for route, response in held:
            route.fulfill(response=response)
        held.clear()

    page.route(JUDGEMENT_URL, hold)
    yield release
    page.unroute(JUDGEMENT_URL, hold)


def judge_by_pointer(moderator: Page, code: str, standard: str) -> None:
    open_round(moderator)
    moderator.get_by_role("link", name=f"Sample {code}", exact=True).click()
    moderator.get_by_role("radio", name=standard).check()
    moderator.get_by_label("Rationale").fill("Judged against the statements at each standard.")
    note = moderator.get_by_label("Note on PK6.1 (optional)")
    note.fill("Told in order")
    note.press("Enter")  # saves the draft: it must not submit, and so lock, the judgement
    expect(moderator.get_by_text("Draft saved.")).to_be_visible()
    expect(moderator.get_by_role("heading", level=1)).to_have_text(f"Sample {code} Draft")
    moderator.get_by_role("button", name="Submit judgement").click()
    expect(moderator.get_by_text(f"Your judgement of sample {code} is submitted.")).to_be_visible()


# Getting about


def open_menu(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name=item).click()


def open_round(page: Page) -> None:
    """The round's page for whoever is signed in: the lead's, a moderator's queue or a school's page."""
    open_menu(page, "Moderation rounds")
    page.get_by_role("link", name=ROUND_NAME).click()


def advance(lead: Page, button: str, state: str) -> None:
    lead.get_by_role("button", name=button, exact=True).click()
    expect(lead.get_by_text(f"The round is now '{state}'.")).to_be_visible()


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab, as a keyboard user does, until ``target`` has the focus."""
    element = target.element_handle()  # found once: finding it by role and name at every press is slow
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if element.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} never had the focus after {TAB_LIMIT} presses of Tab")


def follow_by_keyboard(page: Page, link: Locator) -> None:
    tab_to(page, link)
    page.keyboard.press("Enter")


def axe_report(page: Page) -> str:
    """axe's report of the page's violations; empty when there are none."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else ""
