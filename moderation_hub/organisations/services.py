"""Schools and clusters: the rules for adding and changing them, and the lists the pages show.

Functions flush and never commit; the request commits once. A broken rule raises ``OrganisationError``,
whose message is written for the person who filled in the form.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType
from moderation_hub.organisations.models import Cluster, LocalAuthority, School
from moderation_hub.samples.uploads import delete_kept_originals

# ASCII digits only: \d would also accept other scripts' digits.
URN_PATTERN = re.compile(r"[0-9]{6}")
NAME_MAX_LENGTH = 200

URN_FORMAT_MESSAGE = "Enter a URN of exactly 6 digits, like 123456"
URN_TAKEN_MESSAGE = "A school with this URN is already registered"
NAME_REQUIRED_MESSAGE = "Enter the school's name"
NAME_TOO_LONG_MESSAGE = f"Name must be {NAME_MAX_LENGTH} characters or fewer"
KEY_STAGE_REQUIRED_MESSAGE = "Select at least one key stage the school teaches"
CLUSTER_NAME_REQUIRED_MESSAGE = "Enter the cluster's name"
CLUSTER_NAME_TAKEN_MESSAGE = "There is already a cluster with this name in this authority"

# A filter value that asks for the schools in no cluster at all.
NO_CLUSTER = "none"


# Ids are 32-bit INTEGER columns, and PostgreSQL fails the query (a 500) when asked for a larger number,
# so an id from a URL or a form beyond this is answered as not found before any query.
class OrganisationError(ValueError):
    """A school or cluster that cannot be saved; the message is safe to show, ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SchoolDetails:
    """What a person enters about a school; the authority is fixed when the school is created."""

    urn: str
    name: str
    phase: SchoolPhase
    school_type: SchoolType
    key_stages: Sequence[KeyStage]
    cluster_id: int | None = None


@dataclass(frozen=True)
class SchoolFilter:
    """``cluster``: a cluster id, ``NO_CLUSTER`` for schools in none, or None for any."""

    cluster: int | Literal["none"] | None = None
    school_type: SchoolType | None = None


@dataclass
class AuthoritySchools:
    authority: LocalAuthority
    schools: list[School]


@dataclass
class StaffMember:
    user: User
    roles: list[Role]


# Schools


def create_school(authority: LocalAuthority, details: SchoolDetails) -> School:
    details = _trimmed(details)
    cluster = _check_school(authority, details, school=None)
    with db.session.begin_nested():
        school = School(authority=authority)
        _apply(school, details, cluster)
        db.session.add(school)
        _flush_school()
    return school


def update_school(school: School, details: SchoolDetails) -> School:
    details = _trimmed(details)
    cluster = _check_school(school.authority, details, school=school)
    with db.session.begin_nested():
        _apply(school, details, cluster)
        _flush_school()
    return school


def _trimmed(details: SchoolDetails) -> SchoolDetails:
    return replace(details, urn=details.urn.strip(), name=details.name.strip())


def _check_school(authority: LocalAuthority, details: SchoolDetails, school: School | None) -> Cluster | None:
    """Every rule the database does not hold itself; returns the school's cluster, if it has one."""
    if not URN_PATTERN.fullmatch(details.urn):
        raise OrganisationError(URN_FORMAT_MESSAGE, "urn")
    if _urn_in_use(details.urn, school):
        raise OrganisationError(URN_TAKEN_MESSAGE, "urn")
    if not details.name:
        raise OrganisationError(NAME_REQUIRED_MESSAGE, "name")
    if len(details.name) > NAME_MAX_LENGTH:
        raise OrganisationError(NAME_TOO_LONG_MESSAGE, "name")
    if not details.key_stages:
        raise OrganisationError(KEY_STAGE_REQUIRED_MESSAGE, "key_stages")
    return _cluster_of(authority, details.cluster_id)


def _urn_in_use(urn: str, school: School | None) -> bool:
    query = select(School.id).where(School.urn == urn)
    if school is not None:
        query = query.where(School.id != school.id)
    return db.session.scalar(query) is not None


def _cluster_of(authority: LocalAuthority, cluster_id: int | None) -> Cluster | None:
    """The chosen cluster, which must belong to the school's own authority."""
    if cluster_id is None:
        return None
    cluster = db.session.get(Cluster, cluster_id)
    if cluster is None or cluster.authority_id != authority.id:
        raise OrganisationError(f"Choose a cluster in {authority.name}", "cluster_id")
    return cluster


def _apply(school: School, details: SchoolDetails, cluster: Cluster | None) -> None:
    school.urn = details.urn
    school.name = details.name
    school.phase = details.phase
    school.school_type = details.school_type
    school.key_stages = list(details.key_stages)
    school.cluster = cluster


def _flush_school() -> None:
    # Another request may register the same URN between our check and this flush; the savepoint around
    # the caller's changes keeps the session usable so the form can be shown again with the same message.
    try:
        db.session.flush()
    except IntegrityError as error:
        if _violates(error, "uq_school_urn", "school.urn"):
            raise OrganisationError(URN_TAKEN_MESSAGE, "urn") from error
        raise


def _violates(error: IntegrityError, constraint: str, column: str) -> bool:
    """Whether this unique constraint failed: PostgreSQL's message names the constraint, SQLite's the column."""
    message = str(error.orig)
    return constraint in message or ("UNIQUE" in message and column in message)


