"""What readers get: the exemplar page and browse page, within the permission's scope and never to a moderator who
still judges the sample blind; and withdrawal or expiry takes the exemplar off every URL that served it, at once."""

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub import clock
from moderation_hub.audit.models import AuditEvent
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import services as rounds_services
from moderation_hub.rounds.models import HIDING_RULES, RoundState
from moderation_hub.standards import publication
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.models import ExemplarState, PublicationScope
from moderation_hub.storage import storage
from tests.conftest import post_form
from tests.factories import World, make_entry, make_round, make_user, take_part
from tests.functional.rounds.conftest import crawl, leaks
from tests.functional.standards.conftest import (
    PUPIL_TEXT,
    Library,
    judged_sample,
    publish_through_services,
    revealed_round,
    signed_in,
)

_URL = re.compile(r'(?:href|src)="(/standards/[^"#?]+)')


def _served(client: FlaskClient, code: str) -> dict[str, int]:
    """Every URL of the standards file reachable from the browse page and the exemplar's own page, with its status."""
    pages = ["/standards", f"/standards/{code}"]
    urls = set(pages)
    for page in pages:
        urls |= set(_URL.findall(client.get(page).get_data(as_text=True)))
    return {url: client.get(url).status_code for url in sorted(urls) if code in url}


def test_a_reader_in_the_authority_sees_pupil_a_with_the_work_its_annotations_evidence_grid_and_provenance(
    app: Flask, world: World, library: Library
) -> None:
    client = signed_in(app, world.teacher_b)
    body = client.get(f"/standards/{library.exemplar.code}").get_data(as_text=True)
    assert "Pupil A: Year 6, Working at the expected standard (EXS)" in body
    assert "Key stage 2 writing teacher assessment (demo) (version 1)" in body
    assert 'id="annotation-1"' in body and "Fronted adverbial used well" in body and "(evidence for EXS.1)" in body
    assert "EXS.1: " in body and "The dragon&#39;s hill" in body
    assert PUPIL_TEXT in body
    assert "fronted adverbials in piece A" in body
    assert "Judged blind by 2 moderators in Year 6 writing; 100% of them on the agreed standard." in body
    for hidden in (library.sample.pupil_code, world.school_a.name, world.teacher_a.display_name):
        assert hidden not in body
    image = client.get(f"/standards/{library.exemplar.code}/pages/1/display.jpg")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.get_data() == storage().get(library.exemplar.images[0].display_key)


