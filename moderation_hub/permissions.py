"""The authorisation policy, in one place: may this user do this action on this object?

Each permission names ``<capability>:<resource>:<action>`` and maps to one pure rule taking the
user and, for object-level permissions, the object. Views call ``authorize``; services may call ``can``.
A refusal on a route is 403; a refusal on an object is 404, so that one school cannot even learn
that another school's object exists.
"""

import enum
from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user

from moderation_hub.accounts.models import Role, Scope, User
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.samples.models import WorkSample


class Permission(enum.StrEnum):
    DASHBOARD_VIEW = "pages:dashboard:view"
    FRAMEWORK_READ = "frameworks:framework:read"
    FRAMEWORK_IMPORT = "frameworks:framework:import"
    SCHOOL_LIST = "organisations:school:list"
    SCHOOL_READ = "organisations:school:read"
    SCHOOL_MANAGE = "organisations:school:manage"
    AUTHORITY_MANAGE = "organisations:authority:manage"
    PEOPLE_LIST = "accounts:people:list"
    PERSON_MANAGE = "accounts:person:manage"
    PEOPLE_INVITE = "accounts:people:invite"
    INVITE = "accounts:invitation:create"
    SAMPLE_LIST = "samples:sample:list"
    SAMPLE_CREATE = "samples:sample:create"
    SAMPLE_READ = "samples:sample:read"
    SAMPLE_EDIT = "samples:sample:edit"
    SCHOOL_SETTINGS = "organisations:school:settings"


def _signed_in(user: User, _obj: Any) -> bool:
    return True


def _leads_an_authority(user: User, _obj: Any) -> bool:
    return user.is_site_admin or user.has_role(Role.LA_LEAD)


def _invites_someone(user: User, _obj: Any) -> bool:
    """LA leads invite to their authority; assessment leads invite teachers to their school (see _invites)."""
    return _leads_an_authority(user, None) or user.has_role(Role.ASSESSMENT_LEAD)


def _leads_authority(user: User, authority: LocalAuthority) -> bool:
    return user.is_site_admin or Role.LA_LEAD in user.roles_in_authority(authority.id)


def _reads_school(user: User, school: School) -> bool:
    return bool(user.roles_in_school(school.id)) or _leads_authority(user, school.authority)


def _manages_school(user: User, school: School) -> bool:
    return _leads_authority(user, school.authority)


def _manages_person(user: User, person: User) -> bool:
    """LA leads manage anyone holding a role in their authority or its schools; admins manage everyone."""
    if user.is_site_admin:
        return True
    led = set(user.authorities_with_role(Role.LA_LEAD))
    return any(
        (m.authority_id in led) or (m.school is not None and m.school.authority_id in led) for m in person.memberships
    )


def _invites(user: User, invitation: "InvitationTarget") -> bool:
    """LA leads invite to any role in their authority; assessment leads invite teachers to their own school."""
    role, school, authority = invitation.role, invitation.school, invitation.authority
    if user.is_site_admin:
        return True
    if role.scope is Scope.SITE:
        return False
    if role.scope is Scope.AUTHORITY:
        return authority is not None and _leads_authority(user, authority)
    if school is None:
        return False
    if _leads_authority(user, school.authority):
        return True
    return role is Role.TEACHER and Role.ASSESSMENT_LEAD in user.roles_in_school(school.id)


def _teaches_somewhere(user: User, _obj: Any) -> bool:
    return bool(user.schools_with_role(Role.TEACHER, Role.ASSESSMENT_LEAD))


def _teaches_at(user: User, school: School) -> bool:
    """Only the school's own staff see its samples before they are submitted to a moderation round."""
    return bool(user.roles_in_school(school.id) & {Role.TEACHER, Role.ASSESSMENT_LEAD})


def _teaches_at_sample_school(user: User, sample: WorkSample) -> bool:
    return _teaches_at(user, sample.school)


def _sets_school_policy(user: User, school: School) -> bool:
    return Role.ASSESSMENT_LEAD in user.roles_in_school(school.id) or _leads_authority(user, school.authority)


class InvitationTarget:
    """What an invitation would grant: a role in a school, an authority, or the site."""

    def __init__(self, role: Role, school: School | None = None, authority: LocalAuthority | None = None) -> None:
        self.role, self.school, self.authority = role, school, authority


RULES: dict[Permission, Callable[[User, Any], bool]] = {
    Permission.DASHBOARD_VIEW: _signed_in,
    Permission.FRAMEWORK_READ: _signed_in,
    Permission.FRAMEWORK_IMPORT: _leads_an_authority,
    Permission.SCHOOL_LIST: _leads_an_authority,
    Permission.SCHOOL_READ: _reads_school,
    Permission.SCHOOL_MANAGE: _manages_school,
    Permission.AUTHORITY_MANAGE: _leads_authority,
    Permission.PEOPLE_LIST: _leads_an_authority,
    Permission.PERSON_MANAGE: _manages_person,
    Permission.PEOPLE_INVITE: _invites_someone,
    Permission.INVITE: _invites,
    Permission.SAMPLE_LIST: _teaches_somewhere,
    Permission.SAMPLE_CREATE: _teaches_at,
    Permission.SAMPLE_READ: _teaches_at_sample_school,
    Permission.SAMPLE_EDIT: _teaches_at_sample_school,
    Permission.SCHOOL_SETTINGS: _sets_school_policy,
}

# Permissions whose rule needs an object; asking without one is a programming error.
OBJECT_PERMISSIONS = {
    Permission.SCHOOL_READ,
    Permission.SCHOOL_MANAGE,
    Permission.AUTHORITY_MANAGE,
    Permission.PERSON_MANAGE,
    Permission.INVITE,
    Permission.SAMPLE_CREATE,
    Permission.SAMPLE_READ,
    Permission.SAMPLE_EDIT,
    Permission.SCHOOL_SETTINGS,
}


def can(user: Any, permission: Permission, obj: Any = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if permission in OBJECT_PERMISSIONS and obj is None:
        raise TypeError(f"{permission} is checked against an object")
    return RULES[permission](user, obj)


def authorize(permission: Permission, obj: Any = None) -> None:
    """Abort the request unless the current user may do this: 403 for a route, 404 for an object."""
    if can(current_user, permission, obj):
        return
    abort(404 if obj is not None else 403)
