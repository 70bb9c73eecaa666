"""A school's settings: its assessment lead decides whether uploads are kept as originals, and its staff
download them; nobody else sees the setting's page or an original."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.audit.models import AuditEvent
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.organisations.models import School
from moderation_hub.organisations.services import set_school_settings
from moderation_hub.samples.models import FileStatus, SourceFile, WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample
from moderation_hub.storage import storage
from tests import factories
from tests.conftest import https_client, post_form, sign_in
from tests.factories import World
from tests.functional.samples.test_uploads import stored_objects, upload
from tests.unit.ingestion import samples as files


def sample_at(school: School, teacher: User, pupil_code: str) -> WorkSample:
    framework = next(r.framework for r in import_demo_frameworks() if r.framework.slug == "ks2-writing-ta")
    return create_sample(school, framework, SampleDetails(pupil_code, 6, 2025), teacher)


@pytest.fixture
def sample_a(app: Flask, world: World) -> WorkSample:
    """A draft Year 6 sample at school A."""
    return sample_at(world.school_a, world.teacher_a, "Y6-001")


def with_kept_original(session: Session, sample: WorkSample) -> SourceFile:
    """A processed file of the sample whose original is stored, arranged directly."""
    key = storage().new_key()
    storage().put(key, b"%PDF-1.7 kept", "application/pdf")
    source = SourceFile(
        school_file_name="kept.pdf",
        kind="pdf",
        byte_size=13,
        sha256="0" * 64,
        page_count=1,
        status=FileStatus.READY,
        original_key=key,
    )
    sample.files.append(source)
    session.flush()
    return source


def settings_url(school: School) -> str:
    return f"/schools/{school.id}/settings"


def save_settings(client: FlaskClient, school: School, keep: str):
    return post_form(client, settings_url(school), {"keep_originals": keep})


def settings_events(session: Session, school: School) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "school.settings_changed", AuditEvent.subject_id == school.id)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def keep_originals_and_upload(app: Flask, client: FlaskClient, world: World, sample: WorkSample) -> list[SourceFile]:
    """The lead turns keeping on; the teacher then uploads a PDF and a photo, both processed."""
    lead = https_client(app)
    sign_in(lead, world.lead_a.email)
    assert save_settings(lead, world.school_a, "yes").status_code == 302
    sign_in(client, world.teacher_a.email)
    response = upload(
        client, sample, ("Jo Bloggs essay.pdf", files.essay_pdf()), ("photo.png", files.png_with_metadata())
    )
    assert response.status_code == 302
    return sample.files


def test_the_schools_lead_turns_keeping_originals_on_and_off(
    client: FlaskClient, world: World, session: Session
) -> None:
    sign_in(client, world.lead_a.email)
    school_page = client.get(f"/schools/{world.school_a.id}").get_data(as_text=True)
    assert settings_url(world.school_a) in school_page
    form = client.get(settings_url(world.school_a)).get_data(as_text=True)
    assert "never see them" in form
    assert 'value="no" checked' in form

    response = save_settings(client, world.school_a, "yes")
    assert response.status_code == 302
    assert response.location == f"/schools/{world.school_a.id}"
    assert "settings have been saved" in client.get(response.location).get_data(as_text=True)
    session.expire_all()
    assert world.school_a.keep_originals is True
    assert 'value="yes" checked' in client.get(settings_url(world.school_a)).get_data(as_text=True)

    assert save_settings(client, world.school_a, "no").status_code == 302
    session.expire_all()
    assert world.school_a.keep_originals is False
    events = settings_events(session, world.school_a)
    assert [(e.actor_id, e.details) for e in events] == [
        (world.lead_a.id, {"keep_originals": True, "originals_deleted": 0}),
        (world.lead_a.id, {"keep_originals": False, "originals_deleted": 0}),
    ]


def test_saving_the_same_setting_again_records_nothing(client: FlaskClient, world: World, session: Session) -> None:
    sign_in(client, world.lead_a.email)
    assert save_settings(client, world.school_a, "no").status_code == 302
    assert settings_events(session, world.school_a) == []


@pytest.mark.parametrize("person", ["teacher_a", "lead_b", "moderator", "other_la_lead"])
def test_nobody_but_the_schools_leads_sees_or_changes_its_settings(
    client: FlaskClient, world: World, session: Session, person: str
) -> None:
    """Refused as the policy refuses an object: not found, so another school cannot even learn it exists."""
    lead_b = factories.make_user(session, (Role.ASSESSMENT_LEAD, world.school_b))
    sign_in(client, lead_b.email if person == "lead_b" else getattr(world, person).email)
    assert client.get(settings_url(world.school_a)).status_code == 404
    response = post_form(client, settings_url(world.school_a), {"keep_originals": "yes"}, page="/account")
    assert response.status_code == 404
    session.expire_all()
    assert world.school_a.keep_originals is False
    assert settings_events(session, world.school_a) == []
    if person == "teacher_a":  # the school's own teacher sees the setting, but not the way to change it
        school_page = client.get(f"/schools/{world.school_a.id}").get_data(as_text=True)
        assert "Keep original uploaded files" in school_page
        assert settings_url(world.school_a) not in school_page


def test_the_authoritys_lead_may_set_a_schools_settings(client: FlaskClient, world: World, session: Session) -> None:
    sign_in(client, world.la_lead.email)
    assert save_settings(client, world.school_a, "yes").status_code == 302
    session.expire_all()
    assert world.school_a.keep_originals is True


def test_the_settings_form_needs_its_csrf_token(client: FlaskClient, world: World, session: Session) -> None:
    sign_in(client, world.lead_a.email)
    response = client.post(settings_url(world.school_a), data={"keep_originals": "yes"})
    assert response.status_code == 400
    session.expire_all()
    assert world.school_a.keep_originals is False


@pytest.mark.parametrize("data", [{}, {"keep_originals": "maybe"}])
def test_an_answer_that_is_neither_yes_nor_no_changes_nothing(
    client: FlaskClient, world: World, session: Session, data: dict[str, str]
) -> None:
    world.school_a.keep_originals = True
    session.flush()
    sign_in(client, world.lead_a.email)
    response = post_form(client, settings_url(world.school_a), data)
    assert response.status_code == 400
    assert "Select whether to keep the original files" in response.get_data(as_text=True)
    session.expire_all()
    assert world.school_a.keep_originals is True


def test_after_turning_it_on_an_upload_is_kept_and_offered_to_the_schools_staff(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    essay, photo = keep_originals_and_upload(app, client, world, sample_a)
    session.expire_all()
    assert essay.status is FileStatus.READY
    assert storage().get(essay.original_key or "") == files.essay_pdf()
    assert storage().get(photo.original_key or "") == files.png_with_metadata()
    page = client.get(f"/samples/{sample_a.id}").get_data(as_text=True)
    assert f"/samples/{sample_a.id}/files/{essay.id}/original" in page
    assert "Download original" in page


def test_turning_it_off_deletes_every_kept_original_of_the_school_only(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    kept = [source.original_key for source in keep_originals_and_upload(app, client, world, sample_a)]
    elsewhere = with_kept_original(session, sample_at(world.school_b, world.teacher_b, "Y6-777"))
    objects_before = len(stored_objects(app))

    lead = https_client(app)
    sign_in(lead, world.lead_a.email)
    response = save_settings(lead, world.school_a, "no")
    assert response.status_code == 302
    assert "2 kept original files have been deleted" in lead.get(response.location).get_data(as_text=True)

    session.expire_all()
    assert [source.original_key for source in sample_a.files] == [None, None]
    assert not any(storage().exists(key or "") for key in kept)
    assert len(stored_objects(app)) == objects_before - 2  # the page images stay
    assert storage().exists(elsewhere.original_key or "")
    assert settings_events(session, world.school_a)[-1].details == {"keep_originals": False, "originals_deleted": 2}
    assert "Download original" not in client.get(f"/samples/{sample_a.id}").get_data(as_text=True)


def test_originals_are_deleted_from_storage_only_once_the_change_is_committed(
    app: Flask, world: World, sample_a: WorkSample, session: Session
) -> None:
    source = with_kept_original(session, sample_a)
    key = source.original_key or ""
    assert set_school_settings(world.school_a, False, world.lead_a) == 1
    assert source.original_key is None
    assert storage().exists(key)  # the test never commits: were it rolled back, the original must still be there


@pytest.mark.parametrize("person", ["teacher_a", "lead_a"])
def test_the_schools_staff_download_an_original_as_an_attachment_named_by_its_id(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session, person: str
) -> None:
    essay, _ = keep_originals_and_upload(app, client, world, sample_a)
    reader = https_client(app)
    sign_in(reader, getattr(world, person).email)
    response = reader.get(f"/samples/{sample_a.id}/files/{essay.id}/original")
    assert response.status_code == 200
    assert response.data == files.essay_pdf()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename=original-{essay.id}.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Bloggs" not in str(response.headers)
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "sample.original_downloaded"))
    assert (event.actor_id, event.subject_type, event.subject_id) == (
        getattr(world, person).id,
        "work_sample",
        sample_a.id,
    )
    assert event.details == {"source_file_id": essay.id}
    assert event.occurred_at is not None


@pytest.mark.parametrize("person", ["moderator", "teacher_b", "teacher_c", "la_lead", "other_la_lead"])
def test_nobody_outside_the_school_downloads_an_original(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session, person: str
) -> None:
    essay, _ = keep_originals_and_upload(app, client, world, sample_a)
    outsider = https_client(app)
    sign_in(outsider, getattr(world, person).email)
    assert outsider.get(f"/samples/{sample_a.id}/files/{essay.id}/original").status_code == 404
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "sample.original_downloaded")).all() == []


def test_a_file_without_an_original_or_of_another_sample_is_not_found(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, world.teacher_a.email)
    upload(client, sample_a, ("photo.jpg", files.landscape_photo()))
    session.expire_all()
    (not_kept,) = sample_a.files
    assert not_kept.original_key is None
    assert client.get(f"/samples/{sample_a.id}/files/{not_kept.id}/original").status_code == 404
    elsewhere = with_kept_original(session, sample_at(world.school_b, world.teacher_b, "Y6-777"))
    assert client.get(f"/samples/{sample_a.id}/files/{elsewhere.id}/original").status_code == 404
