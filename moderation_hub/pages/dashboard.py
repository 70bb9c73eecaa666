"""What each person's dashboard shows: what they have to do next, and one panel per school and authority they hold
a role in."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from moderation_hub.accounts.models import Invitation, Membership, Role, User
from moderation_hub.db import db, utcnow
from moderation_hub.frameworks.models import Framework
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.rounds.to_do import ToDo, to_do


@dataclass
class SchoolPanel:
    school: School
    roles: list[Role]
    staff_count: int


@dataclass
class AuthorityPanel:
    authority: LocalAuthority
    roles: list[Role]
    schools_by_type: list[tuple[str, int]]
    cluster_count: int
    people_count: int
    pending_invitations: int


@dataclass
class Dashboard:
    user: User
    to_do: ToDo
    school_panels: list[SchoolPanel] = field(default_factory=list)
    authority_panels: list[AuthorityPanel] = field(default_factory=list)
    authorities_for_admin: list[LocalAuthority] = field(default_factory=list)
    framework_count: int = 0


def build_dashboard(user: User) -> Dashboard:
    dashboard = Dashboard(
        user=user, to_do=to_do(user), framework_count=_count(select(func.count(func.distinct(Framework.slug))))
    )
    for school_id in user.schools_with_role(Role.TEACHER, Role.ASSESSMENT_LEAD):
        school = db.session.get_one(School, school_id)
        staff = _count(select(func.count(func.distinct(Membership.user_id))).where(Membership.school_id == school_id))
        dashboard.school_panels.append(SchoolPanel(school, sorted(user.roles_in_school(school_id)), staff))
    for authority_id in user.authorities_with_role(Role.MODERATOR, Role.LA_LEAD):
        dashboard.authority_panels.append(_authority_panel(user, db.session.get_one(LocalAuthority, authority_id)))
    if user.is_site_admin:
        dashboard.authorities_for_admin = list(db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name)))
    return dashboard


def _authority_panel(user: User, authority: LocalAuthority) -> AuthorityPanel:
    school_ids = select(School.id).where(School.authority_id == authority.id)
    people = _count(
        select(func.count(func.distinct(Membership.user_id))).where(
            (Membership.authority_id == authority.id) | Membership.school_id.in_(school_ids)
        )
    )
    pending = _count(
        select(func.count(Invitation.id)).where(
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > utcnow(),
            (Invitation.authority_id == authority.id) | Invitation.school_id.in_(school_ids),
        )
    )
    by_type = Counter(school.school_type.label for school in authority.schools)
    return AuthorityPanel(
        authority=authority,
        roles=sorted(user.roles_in_authority(authority.id)),
        schools_by_type=sorted(by_type.items()),
        cluster_count=len(authority.clusters),
        people_count=people,
        pending_invitations=pending,
    )


def _count(statement: object) -> int:
    return db.session.scalar(statement) or 0  # type: ignore[call-overload]
