"""People admin: who an LA lead (or site admin) sees, and what roles they may hand out."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from moderation_hub.accounts.models import Invitation, Membership, Role, Scope, User
from moderation_hub.accounts.services import AccountError, RoleGrant
from moderation_hub.db import db, utcnow
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.permissions import InvitationTarget, Permission, can


def _led_authority_ids(user: User) -> list[int] | None:
    """The authorities whose people this user administers; None means every authority (site admin)."""
    return None if user.is_site_admin else user.authorities_with_role(Role.LA_LEAD)


def _membership_in_authorities(authority_ids: list[int]) -> object:
    school_ids = select(School.id).where(School.authority_id.in_(authority_ids))
    return or_(Membership.authority_id.in_(authority_ids), Membership.school_id.in_(school_ids))


def people_for(user: User) -> list[User]:
    statement = select(User).options(selectinload(User.memberships)).order_by(User.display_name, User.email)
    authority_ids = _led_authority_ids(user)
    if authority_ids is not None:
        statement = statement.where(
            User.id.in_(select(Membership.user_id).where(_membership_in_authorities(authority_ids)))
        )
    return list(db.session.scalars(statement))


def pending_invitations_for(user: User) -> list[Invitation]:
    statement = (
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    )
    authority_ids = _led_authority_ids(user)
    if authority_ids is not None:
        school_ids = select(School.id).where(School.authority_id.in_(authority_ids))
        statement = statement.where(
            or_(Invitation.authority_id.in_(authority_ids), Invitation.school_id.in_(school_ids))
        )
    return list(db.session.scalars(statement))


@dataclass
class InvitationChoices:
    roles: list[Role]
    schools: list[School]
    authorities: list[LocalAuthority]


def invitation_choices(user: User) -> InvitationChoices:
    """The roles, schools and authorities this user may invite people to."""
    if user.is_site_admin:
        authorities = list(db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name)))
        schools = list(db.session.scalars(select(School).order_by(School.name)))
        return InvitationChoices(list(Role), schools, authorities)
    led = user.authorities_with_role(Role.LA_LEAD)
    authorities = list(
        db.session.scalars(select(LocalAuthority).where(LocalAuthority.id.in_(led)).order_by(LocalAuthority.name))
    )
    led_school_ids = select(School.id).where(School.authority_id.in_(led))
    own_school_ids = user.schools_with_role(Role.ASSESSMENT_LEAD)
    schools = list(
        db.session.scalars(
            select(School)
            .where(or_(School.id.in_(led_school_ids), School.id.in_(own_school_ids)))
            .order_by(School.name)
        )
    )
    roles = [Role.TEACHER, Role.ASSESSMENT_LEAD, Role.MODERATOR, Role.LA_LEAD] if led else [Role.TEACHER]
    return InvitationChoices(roles, schools, authorities)


def grant_for(role_value: str, school_id: str, authority_id: str) -> RoleGrant:
    """Turn the invite form's choices into a grant, loading only the place the role's scope needs."""
    try:
        role = Role(role_value)
    except ValueError:
        raise AccountError("Choose a role") from None
    if role.scope is Scope.SCHOOL:
        school = db.session.get(School, int(school_id)) if school_id.isdigit() else None
        if school is None:
            raise AccountError(f"Choose the school for the {role.label.lower()}")
        return RoleGrant(role, school=school)
    if role.scope is Scope.AUTHORITY:
        authority = db.session.get(LocalAuthority, int(authority_id)) if authority_id.isdigit() else None
        if authority is None:
            raise AccountError(f"Choose the local authority for the {role.label.lower()}")
        return RoleGrant(role, authority=authority)
    return RoleGrant(role)


def may_grant(user: User, grant: RoleGrant) -> bool:
    return can(user, Permission.INVITE, InvitationTarget(grant.role, grant.school, grant.authority))


def may_revoke(user: User, membership: Membership) -> bool:
    """Whoever could grant a role may take it away."""
    return can(user, Permission.INVITE, InvitationTarget(membership.role, membership.school, membership.authority))
