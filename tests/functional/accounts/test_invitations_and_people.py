"""Invitations by email, people admin for LA leads, and the server ending someone's sessions."""

import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Invitation, Membership, Role, User
from tests.conftest import https_client, post_form, sign_in
from tests.factories import PASSWORD, World

NEW_PASSWORD = "lantern-meadow-copper-finch"


def _invitation_path(caplog: pytest.LogCaptureFixture) -> str:
    bodies = [record.body for record in caplog.records if hasattr(record, "body")]
    assert bodies, "no email was written"
    match = re.search(r"https?://[^/]+(/invitations/\S+)", bodies[-1])
    assert match
    return match.group(1)


@pytest.fixture
def mail(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    logger = logging.getLogger("moderation_hub")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def _invite(client: FlaskClient, email: str, role: Role, school_id: int | str = "", authority_id: int | str = ""):
    return post_form(
        client,
        "/people/invite",
        {"email": email, "role": role.value, "school": str(school_id), "authority": str(authority_id)},
    )


def test_la_lead_invites_a_new_teacher_who_sets_a_password_and_gets_the_role(
    app: Flask, client: FlaskClient, world: World, session: Session, mail: pytest.LogCaptureFixture
) -> None:
    sign_in(client, "la.lead@example.org")
    response = _invite(client, "New.Teacher@Example.org", Role.TEACHER, school_id=world.school_a.id)
    assert response.status_code == 302
    assert "invitation" in client.get("/people").get_data(as_text=True).lower()

    newcomer = https_client(app)
    path = _invitation_path(mail)
    page = newcomer.get(path).get_data(as_text=True)
    assert "new.teacher@example.org" in page
    assert "Alder Primary School" in page
    response = post_form(newcomer, path, {"display_name": "Nia Newton", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Hello, Nia Newton" in newcomer.get("/dashboard").get_data(as_text=True)

    user = session.scalar(select(User).where(User.email == "new.teacher@example.org"))
    assert user is not None
    assert [(m.role, m.school_id) for m in user.memberships] == [(Role.TEACHER, world.school_a.id)]
    assert user.password_hash.startswith("$argon2id$")

    again = https_client(app).get(path)
    assert again.status_code == 400
    assert "already been accepted" in again.get_data(as_text=True)


def test_invitation_link_is_stored_only_as_a_hash(
    client: FlaskClient, world: World, session: Session, mail: pytest.LogCaptureFixture
) -> None:
    sign_in(client, "la.lead@example.org")
    _invite(client, "hash.check@example.org", Role.MODERATOR, authority_id=world.authority.id)
    token = _invitation_path(mail).rsplit("/", 1)[1]
    invitation = session.scalar(select(Invitation).where(Invitation.email == "hash.check@example.org"))
    assert invitation is not None
    assert token not in invitation.token_hash


def test_an_expired_invitation_cannot_be_accepted(
    app: Flask, client: FlaskClient, world: World, session: Session, mail: pytest.LogCaptureFixture
) -> None:
    app.config["INVITATION_MAX_AGE_DAYS"] = -1
    sign_in(client, "la.lead@example.org")
    _invite(client, "late@example.org", Role.TEACHER, school_id=world.school_a.id)
    response = https_client(app).get(_invitation_path(mail))
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_an_invitation_with_a_weak_password_creates_nothing(
    app: Flask, client: FlaskClient, world: World, session: Session, mail: pytest.LogCaptureFixture
) -> None:
    sign_in(client, "la.lead@example.org")
    _invite(client, "weak@example.org", Role.TEACHER, school_id=world.school_a.id)
    newcomer = https_client(app)
    path = _invitation_path(mail)
    response = post_form(newcomer, path, {"display_name": "Wes Weak", "password": "password12345678"})
    assert response.status_code == 400
    assert "too easy to guess" in response.get_data(as_text=True)
    assert session.scalar(select(User).where(User.email == "weak@example.org")) is None


def test_inviting_someone_who_has_an_account_gives_them_the_role_at_once(
    client: FlaskClient, world: World, session: Session, mail: pytest.LogCaptureFixture
) -> None:
    sign_in(client, "la.lead@example.org")
    response = _invite(client, "teacher.b@example.org", Role.MODERATOR, authority_id=world.authority.id)
    assert response.status_code == 302
    roles = session.scalars(select(Membership.role).where(Membership.user_id == world.teacher_b.id)).all()
    assert set(roles) == {Role.TEACHER, Role.MODERATOR}
    assert session.scalar(select(Invitation).where(Invitation.email == "teacher.b@example.org")) is None


def test_assessment_lead_may_invite_only_teachers_to_their_own_school(
    client: FlaskClient, world: World, session: Session, mail: pytest.LogCaptureFixture
) -> None:
    sign_in(client, "lead.a@example.org")
    assert _invite(client, "ok@example.org", Role.TEACHER, school_id=world.school_a.id).status_code == 302
    assert _invite(client, "no1@example.org", Role.TEACHER, school_id=world.school_b.id).status_code == 400
    assert _invite(client, "no2@example.org", Role.MODERATOR, authority_id=world.authority.id).status_code == 400
    assert _invite(client, "no3@example.org", Role.ASSESSMENT_LEAD, school_id=world.school_a.id).status_code == 400
    invited = set(session.scalars(select(Invitation.email)))
    assert invited == {"ok@example.org"}


def test_la_lead_cannot_invite_into_another_authority(
    client: FlaskClient, world: World, session: Session, mail: pytest.LogCaptureFixture
) -> None:
    sign_in(client, "la.lead@example.org")
    assert _invite(client, "x@example.org", Role.TEACHER, school_id=world.school_c.id).status_code == 400
    assert _invite(client, "y@example.org", Role.LA_LEAD, authority_id=world.other_authority.id).status_code == 400
    assert session.scalar(select(Invitation)) is None


def test_people_list_shows_only_the_leads_authority(client: FlaskClient, world: World) -> None:
    sign_in(client, "la.lead@example.org")
    page = client.get("/people").get_data(as_text=True)
    assert "teacher.a@example.org" in page
    assert "moderator@example.org" in page
    assert "teacher.c@example.org" not in page
    assert "south.lead@example.org" not in page


def test_admin_ends_every_session_of_a_person(app: Flask, client: FlaskClient, world: World) -> None:
    teacher = https_client(app)
    sign_in(teacher, "teacher.a@example.org")
    sign_in(client, "admin@example.org")
    response = post_form(client, f"/people/{world.teacher_a.id}/end-sessions", {}, page="/account")
    assert response.status_code == 302
    assert teacher.get("/dashboard").status_code == 302


def test_deactivating_signs_the_person_out_and_keeps_them_out(app: Flask, client: FlaskClient, world: World) -> None:
    teacher = https_client(app)
    sign_in(teacher, "teacher.a@example.org")
    sign_in(client, "la.lead@example.org")
    post_form(client, f"/people/{world.teacher_a.id}/active", {"active": "no"}, page="/account")
    assert teacher.get("/dashboard").status_code == 302
    response = post_form(teacher, "/sign-in", {"email": "teacher.a@example.org", "password": PASSWORD})
    assert response.status_code == 400


def test_removing_a_role_takes_effect_at_once(app: Flask, client: FlaskClient, world: World, session: Session) -> None:
    teacher = https_client(app)
    sign_in(teacher, "teacher.a@example.org")
    membership = world.teacher_a.memberships[0]
    sign_in(client, "la.lead@example.org")
    url = f"/people/{world.teacher_a.id}/roles/{membership.id}/revoke"
    assert post_form(client, url, {}, page="/account").status_code == 302
    assert session.scalar(select(Membership).where(Membership.id == membership.id)) is None
    assert teacher.get("/dashboard").status_code == 302


def test_a_lead_of_another_authority_cannot_remove_a_role(client: FlaskClient, world: World) -> None:
    membership = world.teacher_a.memberships[0]
    sign_in(client, "south.lead@example.org")
    url = f"/people/{world.teacher_a.id}/roles/{membership.id}/revoke"
    assert post_form(client, url, {}, page="/account").status_code == 404
