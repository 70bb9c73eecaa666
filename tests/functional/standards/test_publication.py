"""Publication is gated on people: the school's live permission (and no never-publish flag), a second person's check
of every page, and a copy made only of redacted derivatives. Published revisions never change."""

import datetime as dt
import io

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub import clock
from moderation_hub.audit.models import AuditEvent
from moderation_hub.rounds.models import RoundEntry
from moderation_hub.samples.models import SourceFile
from moderation_hub.standards import candidates, publication
from moderation_hub.standards.commentary import Commentary
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.models import ExemplarState, PublicationPermission, PublicationScope
from moderation_hub.storage import storage
from tests.conftest import post_form
from tests.factories import World
from tests.functional.standards.conftest import PUPIL_TEXT, signed_in


def _permission_data(**changes: object) -> dict[str, object]:
    given = clock.today() - dt.timedelta(days=2)
    data: dict[str, object] = {
        "given_by": "Parent (signed form)",
        "given_on": [str(given.day), str(given.month), str(given.year)],
        "scope": "authority",
        "expires_on": ["", "", ""],
    }
    return data | changes


def test_the_whole_gate_through_the_pages_each_person_in_turn(
    app: Flask, session: Session, world: World, candidate: RoundEntry
) -> None:
    exemplar = candidates.promote(candidate, world.la_lead)
    session.flush()
    lead, la_lead = signed_in(app, world.lead_a), signed_in(app, world.la_lead)
    draft_url = f"/standards/drafts/{exemplar.code}"
    body = la_lead.get(draft_url).get_data(as_text=True)
    assert "has not recorded permission" in body and "has not yet confirmed every page" in body
    assert "no commentary" in body and ">Publish<" not in body

    # The LA lead cannot record the school's permission; the school's assessment lead can.
    permission_url = f"/schools/{world.school_a.id}/standards/{exemplar.code}/permission"
    assert post_form(la_lead, permission_url, _permission_data(), page="/account").status_code == 404
    assert post_form(lead, permission_url, _permission_data()).status_code == 302

    # The teacher who made the sample may not check it; the assessment lead, a second person, checks every page.
    check_url = f"{draft_url}/check"
    assert signed_in(app, world.teacher_a).get(check_url).status_code == 404
    partial = post_form(lead, check_url, {})
    assert partial.status_code == 400 and "Confirm every page" in partial.get_data(as_text=True)
    assert post_form(lead, check_url, {"pages": "1"}).status_code == 302

    assert (
        post_form(
            la_lead,
            draft_url,
            {"commentary": "EXS.1 is secure across piece A.", "why_not_next": "Not GDS", "version": exemplar.version},
        ).status_code
        == 302
    )
    session.refresh(exemplar)
    body = la_lead.get(draft_url).get_data(as_text=True)
    assert "Nothing stands in the way" in body
    published = post_form(la_lead, f"{draft_url}/publish", {"version": exemplar.version}, page=draft_url)
    assert published.status_code == 302
    session.refresh(exemplar)
    assert exemplar.state is ExemplarState.PUBLISHED and [r.number for r in exemplar.revisions] == [1]
    actions = list(
        session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "exemplar").order_by(AuditEvent.id))
    )
    assert actions == ["exemplar.promoted", "exemplar.pages_checked", "exemplar.commentary_saved", "exemplar.published"]


def test_publication_is_refused_until_every_gate_is_passed(
    session: Session, world: World, candidate: RoundEntry
) -> None:
    exemplar = candidates.promote(candidate, world.la_lead)
    publication.save_commentary(exemplar, Commentary("Commentary", "Not GDS"), exemplar.version, world.la_lead)

    def refusal() -> str:
        try:
            publication.publish(exemplar, exemplar.version, world.la_lead)
        except StandardsError as error:
            return str(error)
        return ""

    assert "not recorded permission" in refusal()
    details = publication.PermissionDetails("Parent", clock.today(), PublicationScope.AUTHORITY, None)
    publication.record_permission(candidate.sample, details, world.lead_a)
    assert "second person" in refusal()
    with pytest.raises(StandardsError, match="cannot be its second checker"):
        publication.confirm_pages(exemplar, {1}, world.teacher_a)  # made the sample
    candidate.sample.files[0].uploaded_by_id = world.lead_a.id  # now the lead uploaded it: they may not check either
    with pytest.raises(StandardsError, match="cannot be its second checker"):
        publication.confirm_pages(exemplar, {1}, world.lead_a)
    candidate.sample.files[0].uploaded_by_id = None
    publication.confirm_pages(exemplar, {1}, world.lead_a)
    page = candidate.sample.pages[0]
    page.display_key = storage().new_key()  # a redaction re-made the page's image: the check was of the old one
    storage().put(page.display_key, storage().get(page.thumbnail_key), "image/jpeg")
    assert "second person" in refusal()
    publication.confirm_pages(exemplar, {1}, world.la_lead)
    publication.flag_never_publish(world.school_a, candidate.sample.pupil_code, world.lead_a)
    assert "never to be published" in refusal()


