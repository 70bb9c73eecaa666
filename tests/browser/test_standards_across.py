"""The standards file across key stages in a browser: progression, a statement at each standard and compare fit a
phone's width and a laptop's, pass axe at both, and compare puts the two exemplars side by side on a laptop and one
above the other on a phone."""

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from moderation_hub.db import db
from moderation_hub.demo import NEW_TEACHER
from moderation_hub.frameworks.models import Criterion, Framework
from moderation_hub.standards.models import Exemplar, ExemplarState, ExemplarStatement
from tests.browser.conftest import LAPTOP, PHONE, browsing
from tests.browser.samples_fixtures import LiveApp
from tests.browser.test_pages import assert_accessible

pytestmark = pytest.mark.browser


def _addresses(live_app: LiveApp) -> tuple[str, str, str]:
    """Progression in writing, the most evidenced statement of the demo's KS2 writing, and two Year 6 exemplars."""
    with live_app.app.app_context():
        ks2 = db.session.scalars(select(Framework).where(Framework.slug == "ks2-writing-ta")).first()
        assert ks2 is not None
        year_6 = list(
            db.session.scalars(
                select(Exemplar.code).where(Exemplar.framework_id == ks2.id, Exemplar.state == ExemplarState.PUBLISHED)
            )
        )
        evidenced = db.session.scalars(
            select(Criterion.code)
            .join(ExemplarStatement, ExemplarStatement.criterion_id == Criterion.id)
            .where(Criterion.framework_id == ks2.id)
        ).first()
        framework_id = ks2.id
    assert len(year_6) >= 2, "the demo publishes Year 6 writing at several standards"
    statement = f"/standards/frameworks/{framework_id}/statements/{evidenced or 'EXS.1'}"
    return "/standards/progression?subject=writing", statement, f"/standards/compare?a={year_6[0]}&b={year_6[1]}"


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_progression_statement_and_compare_fit_the_width_and_pass_axe(
    browser: Browser, live_app: LiveApp, width: int
) -> None:
    addresses = _addresses(live_app)
    with browsing(browser, live_app, width, NEW_TEACHER) as page:
        for address in ("/standards/progression", *addresses):
            response = page.goto(address)
            assert response is not None and response.status == 200, address
            sideways = page.evaluate(
                "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert not sideways, f"{address} scrolls sideways at {width} px"
            assert_accessible(page)


@pytest.mark.parametrize(("width", "side_by_side"), [(PHONE, False), (LAPTOP, True)])
def test_compare_is_side_by_side_on_a_laptop_and_stacked_on_a_phone(
    browser: Browser, live_app: LiveApp, width: int, side_by_side: bool
) -> None:
    compare = _addresses(live_app)[2]
    with browsing(browser, live_app, width, NEW_TEACHER) as page:
        page.goto(compare)
        first, second = page.locator(".govuk-grid-column-one-half").all()
        a, b = first.bounding_box(), second.bounding_box()
        assert a is not None and b is not None
        if side_by_side:
            assert a["y"] == b["y"] and a["x"] + a["width"] <= b["x"] + 1
        else:
            assert b["y"] >= a["y"] + a["height"] - 1 and abs(a["x"] - b["x"]) < 1


def test_a_new_teacher_follows_the_demos_boundary_pair_from_progression_to_compare(
    browser: Browser, live_app: LiveApp
) -> None:
    with browsing(browser, live_app, LAPTOP, NEW_TEACHER) as page:
        page.goto("/standards")
        page.get_by_role("link", name="See the standards side by side").click()
        page.get_by_role("link", name="Writing").first.click()
        expect(page.get_by_role("heading", name="Boundary pairs")).to_be_visible()
        page.get_by_role("link", name="just at EXS and just below it").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Boundary pair: just at EXS and just below it")
        expect(page.locator(".govuk-grid-column-one-half")).to_have_count(2)
        assert_accessible(page)
