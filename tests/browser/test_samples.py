"""A teacher's work samples in a real browser: uploading with progress, the page viewer, drawing boxes."""

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Request, Route, expect

from moderation_hub.samples.models import FileStatus
from tests.browser.conftest import ConsoleLog, assert_no_console_problems, sign_in
from tests.browser.samples_fixtures import (
    TEACHER_EMAIL,
    LiveApp,
    add_annotation,
    add_unplaced_file,
    fail_file,
    fail_remake,
    live_app_with_jobs,
    make_sample,
    page_ids,
    set_file_status,
    set_images_outdated,
    small_pdf,
)
from tests.browser.test_pages import assert_accessible
from tests.unit.ingestion import samples as files

pytestmark = pytest.mark.browser

BOX_TOLERANCE_PX = 3


@pytest.fixture(scope="module")
def samples_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app_with_jobs(tmp_path_factory.mktemp("samples-live-server")) as live:
        yield live


@pytest.fixture(scope="module")
def live_server(samples_app: LiveApp) -> str:
    """Overrides conftest's live server for this module, so its `page` fixture browses the app that runs jobs."""
    return samples_app.url


@contextmanager
def requests_finished(page: Page) -> Iterator[None]:
    """On leaving, wait until the page's requests have ended, so closing its browser context cuts none.

    When a browser drops an image request half-way, Werkzeug's development server can skip closing the
    response's file, and the ResourceWarning fails whichever test is running when it is collected.
    """
    pending: set[Request] = set()

    def started(request: Request) -> None:  # Playwright takes Python functions only, not set.add
        pending.add(request)

    def ended(request: Request) -> None:
        pending.discard(request)

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    yield
    deadline = time.monotonic() + 5
    while pending and time.monotonic() < deadline:
        page.wait_for_timeout(50)


@pytest.fixture
def teacher(page: Page) -> Iterator[Page]:
    with requests_finished(page):
        sign_in(page, TEACHER_EMAIL)
        expect(page).to_have_url("/dashboard")
        yield page


@pytest.fixture(scope="module")
def essay_sample(samples_app: LiveApp) -> int:
    """A sample holding the two-page essay, shared by the tests that only read it."""
    return make_sample(samples_app, ("essay.pdf", files.essay_pdf()))


@pytest.fixture(scope="module")
def long_sample(samples_app: LiveApp) -> int:
    return make_sample(samples_app, ("long.pdf", small_pdf(60)))


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buffer, "PNG")
    return buffer.getvalue()


def file_payload(name: str, content: bytes, mime_type: str) -> dict:
    return {"name": name, "mimeType": mime_type, "buffer": content}


# Upload


def test_two_files_upload_one_request_each_with_progress_then_their_pages_appear(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog
) -> None:
    sample_id = make_sample(samples_app)
    teacher.goto(f"/samples/{sample_id}")
    held: list[Route] = []

    def hold(route: Route) -> None:  # keeps the page from reloading until the list has been read
        held.append(route)

    teacher.route("**/status.json", hold)
    uploads: list[Request] = []
    teacher.on("request", lambda request: request.url.endswith("/files") and uploads.append(request))
    # A school's upload speed (2 Mbit/s), so the photo's progress can be seen between 0 and 100%.
    network = teacher.context.new_cdp_session(teacher)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 256 * 1024},
    )

    teacher.locator('input[type="file"]').set_input_files(
        [
            file_payload("essay.pdf", files.essay_pdf(), "application/pdf"),
            file_payload("photo.jpg", files.landscape_photo(), "image/jpeg"),
        ]
    )

    rows = teacher.locator(".mh-upload-progress__item")
    expect(rows).to_have_count(2)
    photo_bar = rows.nth(1).get_by_role("progressbar")
    expect(photo_bar).to_have_attribute("value", re.compile(r"^[1-9][0-9]?$"))  # part-way
    expect(rows.nth(1).locator(".mh-upload-progress__percent")).to_have_text(re.compile(r"^[1-9][0-9]?%$"))
    for row, name in zip(rows.all(), ["essay.pdf", "photo.jpg"], strict=True):
        expect(row.locator(".mh-upload-progress__name")).to_have_text(name)
        expect(row.locator(".govuk-tag")).to_have_text("Uploaded")
        expect(row.get_by_role("progressbar", name=name)).to_have_attribute("value", "100")
        expect(row.locator(".mh-upload-progress__percent")).to_have_text("100%")
    expect(teacher.locator(".mh-upload-progress")).to_contain_text("Making the pages of the uploaded files")
    assert len(uploads) == 2
    assert all(request.headers["x-csrftoken"] for request in uploads)

    with teacher.expect_navigation():
        held[0].continue_()  # every file is processed (jobs run at once here): the page reloads

    file_table = teacher.get_by_role("table", name="Uploaded files")
    expect(file_table).to_contain_text("essay.pdf")
    expect(file_table).to_contain_text("photo.jpg")
    expect(file_table.locator(".govuk-tag", has_text="Ready")).to_have_count(2)
    expect(teacher.get_by_role("heading", name="Pages (3)")).to_be_visible()
    expect(teacher.get_by_role("list", name="Pages").get_by_role("link")).to_have_count(3)
    assert_no_console_problems(console)