def test_image_urls_are_opaque_and_tagged_per_reader(app: Flask, world: World, library: Library) -> None:
    exemplar = library.exemplar
    first = signed_in(app, world.teacher_b).get(f"/standards/{exemplar.code}/pages/1/display.jpg")
    second = signed_in(app, world.lead_a).get(f"/standards/{exemplar.code}/pages/1/display.jpg")
    assert re.fullmatch(r"[0-9a-f]{16}", exemplar.code) and str(exemplar.id) != exemplar.code
    assert first.headers["ETag"] != second.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"  # asked again each time, so withdrawal reaches it
    again = signed_in(app, world.teacher_b).get(
        f"/standards/{exemplar.code}/pages/1/display.jpg", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    for key in (exemplar.images[0].display_key, library.sample.pages[0].display_key):
        assert key not in first.headers["ETag"] and key not in second.headers["ETag"]


def test_authority_scope_reaches_only_the_authoritys_people_and_installation_scope_everyone_signed_in(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    round_ = revealed_round(session, world, framework)
    local = judged_sample(session, world, framework, round_, "LOCAL", {world.moderator: "EXS", world.teacher_b: "EXS"})
    everyone = judged_sample(session, world, framework, round_, "ALL", {world.moderator: "EXS", world.teacher_b: "EXS"})
    local_code = publish_through_services(world, local, PublicationScope.AUTHORITY).code
    everyone_code = publish_through_services(world, everyone, PublicationScope.INSTALLATION).code
    session.flush()
    outsider = signed_in(app, world.teacher_c)
    assert outsider.get(f"/standards/{local_code}").status_code == 404
    assert outsider.get(f"/standards/{local_code}/pages/1/display.jpg").status_code == 404
    assert outsider.get(f"/standards/{everyone_code}").status_code == 200
    assert "1 exemplar" in outsider.get("/standards").get_data(as_text=True)
    assert "2 exemplars" in signed_in(app, world.teacher_b).get("/standards").get_data(as_text=True)
    assert app.test_client().get(f"/standards/{everyone_code}").status_code == 302  # signed out: to sign-in


def test_a_moderator_who_judges_the_sample_blind_in_an_open_round_does_not_see_it(
    app: Flask, session: Session, world: World, framework: Framework, library: Library
) -> None:
    blind = make_user(session, email="blind.judge@example.org")
    open_round = make_round(session, world.authority, framework, RoundState.JUDGING, name="Open round")
    make_entry(session, open_round, library.sample, {blind: None})  # allocated, not yet judged
    client = signed_in(app, blind)
    assert all(status == 404 for url, status in _served(client, library.exemplar.code).items() if url != "/standards")
    assert library.exemplar.code not in client.get("/standards").get_data(as_text=True)
    assert "0 exemplars" in client.get("/standards").get_data(as_text=True)
    # Everything they can reach from their dashboard, against what a reader in the authority reaches the same way.
    secrets = [library.exemplar.code, PUPIL_TEXT]
    # Search answers only a query, which no link carries: the crawl starts from searches for the pupil's words too.
    starts = ["/", "/standards/search?q=dragon+village", "/standards/search?q=%22fronted+adverbials%22"]
    assert leaks(crawl(client, starts), secrets) == []
    assert leaks(crawl(signed_in(app, world.teacher_b), starts[1:2]), secrets) != []


def _withdraw(app: Flask, world: World, library: Library, _monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"/schools/{world.school_a.id}/standards/{library.exemplar.code}/withdraw"
    response = post_form(signed_in(app, world.lead_a), url, {}, page=f"/schools/{world.school_a.id}/standards")
    assert response.status_code == 302


def _expire(_app: Flask, _world: World, library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """The permission ran until today; tomorrow comes, and nothing else happens."""
    today = clock.today()
    permission = publication.live_permission(library.sample)
    assert permission is not None
    permission.expires_on = today
    monkeypatch.setattr(clock, "today", lambda: today + dt.timedelta(days=1))


def _flag(app: Flask, world: World, library: Library, _monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"/schools/{world.school_a.id}/standards/never-publish"
    response = post_form(
        signed_in(app, world.lead_a),
        url,
        {"pupil_code": library.sample.pupil_code},
        page=f"/schools/{world.school_a.id}/standards",
    )
    assert response.status_code == 302


@pytest.mark.parametrize("end", [_withdraw, _expire, _flag], ids=["withdrawn", "expired", "never publish"])
def test_when_permission_ends_every_url_that_served_the_exemplar_is_gone_at_once(
    app: Flask, session: Session, world: World, library: Library, end: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = signed_in(app, world.teacher_b)
    before = _served(reader, library.exemplar.code)
    assert set(before.values()) == {200}
    assert {f"/standards/{library.exemplar.code}", f"/standards/{library.exemplar.code}/pages/1/display.jpg"} <= set(
        before
    )
    assert library.exemplar.code in reader.get("/standards").get_data(as_text=True)
    image_url = f"/standards/{library.exemplar.code}/pages/1/display.jpg"
    tag = reader.get(image_url).headers["ETag"]
    across = _views_across(library)
    assert all(library.exemplar.code in reader.get(url).get_data(as_text=True) for url in across)
    end(app, world, library, monkeypatch)  # type: ignore[operator]
    session.flush()
    after = {url: reader.get(url).status_code for url in before}
    assert set(after.values()) == {404}
    assert reader.get(image_url, headers={"If-None-Match": tag}).status_code == 404  # a cached copy is not confirmed
    assert [url for url in across if library.exemplar.code in reader.get(url).get_data(as_text=True)] == []
    assert "No exemplar you can read has every word" in reader.get(across[0]).get_data(as_text=True)


def _views_across(library: Library) -> list[str]:
    """The views that list the exemplar among others: search (first) for its pupil's words and its commentary's,
    the library, progression in its subject, and the statement its evidence grid shows at each standard."""
    framework_id = library.exemplar.framework_id
    return [
        "/standards/search?q=dragon+village",
        "/standards/search?q=%22fronted+adverbials%22",
        "/standards",
        "/standards/progression?subject=writing",
        f"/standards/progression?subject=writing&framework={framework_id}",
        f"/standards/frameworks/{framework_id}/statements/EXS.1",
    ]


def test_withdrawal_deletes_the_published_copy_and_is_audited(
    app: Flask, session: Session, world: World, library: Library
) -> None:
    keys = [library.exemplar.images[0].display_key, library.exemplar.images[0].thumbnail_key]
    _withdraw(app, world, library, pytest.MonkeyPatch())
    session.expire_all()
    assert library.exemplar.state is ExemplarState.WITHDRAWN
    assert library.exemplar.images == [] and library.exemplar.revisions == []
    assert not any(storage().exists(key) for key in keys)
    assert all(
        storage().exists(key) for key in (library.sample.pages[0].display_key, library.sample.pages[0].master_key)
    )
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"standards.permission_withdrawn", "exemplar.withdrawn"} <= actions


def test_browse_filters_by_phase_key_stage_subject_year_and_standard_with_counts(
    app: Flask, session: Session, world: World, framework: Framework, library: Library
) -> None:
    round_ = revealed_round(session, world, framework, "Second round")
    gds = judged_sample(
        session, world, framework, round_, "GDS-1", {world.moderator: "GDS", world.teacher_b: "GDS"}, agreed="GDS"
    )
    publish_through_services(world, gds, PublicationScope.AUTHORITY)
    session.flush()
    client = signed_in(app, world.teacher_b)
    body = client.get("/standards").get_data(as_text=True)
    assert "2 exemplars" in body
    assert re.search(r"standard=EXS\">EXS</a> \(1\)", body) and re.search(r"standard=GDS\">GDS</a> \(1\)", body)
    assert re.search(r"key_stage=KS2\">KS2</a> \(2\)", body) and re.search(r"year=6\">Year 6</a> \(2\)", body)
    filtered = client.get("/standards?standard=GDS&phase=primary").get_data(as_text=True)
    assert "1 exemplar" in filtered and "Working at greater depth" in filtered
    assert "0 exemplars" in client.get("/standards?subject=Maths").get_data(as_text=True)
    assert client.get("/standards?page=2").status_code == 404
    assert client.get("/standards?year=%00").status_code in (200, 404)


def test_the_hourly_sweep_deletes_the_copies_of_expired_exemplars_and_audits_it(
    app: Flask, session: Session, world: World, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [library.exemplar.images[0].display_key, library.exemplar.images[0].thumbnail_key]
    assert publication.delete_lapsed_copies() == 0  # nothing lapsed yet
    _expire(app, world, library, monkeypatch)
    assert publication.delete_lapsed_copies() == 1
    session.commit()  # the test's outer transaction stays open; the copies go once this session's work commits
    assert library.exemplar.state is ExemplarState.WITHDRAWN and library.exemplar.images == []
    assert not any(storage().exists(key) for key in keys)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "exemplar.withdrawn")).one()
    assert event.actor_id is None and event.details["reason"] == "permission expired"


def test_after_a_withdrawal_only_a_new_permission_and_the_whole_gate_publish_it_again_as_a_new_revision(
    app: Flask, session: Session, world: World, library: Library
) -> None:
    exemplar = library.exemplar
    _withdraw(app, world, library, pytest.MonkeyPatch())
    session.expire_all()
    with pytest.raises(StandardsError, match="not recorded permission"):
        publication.publish(exemplar, exemplar.version, world.la_lead)
    details = publication.PermissionDetails("Carer", clock.today(), PublicationScope.AUTHORITY, None)
    publication.record_permission(library.sample, details, world.lead_a)
    publication.publish(exemplar, exemplar.version, world.la_lead)
    session.flush()
    assert exemplar.state is ExemplarState.PUBLISHED and [r.number for r in exemplar.revisions] == [2]
    assert signed_in(app, world.teacher_b).get(f"/standards/{exemplar.code}/pages/1/display.jpg").status_code == 200


def test_every_signed_in_person_finds_the_standards_file_in_the_main_menu(app: Flask, world: World) -> None:
    for person in (world.teacher_a, world.la_lead):
        page = signed_in(app, person).get("/dashboard").get_data(as_text=True)
        assert '<a class="govuk-service-navigation__link" href="/standards"' in page, person.email


def test_work_the_standards_file_has_published_cannot_be_entered_in_a_blind_round_even_after_withdrawal(
    session: Session, world: World, framework: Framework, library: Library
) -> None:
    """Its readers may know its agreed standard; a round that hides nothing may still take it."""
    blind = make_round(session, world.authority, framework, RoundState.COLLECTING, lead=world.la_lead)
    open_ = make_round(session, world.authority, framework, RoundState.COLLECTING, **dict.fromkeys(HIDING_RULES, False))
    [in_blind] = take_part(session, blind, world.school_a)
    [in_open] = take_part(session, open_, world.school_a)
    refusal = (
        f"Pupil {library.sample.pupil_code}'s work has been published in the standards file, so moderators may "
        "know its agreed standard: it cannot be judged blind"
    )
    assert refusal in rounds_services.entry_problems(in_blind, library.sample)
    assert refusal not in rounds_services.entry_problems(in_open, library.sample)
    publication.withdraw_permission(library.sample, world.lead_a)
    session.flush()
    assert library.exemplar.state is ExemplarState.WITHDRAWN
    assert refusal in rounds_services.entry_problems(in_blind, library.sample)


def test_each_role_s_dashboard_leads_to_its_part_of_the_standards_file(app: Flask, world: World) -> None:
    """A teacher to the library; a school's assessment lead also to its permissions; an LA lead to curation."""
    expected = {
        world.teacher_a: ["/standards"],
        world.lead_a: ["/standards", f"/schools/{world.school_a.id}/standards"],
        world.moderator: ["/standards"],
        world.la_lead: [f"/authorities/{world.authority.id}/standards"],
    }
    for person, links in expected.items():
        page = signed_in(app, person).get("/dashboard").get_data(as_text=True)
        main = page[page.index("<main") :]
        for link in links:
            assert f'href="{link}"' in main, (person.email, link)
            assert signed_in(app, person).get(link).status_code == 200, (person.email, link)