def authorities_led_by(user: User) -> list[LocalAuthority]:
    """The authorities whose schools this person administers: every one for a site admin."""
    query = select(LocalAuthority).order_by(LocalAuthority.name)
    if not user.is_site_admin:
        query = query.where(LocalAuthority.id.in_(user.authorities_with_role(Role.LA_LEAD)))
    return list(db.session.scalars(query))


def schools_by_authority(authorities: Sequence[LocalAuthority], school_filter: SchoolFilter) -> list[AuthoritySchools]:
    """Each authority with its schools that pass the filter, by name; an authority with none is kept."""
    query = _filtered(
        select(School).where(School.authority_id.in_([a.id for a in authorities])), school_filter
    ).options(selectinload(School.cluster), selectinload(School.key_stage_rows))
    schools = list(db.session.scalars(query.order_by(School.name, School.urn)))
    return [AuthoritySchools(a, [s for s in schools if s.authority_id == a.id]) for a in authorities]


def _filtered(query: Select[tuple[School]], school_filter: SchoolFilter) -> Select[tuple[School]]:
    if school_filter.cluster == NO_CLUSTER:
        query = query.where(School.cluster_id.is_(None))
    elif school_filter.cluster is not None:
        query = query.where(School.cluster_id == school_filter.cluster)
    if school_filter.school_type is not None:
        query = query.where(School.school_type == school_filter.school_type)
    return query


def school_staff(school: School) -> list[StaffMember]:
    """The active people holding a role in this school, by name, each with their roles there."""
    memberships = db.session.scalars(
        select(Membership)
        .join(Membership.user)
        .options(contains_eager(Membership.user))
        .where(Membership.school_id == school.id, User.is_active.is_(True))
        .order_by(User.display_name, User.id, Membership.role)
    )
    staff: dict[int, StaffMember] = {}
    for membership in memberships:
        staff.setdefault(membership.user_id, StaffMember(membership.user, [])).roles.append(membership.role)
    return list(staff.values())


# A school's own settings


def set_school_settings(school: School, keep_originals: bool, author: User) -> int:
    """Save what the school decides for itself; returns how many kept originals are deleted.

    Turning originals on keeps the files the worker processes from now on: earlier uploads are already gone.
    Turning them off deletes every original the school holds, so "off" always means none are kept.
    """
    changed = school.keep_originals != keep_originals
    school.keep_originals = keep_originals
    deleted = 0 if keep_originals else delete_kept_originals(school)
    if changed or deleted:
        record(author.id, "school.settings_changed", school, keep_originals=keep_originals, originals_deleted=deleted)
    db.session.flush()
    return deleted


# Clusters


def create_cluster(authority: LocalAuthority, name: str) -> Cluster:
    name = _check_cluster_name(authority, name, cluster=None)
    with db.session.begin_nested():
        cluster = Cluster(authority=authority, name=name)
        db.session.add(cluster)
        _flush_cluster()
    return cluster


def rename_cluster(cluster: Cluster, name: str) -> Cluster:
    name = _check_cluster_name(cluster.authority, name, cluster=cluster)
    with db.session.begin_nested():
        cluster.name = name
        _flush_cluster()
    return cluster


def _check_cluster_name(authority: LocalAuthority, name: str, cluster: Cluster | None) -> str:
    """The name, trimmed; it must be new in the authority, ignoring case, so two clusters never look alike."""
    name = name.strip()
    if not name:
        raise OrganisationError(CLUSTER_NAME_REQUIRED_MESSAGE, "name")
    if len(name) > NAME_MAX_LENGTH:
        raise OrganisationError(NAME_TOO_LONG_MESSAGE, "name")
    if _cluster_name_in_use(authority, name, cluster):
        raise OrganisationError(CLUSTER_NAME_TAKEN_MESSAGE, "name")
    return name


def _cluster_name_in_use(authority: LocalAuthority, name: str, cluster: Cluster | None) -> bool:
    query = select(Cluster.id).where(Cluster.authority_id == authority.id, func.lower(Cluster.name) == name.lower())
    if cluster is not None:
        query = query.where(Cluster.id != cluster.id)
    return db.session.scalar(query) is not None


def _flush_cluster() -> None:
    try:
        db.session.flush()
    except IntegrityError as error:
        if _violates(error, "uq_cluster_authority_id_name", "cluster.name"):
            raise OrganisationError(CLUSTER_NAME_TAKEN_MESSAGE, "name") from error
        raise


def clusters_in(authorities: Sequence[LocalAuthority]) -> list[Cluster]:
    """The clusters of these authorities, by authority then name, as the school form and the filter offer them."""
    query = (
        select(Cluster)
        .join(Cluster.authority)
        .where(Cluster.authority_id.in_([a.id for a in authorities]))
        .order_by(LocalAuthority.name, Cluster.name)
    )
    return list(db.session.scalars(query))


def clusters_with_schools(authority: LocalAuthority) -> list[Cluster]:
    query = (
        select(Cluster)
        .where(Cluster.authority_id == authority.id)
        .options(selectinload(Cluster.schools))
        .order_by(Cluster.name)
    )
    return list(db.session.scalars(query))


def schools_without_cluster(authority: LocalAuthority) -> list[School]:
    query = select(School).where(School.authority_id == authority.id, School.cluster_id.is_(None))
    return list(db.session.scalars(query.order_by(School.name)))
