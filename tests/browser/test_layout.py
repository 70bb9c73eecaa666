"""The main pages of each role fit a phone's width and a laptop's: nothing scrolls sideways, and on a wide screen the
work a moderator judges stays in view beside the criteria."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.demo import LA_LEAD, NEW_TEACHER
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.demo import OPEN, REVEALED
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundEntry
from moderation_hub.samples.models import Piece, WorkSample
from moderation_hub.standards import candidates
from moderation_hub.standards.models import Exemplar, ExemplarState, PublicationPermission, PublicationScope
from tests.browser.conftest import HEIGHT, LAPTOP, PHONE, browsing
from tests.browser.samples_fixtures import TEACHER_EMAIL, LiveApp
from tests.browser.test_pages import assert_accessible

pytestmark = pytest.mark.browser

MODERATOR = "moderator@demo.moderation-hub.test"
SCHOOL_LEAD = "lead@harbourside.demo.moderation-hub.test"  # with an agreed outcome on her dashboard


@dataclass(frozen=True)
class DemoAddresses:
    open_round: int
    revealed_round: int
    sample_with_pieces: int  # the demo teacher's
    sample_with_outcome: int  # the demo teacher's, agreed in the revealed round
    judging: str  # the demo moderator's first sample in the open round
    entry_to_allocate: int  # the first entry of the open round, whose moderators the LA lead can change
    authority: int
    lead_school: int  # the school lead's school
    exemplars: dict[str, str]  # the demo standards file's published exemplars: pupil code -> exemplar code
    public_exemplar: str  # one the school allowed the public to see
    draft: str  # an exemplar waiting for its second person's check (the LA lead added it, here)
    ks2_writing: int  # the framework of the demo's Year 6 exemplars


@pytest.fixture(scope="module")
def demo(live_app: LiveApp) -> DemoAddresses:
    with live_app.app.app_context():
        rounds = {r.name: r.id for r in db.session.scalars(select(ModerationRound))}
        teacher = db.session.scalars(select(User).where(User.email == TEACHER_EMAIL)).one()
        moderator = db.session.scalars(select(User).where(User.email == MODERATOR)).one()
        sample_id = db.session.scalars(
            select(WorkSample.id).join(Piece).where(WorkSample.school_id == teacher.memberships[0].school_id)
        ).first()
        code = db.session.scalars(
            select(RoundEntry.blind_code)
            .join(Judgement)
            .where(RoundEntry.round_id == rounds[OPEN.name], Judgement.moderator_id == moderator.id)
            .order_by(RoundEntry.blind_code)
        ).first()
        entry_id = db.session.scalars(
            select(RoundEntry.id).where(RoundEntry.round_id == rounds[OPEN.name]).order_by(RoundEntry.id)
        ).first()
        lead = db.session.scalars(select(User).where(User.email == SCHOOL_LEAD)).one()
        lead_school = lead.memberships[0].school
        authority_id, lead_school_id = lead_school.authority_id, lead_school.id
        with_outcome = db.session.scalars(
            select(RoundEntry.sample_id)
            .join(WorkSample)
            .where(RoundEntry.round_id == rounds[REVEALED.name], WorkSample.created_by_id == teacher.id)
        ).first()
    assert sample_id is not None and code is not None, "the demo has a sample with pieces and one to judge"
    assert with_outcome is not None, "the demo teacher has a sample with an agreed outcome"
    assert entry_id is not None
    judging = f"/rounds/{rounds[OPEN.name]}/judging/{code}"
    with live_app.app.app_context(), db.transaction():
        exemplars = {
            exemplar.sample.pupil_code: exemplar.code
            for exemplar in db.session.scalars(select(Exemplar).where(Exemplar.state == ExemplarState.PUBLISHED))
        }
        public = db.session.scalars(
            select(Exemplar.code)
            .join(PublicationPermission, PublicationPermission.sample_id == Exemplar.sample_id)
            .where(
                PublicationPermission.scope == PublicationScope.PUBLIC,
                PublicationPermission.withdrawn_at.is_(None),
                Exemplar.state == ExemplarState.PUBLISHED,
            )
            .order_by(Exemplar.id)
        ).first()
        draft = _draft(authority_id)
        ks2_writing = db.session.scalars(select(Framework.id).where(Framework.slug == "ks2-writing-ta")).first()
    assert len(exemplars) >= 12 and public is not None and ks2_writing is not None
    return DemoAddresses(
        rounds[OPEN.name],
        rounds[REVEALED.name],
        sample_id,
        with_outcome,
        judging,
        entry_id,
        authority_id,
        lead_school_id,
        exemplars,
        public,
        draft,
        ks2_writing,
    )


def _draft(authority_id: int) -> str:
    """A draft in the demo's standards file: the revealed round's sample its panel did not agree on, added by the LA
    lead as moderated outside the platform (the demo itself publishes everything it adds)."""
    sample = db.session.scalars(select(WorkSample).where(WorkSample.pupil_code == "Y6-031")).one()
    existing = db.session.scalar(select(Exemplar.code).where(Exemplar.sample_id == sample.id))
    if existing is not None:
        return existing
    lead = db.session.scalars(select(User).where(User.email == LA_LEAD)).one()
    added = candidates.add_outside(
        sample.school.authority,
        lead,
        school=sample.school,
        pupil_code=sample.pupil_code,
        academic_year=sample.academic_year,
        standard=sample.teacher_judgement,
        note="Moderated again at a cluster meeting, for the browser test.",
    )
    assert added.authority_id == authority_id
    return added.code


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_no_main_page_of_any_role_scrolls_sideways_and_each_passes_axe_at_both_widths(
    browser: Browser, live_app: LiveApp, demo: DemoAddresses
) -> None:
    pages_of = {
        None: ["/"],
        TEACHER_EMAIL: [
            "/dashboard",
            "/samples",
            f"/samples/{demo.sample_with_pieces}",
            f"/samples/{demo.sample_with_pieces}/evidence",
            f"/samples/{demo.sample_with_outcome}",
            "/standards",
        ],
        SCHOOL_LEAD: ["/dashboard", "/samples", f"/schools/{demo.lead_school}/standards"],
        MODERATOR: ["/dashboard", f"/rounds/{demo.open_round}/judging", demo.judging],
        LA_LEAD: [
            "/dashboard",
            "/rounds",
            f"/rounds/{demo.open_round}",
            f"/rounds/{demo.open_round}/schools/add",
            f"/rounds/{demo.open_round}/moderators/add",
            f"/rounds/{demo.open_round}/entries/{demo.entry_to_allocate}/allocation",
            f"/rounds/{demo.revealed_round}",
            f"/rounds/{demo.revealed_round}/reveal",
            "/reports",
            f"/reports/rounds/{demo.revealed_round}",
            "/reports/me",
            f"/authorities/{demo.authority}/standards",
            f"/authorities/{demo.authority}/standards/rule",
            f"/authorities/{demo.authority}/standards/outside",
            f"/authorities/{demo.authority}/standards/pairs",
            f"/standards/drafts/{demo.exemplars['Y6-044']}",
            f"/standards/drafts/{demo.draft}",
            f"/standards/drafts/{demo.draft}/check",
            "/downloads",
            f"/downloads/new/judgements-xlsx?round={demo.revealed_round}",
        ],
        NEW_TEACHER: [
            "/dashboard",
            "/standards",
            "/standards?year=6",
            f"/standards/{demo.exemplars['Y6-044']}",  # three pieces
            f"/standards/{demo.exemplars['Y6-044']}?view=unannotated",
            f"/standards/{demo.exemplars['Y2-019']}",
            f"/standards/{demo.exemplars['Y4-051']}",  # APP-style
            f"/standards/{demo.exemplars['Y7-105']}",
            "/standards/progression",
            f"/standards/frameworks/{demo.ks2_writing}/statements",
            f"/standards/frameworks/{demo.ks2_writing}/statements/EXS.5",
            f"/standards/compare?a={demo.exemplars['Y6-047']}",
            f"/standards/compare?a={demo.exemplars['Y6-047']}&b={demo.exemplars['Y6-040']}",  # the boundary pair
            "/standards/search?q=speech",
            "/standards/booklet",
        ],
    }
    wide = []
    for email, paths in pages_of.items():
        with browsing(browser, live_app, PHONE, email) as page:
            for path in paths:
                page.goto(path)
                for width in (PHONE, LAPTOP):  # the page lays itself out again at each width, as a turned tablet does
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                    if scrolls_sideways(page):
                        wide.append(f"{path} as {email} at {width} px")
                    assert_accessible(page)
                page.set_viewport_size({"width": PHONE, "height": HEIGHT})

    assert wide == [], "these pages scroll sideways"


def test_the_standards_file_read_in_public_fits_both_widths_and_passes_axe(
    browser: Browser, live_app: LiveApp, demo: DemoAddresses
) -> None:
    live_app.app.config["STANDARDS_PUBLIC"] = True
    wide = []
    try:
        with browsing(browser, live_app, PHONE) as page:
            public_pages = ("/standards", f"/standards/{demo.public_exemplar}", "/standards/progression")
            for path in (*public_pages, "/standards/search?q=speech"):
                page.goto(path)
                expect(page).to_have_url(path)  # answered, not sent to sign in
                for width in (PHONE, LAPTOP):
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                    if scrolls_sideways(page):
                        wide.append(f"{path} at {width} px")
                    assert_accessible(page)
                page.set_viewport_size({"width": PHONE, "height": HEIGHT})
    finally:
        live_app.app.config["STANDARDS_PUBLIC"] = False

    assert wide == [], "these pages scroll sideways"


def test_on_a_wide_screen_the_work_stays_in_view_beside_the_criteria(
    browser: Browser, live_app: LiveApp, demo: DemoAddresses
) -> None:
    with browsing(browser, live_app, LAPTOP, MODERATOR) as page:
        page.goto(demo.judging)
        work, criteria = page.locator(".mh-viewer__stage"), page.locator(".mh-criterion")

        assert side_by_side(work, criteria.first)
        criteria.last.scroll_into_view_if_needed()
        assert in_view(page, criteria.last)
        assert in_view(page, work), "the work scrolled out of view"
        assert side_by_side(work, criteria.last)
        assert_accessible(page)


def test_on_a_phone_the_work_comes_before_the_criteria(
    browser: Browser, live_app: LiveApp, demo: DemoAddresses
) -> None:
    with browsing(browser, live_app, PHONE, MODERATOR) as page:
        page.goto(demo.judging)
        work, first_criterion = box(page.locator(".mh-viewer__stage")), box(page.locator(".mh-criterion").first)

        assert work["y"] + work["height"] <= first_criterion["y"]
        assert_accessible(page)


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def side_by_side(left: Locator, right: Locator) -> bool:
    a, b = box(left), box(right)
    beside = a["x"] + a["width"] <= b["x"]
    level = a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
    return beside and level


def in_view(page: Page, locator: Locator) -> bool:
    found = box(locator)
    return found["y"] >= 0 and found["y"] + found["height"] <= HEIGHT