def test_the_published_copy_is_made_of_redacted_derivatives_only(
    session: Session, world: World, candidate: RoundEntry
) -> None:
    page = candidate.sample.pages[0]
    exemplar = candidates.promote(candidate, world.la_lead)
    details = publication.PermissionDetails("Parent", clock.today(), PublicationScope.AUTHORITY, None)
    publication.record_permission(candidate.sample, details, world.lead_a)
    publication.confirm_pages(exemplar, {1}, world.lead_a)
    publication.save_commentary(exemplar, Commentary("Commentary", "Not GDS"), exemplar.version, world.la_lead)
    # Give the display derivative metadata, as another renderer might: the copy must not carry it.
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (60, 80), "white").save(buffer, "JPEG", exif=exif)
    storage().put(page.display_key, buffer.getvalue(), "image/jpeg")
    candidate.sample.files[0].original_key = storage().new_key()
    storage().put(candidate.sample.files[0].original_key, b"original bytes", "application/pdf")
    publication.publish(exemplar, exemplar.version, world.la_lead)
    image = exemplar.images[0]
    private = {page.master_key, page.display_key, page.thumbnail_key, candidate.sample.files[0].original_key}
    assert {image.display_key, image.thumbnail_key}.isdisjoint(private)
    copy = storage().get(image.display_key)
    assert b"Exif" not in copy and b"PhoneMaker" not in copy
    content = exemplar.current.content  # type: ignore[union-attr]
    text = repr(content)
    for identifying in (candidate.sample.pupil_code, world.school_a.name, world.teacher_a.display_name, "Y6-001"):
        assert identifying not in text
    assert content["pupil"] == "Pupil A" and content["pages"][0]["text"] == PUPIL_TEXT
    assert content["grid"]["columns"] == ["A"]
    assert content["grid"]["rows"][0]["code"] == "EXS.1" and content["grid"]["rows"][0]["cells"] == [[1]]
    assert not any(key for key in text.split("'") if key in private)
    assert session.scalars(select(SourceFile)).first() is not None  # the original is untouched, only never used


def test_editing_a_published_exemplars_commentary_makes_revision_two_and_keeps_revision_one(
    app: Flask, session: Session, world: World, library: object
) -> None:
    exemplar = library.exemplar  # type: ignore[attr-defined]
    first = exemplar.current
    client = signed_in(app, world.la_lead)
    url = f"/standards/drafts/{exemplar.code}"
    response = post_form(
        client,
        url,
        {
            "commentary": "A fuller commentary, statement by statement.",
            "why_not_next": "Not GDS",
            "version": exemplar.version,
        },
    )
    assert response.status_code == 302
    session.refresh(exemplar)
    assert [r.number for r in exemplar.revisions] == [1, 2]
    assert exemplar.revisions[0].commentary == first.commentary  # revision 1 never changes
    work = {key: value for key, value in first.content.items() if key != "commentary"}
    assert {key: value for key, value in exemplar.revisions[1].content.items() if key != "commentary"} == work
    assert exemplar.revisions[1].content["commentary"]["why_not_next"] == "Not GDS"
    reader = signed_in(app, world.teacher_b).get(f"/standards/{exemplar.code}").get_data(as_text=True)
    assert "A fuller commentary" in reader and "Revision 2" in reader
    unchanged = post_form(
        client,
        url,
        {
            "commentary": "A fuller commentary, statement by statement.",
            "why_not_next": "Not GDS",
            "version": exemplar.version,
        },
    )
    assert unchanged.status_code == 400 and "unchanged" in unchanged.get_data(as_text=True)
    stale = post_form(
        client, url, {"commentary": "Another", "why_not_next": "Not GDS", "version": exemplar.version - 1}
    )
    assert stale.status_code == 400 and "Someone else changed this exemplar" in stale.get_data(as_text=True)


def test_a_new_permission_replaces_the_old_and_both_are_kept(
    session: Session, world: World, candidate: RoundEntry
) -> None:
    sample = candidate.sample
    first = publication.PermissionDetails("Parent", clock.today(), PublicationScope.AUTHORITY, None)
    second = publication.PermissionDetails(
        "Carer", clock.today(), PublicationScope.INSTALLATION, clock.today() + dt.timedelta(days=30)
    )
    publication.record_permission(sample, first, world.lead_a)
    publication.record_permission(sample, second, world.lead_a)
    rows = list(session.scalars(select(PublicationPermission).order_by(PublicationPermission.id)))
    assert [row.withdrawn_at is None for row in rows] == [False, True]
    assert publication.live_permission(sample).scope is PublicationScope.INSTALLATION  # type: ignore[union-attr]


def test_the_permission_form_refuses_bad_dates_by_name(
    app: Flask, session: Session, world: World, candidate: RoundEntry
) -> None:
    exemplar = candidates.promote(candidate, world.la_lead)
    session.flush()
    lead = signed_in(app, world.lead_a)
    url = f"/schools/{world.school_a.id}/standards/{exemplar.code}/permission"
    future = clock.today() + dt.timedelta(days=5)
    cases = {
        "given_on": _permission_data(given_on=["", "", ""]),
        "Date permission was given must be today": _permission_data(
            given_on=[str(future.day), str(future.month), str(future.year)]
        ),
        "Expiry date must be in the future": _permission_data(expires_on=["1", "1", "2020"]),
    }
    for expected, data in cases.items():
        response = post_form(lead, url, data)
        assert response.status_code == 400
        assert expected in response.get_data(as_text=True)