def test_a_refused_file_shows_the_servers_reason_and_the_others_still_upload(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog
) -> None:
    sample_id = make_sample(samples_app)
    teacher.goto(f"/samples/{sample_id}")

    teacher.locator('input[type="file"]').set_input_files(
        [
            file_payload("homework.pdf", files.html_page(), "application/pdf"),
            file_payload("photo.jpg", files.landscape_photo(), "image/jpeg"),
        ]
    )

    refused, accepted = teacher.locator(".mh-upload-progress__item").all()
    expect(refused.locator(".govuk-tag")).to_have_text("Not uploaded")
    expect(refused.locator(".mh-upload-progress__message")).to_contain_text('"homework.pdf"')
    expect(refused.locator(".mh-upload-progress__message")).to_contain_text("not a PDF, JPEG, PNG or HEIC")
    expect(accepted.locator(".govuk-tag")).to_have_text("Uploaded")
    show = teacher.get_by_role("button", name="Show them in the list")
    expect(show).to_be_visible()  # no reload by itself: it would wipe the reason the teacher must read
    assert_accessible(teacher)

    show.click()

    file_table = teacher.get_by_role("table", name="Uploaded files")
    expect(file_table).to_contain_text("photo.jpg")
    expect(file_table).not_to_contain_text("homework.pdf")
    assert_no_console_problems(console)


