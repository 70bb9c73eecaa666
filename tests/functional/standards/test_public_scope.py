"""The standards file read without signing in (STANDARDS_PUBLIC, off by default): only exemplars whose school's live
permission is "public", with nothing that names a school, teacher, pupil or moderator, no third-party asset, and
gone from every page and image at once when the school withdraws."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import RoundEntry
from moderation_hub.standards import publication
from moderation_hub.standards.models import Exemplar, PublicationScope
from tests.conftest import https_client
from tests.factories import World
from tests.functional.standards.conftest import (
    PUPIL_TEXT,
    judged_sample,
    publish_through_services,
    signed_in,
)

_URL = re.compile(r'(?:href|src)="(/standards/[^"#?]+)')
# What a browser loads by itself: images, scripts, frames (src) and stylesheets and icons (<link href>).
_ASSET = re.compile(r'(?:\bsrc="([^"]*)"|<link\b[^>]*\bhref="([^"]*)")')


@pytest.fixture
def public_and_authority(
    session: Session, world: World, framework: Framework, candidate: RoundEntry
) -> tuple[Exemplar, Exemplar]:
    """Two exemplars of school A from one revealed round: one the school allowed the public to see, one only its
    authority."""
    public = publish_through_services(world, candidate, PublicationScope.PUBLIC)
    second = judged_sample(
        session, world, framework, candidate.round, "Y6-002", {world.moderator: "EXS", world.teacher_b: "EXS"}
    )
    authority_only = publish_through_services(world, second, PublicationScope.AUTHORITY)
    session.flush()
    return public, authority_only


def _urls_of(client: FlaskClient, code: str) -> list[str]:
    pages = ["/standards", f"/standards/{code}"]
    urls = set(pages)
    for page in pages:
        urls |= set(_URL.findall(client.get(page).get_data(as_text=True)))
    return sorted(url for url in urls if code in url)


def test_the_public_setting_is_off_by_default_and_everyone_not_signed_in_is_sent_to_sign_in(
    app: Flask, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    public, _authority_only = public_and_authority
    assert app.config["STANDARDS_PUBLIC"] is False
    client = https_client(app)

    for url in ("/standards", f"/standards/{public.code}", f"/standards/{public.code}/pages/1/display.jpg"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_with_the_setting_on_the_public_reads_only_public_exemplars(
    app: Flask, world: World, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    app.config["STANDARDS_PUBLIC"] = True
    public, authority_only = public_and_authority
    client = https_client(app)

    browse = client.get("/standards")
    assert browse.status_code == 200
    assert public.code in browse.get_data(as_text=True)
    assert authority_only.code not in browse.get_data(as_text=True)
    page = client.get(f"/standards/{public.code}")
    assert page.status_code == 200 and PUPIL_TEXT in page.get_data(as_text=True)
    image = client.get(f"/standards/{public.code}/pages/1/display.jpg")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    image.close()
    for url in (f"/standards/{authority_only.code}", f"/standards/{authority_only.code}/pages/1/display.jpg"):
        assert client.get(url).status_code == 404, url
    # Signed-in readers are untouched: the authority's own people still read both.
    reader = signed_in(app, world.teacher_b).get("/standards").get_data(as_text=True)
    assert public.code in reader and authority_only.code in reader


def test_public_pages_name_no_school_teacher_pupil_or_moderator_and_load_nothing_from_elsewhere(
    app: Flask, world: World, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    app.config["STANDARDS_PUBLIC"] = True
    public, _authority_only = public_and_authority
    client = https_client(app)

    for url in ("/standards", f"/standards/{public.code}"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        for person in (world.teacher_a, world.lead_a, world.moderator, world.teacher_b, world.la_lead):
            assert person.display_name not in body and person.email not in body, url
        for identifying in (world.school_a.name, world.authority.name, public.sample.pupil_code, public.round_name):
            assert identifying not in body, (url, identifying)
        assert "Pupil A" in body or url == "/standards"
        # No tracking: every asset is the site's own, and the policy lets the browser load nothing from elsewhere.
        assets = [src or href for src, href in _ASSET.findall(body)]
        assert assets and all(not re.match(r"(?:https?:)?//", asset) for asset in assets), url
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "img-src 'self' data:" in policy
        assert "Set-Cookie" not in response.headers or "mh_remember" not in response.headers["Set-Cookie"]


def test_a_public_reader_reaches_no_curation_or_school_page(
    app: Flask, world: World, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    app.config["STANDARDS_PUBLIC"] = True
    public, _authority_only = public_and_authority
    client = https_client(app)

    for url in (
        f"/authorities/{world.authority.id}/standards",
        f"/standards/drafts/{public.code}",
        f"/standards/drafts/{public.code}/pages/1/display.jpg",
        f"/schools/{world.school_a.id}/standards",
        "/dashboard",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_withdrawal_takes_a_public_exemplar_off_every_public_url_at_once(
    app: Flask, world: World, session: Session, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    app.config["STANDARDS_PUBLIC"] = True
    public, _authority_only = public_and_authority
    client = https_client(app)
    served = _urls_of(client, public.code)
    assert f"/standards/{public.code}/pages/1/display.jpg" in served
    assert all(client.get(url).status_code == 200 for url in served)

    publication.withdraw_permission(public.sample, world.lead_a)
    session.flush()

    assert {url: client.get(url).status_code for url in served} == dict.fromkeys(served, 404)
    assert public.code not in client.get("/standards").get_data(as_text=True)


def test_narrowing_the_permission_from_public_hides_it_from_the_public_but_not_the_authority(
    app: Flask, world: World, session: Session, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    app.config["STANDARDS_PUBLIC"] = True
    public, _authority_only = public_and_authority
    live = publication.live_permission(public.sample)
    assert live is not None
    narrower = publication.PermissionDetails(live.given_by, live.given_on, PublicationScope.AUTHORITY, None)
    publication.record_permission(public.sample, narrower, world.lead_a)
    session.flush()

    assert https_client(app).get(f"/standards/{public.code}/pages/1/display.jpg").status_code == 404
    assert https_client(app).get(f"/standards/{public.code}").status_code == 404
    assert signed_in(app, world.teacher_b).get(f"/standards/{public.code}").status_code == 200


def test_turning_the_setting_off_sends_the_public_to_sign_in_again(
    app: Flask, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    app.config["STANDARDS_PUBLIC"] = True
    public, _authority_only = public_and_authority
    client = https_client(app)
    assert client.get(f"/standards/{public.code}").status_code == 200

    app.config["STANDARDS_PUBLIC"] = False

    assert client.get(f"/standards/{public.code}").status_code == 302
    assert client.get(f"/standards/{public.code}/pages/1/display.jpg").status_code == 302


def test_the_views_across_key_stages_serve_the_public_only_what_is_public(
    app: Flask, world: World, framework: Framework, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    public, authority_only = public_and_authority
    statement = f"/standards/frameworks/{framework.id}/statements/EXS.1"
    urls = ("/standards/progression", f"/standards/frameworks/{framework.id}/statements", statement)
    client = https_client(app)
    for url in (*urls, f"/standards/compare?a={public.code}"):
        assert client.get(url).status_code == 302, url  # off: sent to sign in

    app.config["STANDARDS_PUBLIC"] = True

    for url in urls:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert authority_only.code not in body and world.school_a.name not in body, url
    assert public.code in client.get(statement).get_data(as_text=True)
    assert client.get(f"/standards/compare?a={public.code}").status_code == 200
    assert client.get(f"/standards/compare?a={authority_only.code}").status_code == 404
    assert client.get(f"/standards/compare?a={public.code}&b={authority_only.code}").status_code == 404


def test_search_finds_for_the_public_only_what_is_public(
    app: Flask, world: World, public_and_authority: tuple[Exemplar, Exemplar]
) -> None:
    public, authority_only = public_and_authority
    client = https_client(app)
    assert client.get("/standards/search?q=dragon").status_code == 302  # off: sent to sign in

    app.config["STANDARDS_PUBLIC"] = True

    found = client.get("/standards/search?q=dragon")
    body = found.get_data(as_text=True)
    assert found.status_code == 200
    assert public.code in body and authority_only.code not in body
    assert world.school_a.name not in body and public.sample.pupil_code not in body
    both = signed_in(app, world.teacher_b).get("/standards/search?q=dragon").get_data(as_text=True)
    assert public.code in both and authority_only.code in both

    publication.withdraw_permission(public.sample, world.lead_a)

    assert public.code not in client.get("/standards/search?q=dragon").get_data(as_text=True)
