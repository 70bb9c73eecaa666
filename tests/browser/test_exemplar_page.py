"""An exemplar of the demo's standards file in a browser, as the demo's new teacher reads it: annotated and unannotated
it fits a phone's width and a laptop's and passes axe at both; each numbered marker sits on its page's image over its
annotation's box, a keyboard reaches it, and it and its list item lead to each other; the unannotated view shows no
marker until the answer is revealed; printed, the page loses its navigation and keeps the markers."""

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from moderation_hub.db import db
from moderation_hub.demo import NEW_TEACHER
from moderation_hub.standards.models import Exemplar, ExemplarState
from tests.browser.conftest import LAPTOP, PHONE, browsing
from tests.browser.samples_fixtures import LiveApp
from tests.browser.test_pages import assert_accessible

pytestmark = pytest.mark.browser


def _annotated_exemplar(live_app: LiveApp) -> str:
    """The code of a published demo exemplar whose current revision has an annotation with a box on its pages."""
    with live_app.app.app_context():
        for exemplar in db.session.scalars(
            select(Exemplar).where(Exemplar.state == ExemplarState.PUBLISHED).order_by(Exemplar.id)
        ):
            pages = exemplar.current.content["pages"] if exemplar.current else []
            if any(annotation.get("box") for page in pages for annotation in page["annotations"]):
                return exemplar.code
    pytest.fail("the demo publishes an annotated exemplar")


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_both_views_fit_the_width_and_pass_axe(browser: Browser, live_app: LiveApp, width: int) -> None:
    code = _annotated_exemplar(live_app)
    with browsing(browser, live_app, width, NEW_TEACHER) as page:
        for address in (f"/standards/{code}", f"/standards/{code}?view=unannotated"):
            response = page.goto(address)
            assert response is not None and response.status == 200, address
            sideways = page.evaluate(
                "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert not sideways, f"{address} scrolls sideways at {width} px"
            assert_accessible(page)


def test_markers_sit_on_the_image_and_lead_to_their_text_and_back(browser: Browser, live_app: LiveApp) -> None:
    code = _annotated_exemplar(live_app)
    with browsing(browser, live_app, LAPTOP, NEW_TEACHER) as page:
        page.goto(f"/standards/{code}")
        marker = page.locator(".mh-exemplar-marker").first
        number = (marker.get_attribute("id") or "").removeprefix("marker-")
        stage = marker.locator("xpath=ancestor::div[contains(@class, 'mh-exemplar-page__stage')]")
        image, box = stage.locator("img").bounding_box(), marker.locator("rect").bounding_box()
        assert image is not None and box is not None and image["width"] > 100
        assert image["x"] - 2 <= box["x"] and box["x"] + box["width"] <= image["x"] + image["width"] + 2
        assert image["y"] - 2 <= box["y"] and box["y"] + box["height"] <= image["y"] + image["height"] + 2
        expect(marker.locator("text")).to_have_text(number)

        marker.focus()  # a keyboard reaches the marker, and Enter follows it to the annotation's text
        expect(marker).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"/standards/{code}#annotation-{number}")
        item = page.locator(f"#annotation-{number}")
        expect(item).to_be_in_viewport()
        item.locator(f'a[href="#marker-{number}"]').click()
        expect(page).to_have_url(f"/standards/{code}#marker-{number}")


def test_the_unannotated_view_shows_no_marker_until_the_answer_is_revealed(browser: Browser, live_app: LiveApp) -> None:
    code = _annotated_exemplar(live_app)
    with browsing(browser, live_app, LAPTOP, NEW_TEACHER) as page:
        page.goto(f"/standards/{code}?view=unannotated")
        expect(page.locator(".mh-exemplar-marker")).to_have_count(0)
        grid = page.locator("#grid-caption")
        expect(grid).to_be_hidden()
        page.get_by_text("Reveal the standard, the evidence and the commentary").click()
        expect(grid).to_be_visible()
        page.get_by_role("link", name="See the work with its annotations").click()
        expect(page).to_have_url(f"/standards/{code}")
        expect(page.locator(".mh-exemplar-marker").first).to_be_visible()


def test_printed_it_keeps_the_work_and_markers_without_the_navigation(browser: Browser, live_app: LiveApp) -> None:
    code = _annotated_exemplar(live_app)
    with browsing(browser, live_app, LAPTOP, NEW_TEACHER) as page:
        page.goto(f"/standards/{code}")
        page.emulate_media(media="print")
        expect(page.locator(".govuk-template__header")).to_be_hidden()
        expect(page.locator(".govuk-footer")).to_be_hidden()
        expect(page.locator(".mh-exemplar-views")).to_be_hidden()
        expect(page.locator(".mh-exemplar-marker").first).to_be_visible()
        expect(page.locator(".mh-exemplar-annotations").first).to_be_visible()
        assert page.pdf(format="A4")[:4] == b"%PDF"