def test_a_file_over_the_size_limit_is_refused_before_it_is_sent(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(samples_app.app.config, "UPLOAD_MAX_FILE_MB", 1)  # read by the page it renders
    teacher.goto(f"/samples/{make_sample(samples_app)}")
    uploads: list[Request] = []
    teacher.on("request", lambda request: request.url.endswith("/files") and uploads.append(request))

    teacher.locator('input[type="file"]').set_input_files(
        [file_payload("scan.pdf", b"%PDF-1.7\n" + bytes(1536 * 1024), "application/pdf")]
    )

    row = teacher.locator(".mh-upload-progress__item")
    expect(row.locator(".govuk-tag")).to_have_text("Not uploaded")
    expect(row).to_contain_text('"scan.pdf" is 1.5 MB, more than the 1 MB we accept for one file')
    assert uploads == []
    assert_no_console_problems(console)


def test_a_file_dropped_on_the_drop_zone_uploads(teacher: Page, samples_app: LiveApp, console: ConsoleLog) -> None:
    sample_id = make_sample(samples_app)
    teacher.goto(f"/samples/{sample_id}")
    drop_zone = teacher.get_by_role("button", name="Upload pages")
    expect(drop_zone).to_contain_text("or drop them here")
    expect(teacher.get_by_text("Files upload as soon as you choose or drop them.")).to_be_visible()
    expect(teacher.get_by_role("button", name="Upload", exact=True)).to_be_hidden()  # it would send them twice

    transfer = teacher.evaluate_handle(
        """bytes => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], "drawing.png", { type: "image/png" }));
            return transfer;
        }""",
        list(small_png()),
    )
    with teacher.expect_navigation():
        drop_zone.dispatch_event("dragenter", {"dataTransfer": transfer})
        drop_zone.dispatch_event("drop", {"dataTransfer": transfer})

    expect(teacher.get_by_role("table", name="Uploaded files")).to_contain_text("drawing.png")
    expect(teacher.get_by_role("heading", name="Pages (1)")).to_be_visible()
    assert_no_console_problems(console)


def test_the_file_list_shows_the_pages_once_the_worker_has_processed_the_files(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog
) -> None:
    sample_id = make_sample(samples_app, ("photo.jpg", files.landscape_photo()))
    set_file_status(samples_app, sample_id, FileStatus.PENDING)
    teacher.goto(f"/samples/{sample_id}")
    status = teacher.locator("[data-file-status]")
    expect(status).to_have_text("Processing")

    with teacher.expect_navigation():
        set_file_status(samples_app, sample_id, FileStatus.READY)
    expect(status).to_have_text("Ready")

    set_file_status(samples_app, sample_id, FileStatus.PENDING)
    teacher.reload()
    teacher.get_by_label("Name to find").fill("Amy")  # a reload would lose this
    set_file_status(samples_app, sample_id, FileStatus.READY)
    expect(status).to_have_text("Ready")
    expect(teacher.get_by_role("status")).to_contain_text("Every file has been processed.")
    expect(teacher.get_by_label("Name to find")).to_have_value("Amy")
    assert_no_console_problems(console)


def test_a_page_waiting_for_its_redactions_shows_the_new_image_once_they_are_applied(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog
) -> None:
    page_id = page_ids(samples_app, make_sample(samples_app, ("photo.jpg", files.landscape_photo())))[0]
    set_images_outdated(samples_app, page_id, outdated=True)
    teacher.goto(f"/pages/{page_id}")
    notice = teacher.get_by_text("Redactions on this page are being applied.")
    expect(notice).to_be_visible()

    with teacher.expect_navigation():
        set_images_outdated(samples_app, page_id, outdated=False)
    expect(notice).to_be_hidden()
    assert_no_console_problems(console)


def test_a_page_whose_redactions_the_worker_gives_up_on_offers_to_show_why(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog
) -> None:
    page_id = page_ids(samples_app, make_sample(samples_app, ("photo.jpg", files.landscape_photo())))[0]
    set_images_outdated(samples_app, page_id, outdated=True)
    teacher.goto(f"/pages/{page_id}")
    expect(teacher.get_by_text("Redactions on this page are being applied.")).to_be_visible()
    teacher.get_by_label("Comment").fill("Varied openers")  # a reload would lose this, so one is offered

    fail_remake(samples_app, page_id, "it took too long. To try again, add or remove a redaction on this page")

    expect(teacher.get_by_text("The redactions could not be applied.")).to_be_visible()
    with teacher.expect_navigation():
        teacher.get_by_role("button", name="Show why").click()
    expect(teacher.locator(".govuk-warning-text")).to_contain_text(
        "The redactions on this page could not be applied, so the image below does not show them: it took too long."
    )
    expect(teacher.get_by_role("navigation", name="All pages")).to_contain_text("Redactions not applied")
    assert_accessible(teacher)
    assert_no_console_problems(console)


def test_page_statuses_change_without_a_reload_while_the_worker_is_busy(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog
) -> None:
    sample_id = make_sample(samples_app, ("photo.jpg", files.landscape_photo()))
    (page_id,) = page_ids(samples_app, sample_id)
    set_images_outdated(samples_app, page_id, outdated=True)
    teacher.goto(f"/samples/{sample_id}")
    strip = teacher.get_by_role("list", name="Pages")
    photo = strip.get_by_role("link", name="Page 1")
    expect(photo).to_contain_text("Updating redactions")
    thumbnail = photo.locator("img").get_attribute("src")
    teacher.evaluate("window.notReloaded = true")

    set_images_outdated(samples_app, page_id, outdated=False)

    expect(photo).to_contain_text("Ready")
    assert teacher.evaluate("window.notReloaded")
    assert photo.locator("img").get_attribute("src") == thumbnail  # this stand-in made no new images
    assert_accessible(teacher)
    assert_no_console_problems(console)


def test_the_viewers_strip_shows_the_pages_still_to_come_and_their_failure(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog
) -> None:
    sample_id = make_sample(samples_app, ("photo.jpg", files.landscape_photo()))
    (page_id,) = page_ids(samples_app, sample_id)
    scan_id = add_unplaced_file(samples_app, sample_id, page_count=2)
    teacher.goto(f"/pages/{page_id}")
    strip = teacher.get_by_role("navigation", name="All pages").get_by_role("listitem")
    expect(strip).to_have_count(3)
    expect(strip.nth(0)).to_contain_text("Page 1")
    expect(strip.nth(0)).to_contain_text("Ready")
    for number in (1, 2):
        expect(strip.nth(number)).to_contain_text(f"scan.pdf, page {number} of 2")
        expect(strip.nth(number).locator(".govuk-tag")).to_have_text("Processing")
    teacher.evaluate("window.notReloaded = true")

    fail_file(samples_app, scan_id, "“scan.pdf” could not be processed: it took too long to process.")

    expect(strip.nth(1).locator(".govuk-tag")).to_have_text("Failed")
    expect(strip.nth(2).locator(".govuk-tag")).to_have_text("Failed")
    assert teacher.evaluate("window.notReloaded")
    assert_accessible(teacher)
    assert_no_console_problems(console)


# Viewer


def test_the_viewer_zooms_pans_and_turns_pages_from_buttons_and_keys(
    teacher: Page, samples_app: LiveApp, essay_sample: int, console: ConsoleLog
) -> None:
    first, second = page_ids(samples_app, essay_sample)
    teacher.goto(f"/pages/{first}")
    level = teacher.locator(".mh-viewer__zoom-level")
    canvas = teacher.locator(".mh-viewer__canvas")
    expect(level).to_have_text("100%")

    teacher.get_by_role("button", name="Zoom in").click()
    expect(level).to_have_text("150%")
    teacher.keyboard.press("+")
    expect(level).to_have_text("225%")
    zoomed = canvas.bounding_box()
    teacher.keyboard.press("ArrowRight")  # zoomed: the arrows move the page, they do not turn it
    panned = canvas.bounding_box()
    assert panned["x"] < zoomed["x"]
    assert panned["y"] == zoomed["y"]
    stage = teacher.locator(".mh-viewer__stage").bounding_box()
    teacher.mouse.move(stage["x"] + 200, stage["y"] + 200)
    teacher.mouse.down()
    teacher.mouse.move(stage["x"] + 150, stage["y"] + 120, steps=4)
    teacher.mouse.up()
    dragged = canvas.bounding_box()
    assert dragged["x"] == pytest.approx(panned["x"] - 50, abs=1)
    assert dragged["y"] == pytest.approx(panned["y"] - 80, abs=1)

    comment = teacher.get_by_label("Comment")
    comment.press("ArrowRight")  # a text field keeps its arrows
    comment.press("0")
    expect(level).to_have_text("225%")
    comment.blur()
    teacher.keyboard.press("0")
    expect(level).to_have_text("100%")
    teacher.keyboard.press("ArrowRight")
    expect(teacher).to_have_url(f"/pages/{second}")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Page 2 of 2")
    current = teacher.get_by_role("navigation", name="All pages").locator('[aria-current="page"]')
    expect(current).to_have_text(re.compile(r"^\s*Page 2\s+Ready\s*$"))  # the page's status is part of its link
    assert_no_console_problems(console)


def test_a_sixty_page_sample_opens_quickly_and_loads_thumbnails_only_as_they_come_into_view(
    teacher: Page, samples_app: LiveApp, long_sample: int, console: ConsoleLog
) -> None:
    ids = page_ids(samples_app, long_sample)
    assert len(ids) == 60
    thumbnails: list[str] = []
    statuses: list[int] = []
    teacher.on("request", lambda request: "/thumbnail.jpg" in request.url and thumbnails.append(request.url))
    teacher.on("response", lambda response: "/thumbnail.jpg" in response.url and statuses.append(response.status))

    teacher.goto(f"/pages/{ids[0]}")
    teacher.wait_for_load_state("networkidle")

    load_ms = teacher.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    assert load_ms < 2000
    strip = teacher.get_by_role("navigation", name="All pages")
    expect(strip.locator("img[loading=lazy]")).to_have_count(60)
    assert 0 < len(thumbnails) < 30, f"{len(thumbnails)} thumbnails were fetched at once"
    last = strip.get_by_role("link", name="Page 60")
    last.scroll_into_view_if_needed()
    expect(last.locator("img")).to_have_js_property("complete", True)
    assert last.locator("img").evaluate("image => image.naturalWidth") > 0
    assert any(f"/pages/{ids[59]}/" in url for url in thumbnails)
    assert set(statuses) == {200}, "some thumbnails failed to load"

    teacher.goto(f"/pages/{ids[39]}")  # the strip opens scrolled to the current page
    current = strip.locator('[aria-current="page"]')
    expect(current).to_have_text(re.compile(r"^\s*Page 40\s"))
    shown, frame = current.bounding_box(), strip.bounding_box()
    assert frame["x"] <= shown["x"] and shown["x"] + shown["width"] <= frame["x"] + frame["width"]
    assert_no_console_problems(console)


# Drawing boxes


def test_a_box_drawn_for_an_annotation_becomes_a_numbered_overlay_that_can_be_hidden(
    teacher: Page, samples_app: LiveApp, console: ConsoleLog
) -> None:
    sample_id = make_sample(samples_app, ("essay.pdf", files.essay_pdf()))
    teacher.goto(f"/pages/{page_ids(samples_app, sample_id)[0]}")
    image = teacher.locator(".mh-viewer__image")
    annotation_form = teacher.locator('[data-kind="annotation"]')

    draw = annotation_form.get_by_role("button", name="Draw the box on the page")
    draw.click()
    frame = image.bounding_box()
    start = (frame["x"] + 0.2 * frame["width"], frame["y"] + 0.3 * frame["height"])
    end = (frame["x"] + 0.6 * frame["width"], frame["y"] + 0.45 * frame["height"])
    teacher.mouse.move(*start)
    teacher.mouse.down()
    teacher.mouse.move(*end, steps=5)
    teacher.mouse.up()

    expect(draw).to_be_focused()  # Tab carries on through the form
    expect(annotation_form.get_by_label("Left", exact=True)).to_have_value("0.2000")
    expect(annotation_form.get_by_label("Bottom", exact=True)).to_have_value("0.4500")
    drawn = teacher.locator(".mh-box--draft-annotation").bounding_box()
    annotation_form.get_by_label("Comment").fill("Varied sentence openers")
    annotation_form.get_by_role("checkbox").first.check()
    annotation_form.get_by_role("button", name="Add annotation").click()

    expect(teacher.get_by_text("Annotation 1 added.")).to_be_visible()
    overlay = teacher.locator(".mh-annotation")
    expect(overlay).to_have_text("1")
    expect(overlay).to_be_visible()  # placed by the script
    frame_now, shown = image.bounding_box(), overlay.bounding_box()
    # The banner above moved the image down: compare places relative to the image.
    for axis in ("x", "y"):
        assert shown[axis] - frame_now[axis] == pytest.approx(drawn[axis] - frame[axis], abs=BOX_TOLERANCE_PX)
    for size in ("width", "height"):
        assert shown[size] == pytest.approx(drawn[size], abs=BOX_TOLERANCE_PX)

    teacher.get_by_label("Show annotations").uncheck()
    expect(overlay).to_be_hidden()
    teacher.get_by_label("Show annotations").check()
    expect(overlay).to_be_visible()
    assert_no_console_problems(console)


def test_a_box_drawn_on_a_zoomed_page_is_measured_on_the_page(
    teacher: Page, samples_app: LiveApp, essay_sample: int, console: ConsoleLog
) -> None:
    teacher.goto(f"/pages/{page_ids(samples_app, essay_sample)[1]}")
    redaction_form = teacher.locator('[data-kind="redaction"]')
    teacher.get_by_role("button", name="Zoom in").click()
    teacher.get_by_role("button", name="Zoom in").click()
    teacher.keyboard.press("ArrowDown")

    redaction_form.get_by_role("button", name="Draw the box on the page").click()
    frame = teacher.locator(".mh-viewer__image").bounding_box()  # scaled and moved by the zoom and pan
    stage = teacher.locator(".mh-viewer__stage").bounding_box()
    start = (stage["x"] + 100, stage["y"] + 100)
    end = (stage["x"] + 300, stage["y"] + 160)
    teacher.mouse.move(*start)
    teacher.mouse.down()
    teacher.mouse.move(*end, steps=5)
    teacher.mouse.up()

    expected = {
        "Left": (start[0] - frame["x"]) / frame["width"],
        "Top": (start[1] - frame["y"]) / frame["height"],
        "Right": (end[0] - frame["x"]) / frame["width"],
        "Bottom": (end[1] - frame["y"]) / frame["height"],
    }
    for label, fraction in expected.items():
        assert float(redaction_form.get_by_label(label, exact=True).input_value()) == pytest.approx(fraction, abs=0.002)
    expect(teacher.locator(".mh-box--draft-redaction")).to_be_visible()
    expect(redaction_form.get_by_role("status")).to_have_text("Box drawn: its corners are filled in below.")

    draw = redaction_form.get_by_role("button", name="Draw the box on the page")
    draw.click()
    expect(draw).to_have_attribute("aria-pressed", "true")
    teacher.keyboard.press("Escape")
    expect(draw).to_have_attribute("aria-pressed", "false")
    expect(teacher.locator(".mh-viewer__stage--drawing")).to_have_count(0)
    assert_no_console_problems(console)


# Without JavaScript


def test_without_javascript_the_forms_still_upload_and_the_page_shows(
    browser: Browser, live_server: str, samples_app: LiveApp, essay_sample: int
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    with requests_finished(page):
        sign_in(page, TEACHER_EMAIL)
        sample_id = make_sample(samples_app)
        page.goto(f"/samples/{sample_id}")

        page.get_by_label("Upload pages").set_input_files(
            [file_payload("a.png", small_png(), "image/png"), file_payload("b.png", small_png(), "image/png")]
        )
        expect(page.get_by_text("Files upload as soon as you choose or drop them.")).to_be_hidden()
        page.get_by_role("button", name="Upload", exact=True).click()

        expect(page.get_by_text("2 files uploaded.")).to_be_visible()
        expect(page.get_by_role("heading", name="Pages (2)")).to_be_visible()
        page.goto(f"/pages/{page_ids(samples_app, essay_sample)[0]}")
        expect(page.get_by_role("img", name="Page 1 of the pupil's work")).to_be_visible()
        expect(page.get_by_role("button", name="Zoom in")).to_be_hidden()  # nothing that would not work
        expect(page.get_by_label("Left", exact=True).first).to_be_editable()
    context.close()


# Accessibility


def test_the_sample_page_and_the_page_viewer_are_accessible(
    teacher: Page, samples_app: LiveApp, essay_sample: int, console: ConsoleLog
) -> None:
    teacher.goto(f"/samples/{essay_sample}")
    expect(teacher.get_by_role("button", name="Upload pages")).to_be_visible()  # GOV.UK's drop zone is in place
    assert_accessible(teacher)

    page_id = page_ids(samples_app, essay_sample)[0]
    add_annotation(samples_app, page_id, "Capital letters throughout")
    teacher.goto(f"/pages/{page_id}")
    expect(teacher.locator(".mh-annotation")).to_be_visible()
    teacher.get_by_role("button", name="Zoom in").click()
    teacher.locator('[data-kind="annotation"]').get_by_role("button", name="Draw the box on the page").click()
    assert_accessible(teacher)
    assert_no_console_problems(console)
