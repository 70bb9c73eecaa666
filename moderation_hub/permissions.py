"""The authorisation policy, in one place: may this user do this action on this object?

Each permission names ``<capability>:<resource>:<action>`` and maps to one pure rule taking the
user and, for object-level permissions, the object. Views call ``authorize``; services may call ``can``.
A refusal on a route is 403; a refusal on an object is 404, so that one school cannot even learn
that another school's object exists.
"""

import enum
from collections import defaultdict
from collections.abc import Callable, Collection
from typing import Any

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import Select, exists, false, or_, select

from moderation_hub import clock
from moderation_hub.accounts.models import Membership, Role, Scope, User
from moderation_hub.db import db
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.rounds.models import (
    Judgement,
    JudgementState,
    ModerationRound,
    RoundEntry,
    RoundModerator,
    RoundSchool,
    RoundState,
)
from moderation_hub.samples.models import WorkSample
from moderation_hub.standards.models import (
    Exemplar,
    ExemplarState,
    NeverPublish,
    PublicationPermission,
    PublicationScope,
)


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
    ROUND_LIST = "rounds:round:list"
    ROUND_CREATE = "rounds:round:create"
    ROUND_READ = "rounds:round:read"
    ROUND_MANAGE = "rounds:round:manage"
    ROUND_MODERATE = "rounds:round:moderate"
    ROUND_REVEAL_READ = "rounds:reveal:read"
    ROUND_SCHOOL_SUBMIT = "rounds:school:submit"
    ROUND_SCHOOL_OUTCOME = "rounds:school:outcome"
    OUTCOME_READ = "rounds:outcome:read"
    JUDGEMENT_EDIT = "rounds:judgement:edit"
    CONFLICT_DECLARE = "rounds:conflict:declare"
    REPORT_LIST = "reports:report:list"
    REPORT_ROUND = "reports:round:read"
    REPORT_SCHOOL = "reports:school:read"
    REPORT_MODERATOR = "reports:moderator:read"
    REPORT_AUTHORITY = "reports:authority:read"
    STANDARDS_BROWSE = "standards:library:browse"
    EXEMPLAR_READ = "standards:exemplar:read"
    STANDARDS_CURATE = "standards:authority:curate"
    EXEMPLAR_CURATE = "standards:exemplar:curate"
    EXEMPLAR_CHECK = "standards:exemplar:check"
    PUBLICATION_PERMISSION = "standards:permission:record"
    STANDARDS_BOOKLET = "standards:booklet:read"


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


def _creates_rounds(user: User, _obj: Any) -> bool:
    """LA leads run LA moderation; an assessment lead of a school in a cluster can run that cluster's meeting."""
    return user.has_role(Role.LA_LEAD) or any(
        m.role is Role.ASSESSMENT_LEAD and m.school is not None and m.school.cluster_id is not None
        for m in user.memberships
    )


def _manages_round(user: User, round_: ModerationRound) -> bool:
    return round_.lead_id == user.id or _leads_authority(user, round_.authority)


def _moderates_in(user: User, round_: ModerationRound) -> bool:
    return any(m.user_id == user.id for m in round_.moderators)


def _leads_school_in(user: User, round_: ModerationRound) -> bool:
    return any(Role.ASSESSMENT_LEAD in user.roles_in_school(t.school_id) for t in round_.schools)


def _reads_round(user: User, round_: ModerationRound) -> bool:
    """The round's managers, moderators and the assessment leads of its schools. ``readable_rounds`` is the same
    rule as a query."""
    return _manages_round(user, round_) or _moderates_in(user, round_) or _leads_school_in(user, round_)


def _reads_reveal(user: User, round_: ModerationRound) -> bool:
    """The panel (the lead and the round's moderators) compares judgements once the round is revealed."""
    revealed = round_.state in (RoundState.REVEAL, RoundState.CLOSED)
    return _manages_round(user, round_) or (revealed and _moderates_in(user, round_))


def _submits_for_school(user: User, taking_part: RoundSchool) -> bool:
    return Role.ASSESSMENT_LEAD in user.roles_in_school(taking_part.school_id)


def _reads_school_outcome(user: User, taking_part: RoundSchool) -> bool:
    return _submits_for_school(user, taking_part) or _manages_round(user, taking_part.round)


def _reads_outcome(user: User, entry: RoundEntry) -> bool:
    """A sample's agreed outcome, once its round is revealed: for the school's assessment lead, and for the teacher
    who made the sample while they still teach there. ``readable_outcomes`` is the same rule as a query."""
    if entry.round.state not in REVEALED or entry.agreed_standard_id is None:
        return False
    roles = user.roles_in_school(entry.school_id)
    return Role.ASSESSMENT_LEAD in roles or (Role.TEACHER in roles and entry.sample.created_by_id == user.id)


def _judges(user: User, judgement: Judgement) -> bool:
    return judgement.moderator_id == user.id and judgement.state is not JudgementState.WITHDRAWN


def _may_moderate(user: User, _obj: Any) -> bool:
    return bool(user.memberships)


def _reads_round_report(user: User, round_: ModerationRound) -> bool:
    """The round's managers, once outcomes exist (reveal or closed)."""
    return round_.state in (RoundState.REVEAL, RoundState.CLOSED) and _manages_round(user, round_)


def _reads_school_report(user: User, school: School) -> bool:
    """The school's assessment lead and its authority's LA leads; not its teachers."""
    return Role.ASSESSMENT_LEAD in user.roles_in_school(school.id) or _leads_authority(user, school.authority)


def _is_self(user: User, person: User) -> bool:
    """A moderator's own report: nobody else's, whatever their role."""
    return person.id == user.id


def _reads_exemplar(user: User, exemplar: Exemplar) -> bool:
    """``readable_exemplars`` for one exemplar: published, permitted today for the reader, not held blind."""
    return db.session.scalar(readable_exemplars(user).where(Exemplar.id == exemplar.id)) is not None


def _curates_exemplar(user: User, exemplar: Exemplar) -> bool:
    return _leads_authority(user, exemplar.authority)


def _checks_exemplar(user: User, exemplar: Exemplar) -> bool:
    """A second person checks a draft's pages: the school's staff or the authority's LA leads, never whoever made
    the sample or uploaded any of its files."""
    sample = exemplar.sample
    if exemplar.state is not ExemplarState.DRAFT or user.id in uploaders_of(sample):
        return False
    return _teaches_at(user, sample.school) or _leads_authority(user, exemplar.authority)


def uploaders_of(sample: WorkSample) -> set[int]:
    """Who made the sample or uploaded its files: none of them may be the second person who checks its pages."""
    people = {sample.created_by_id, *(file.uploaded_by_id for file in sample.files)}
    return {person for person in people if person is not None}


def _records_publication(user: User, school: School) -> bool:
    """Permission to publish is the school's to give and withdraw: its assessment lead records it, nobody else."""
    return Role.ASSESSMENT_LEAD in user.roles_in_school(school.id)


def _reads_booklet(user: User, booklet: Any) -> bool:
    """A booklet (``standards.booklet.BookletRequest``) is made for one reader of what they may read: it is theirs
    alone, and only while what it holds is still what they may read (no withdrawal, expiry, new revision or blind
    hold since it was asked for)."""
    return booklet.reader_id == user.id and booklet.still_readable()


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
    Permission.ROUND_LIST: _signed_in,
    Permission.ROUND_CREATE: _creates_rounds,
    Permission.ROUND_READ: _reads_round,
    Permission.ROUND_MANAGE: _manages_round,
    Permission.ROUND_MODERATE: _moderates_in,
    Permission.ROUND_REVEAL_READ: _reads_reveal,
    Permission.ROUND_SCHOOL_SUBMIT: _submits_for_school,
    Permission.ROUND_SCHOOL_OUTCOME: _reads_school_outcome,
    Permission.OUTCOME_READ: _reads_outcome,
    Permission.JUDGEMENT_EDIT: _judges,
    Permission.CONFLICT_DECLARE: _may_moderate,
    Permission.REPORT_LIST: _may_moderate,  # anyone with a role may moderate, so has at least their own report
    Permission.REPORT_ROUND: _reads_round_report,
    Permission.REPORT_SCHOOL: _reads_school_report,
    Permission.REPORT_MODERATOR: _is_self,
    Permission.REPORT_AUTHORITY: _leads_authority,
    Permission.STANDARDS_BROWSE: _signed_in,
    Permission.EXEMPLAR_READ: _reads_exemplar,
    Permission.STANDARDS_CURATE: _leads_authority,
    Permission.EXEMPLAR_CURATE: _curates_exemplar,
    Permission.EXEMPLAR_CHECK: _checks_exemplar,
    Permission.PUBLICATION_PERMISSION: _records_publication,
    Permission.STANDARDS_BOOKLET: _reads_booklet,
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
    Permission.ROUND_READ,
    Permission.ROUND_MANAGE,
    Permission.ROUND_MODERATE,
    Permission.ROUND_REVEAL_READ,
    Permission.ROUND_SCHOOL_SUBMIT,
    Permission.ROUND_SCHOOL_OUTCOME,
    Permission.OUTCOME_READ,
    Permission.JUDGEMENT_EDIT,
    Permission.REPORT_ROUND,
    Permission.REPORT_SCHOOL,
    Permission.REPORT_MODERATOR,
    Permission.REPORT_AUTHORITY,
    Permission.EXEMPLAR_READ,
    Permission.STANDARDS_CURATE,
    Permission.EXEMPLAR_CURATE,
    Permission.EXEMPLAR_CHECK,
    Permission.PUBLICATION_PERMISSION,
    Permission.STANDARDS_BOOKLET,
}


# What someone who has not signed in may do when the installation reads the standards file in public
# (STANDARDS_PUBLIC): browse it, and read the exemplars ``readable_exemplars`` gives them, those whose school's live
# permission is "public".
PUBLIC_PERMISSIONS = frozenset({Permission.STANDARDS_BROWSE, Permission.EXEMPLAR_READ})


def reads_in_public(user: Any) -> bool:
    """Whether ``user`` reads the standards file as the public: not signed in, on an installation that allows it."""
    return (user is None or not user.is_authenticated) and bool(current_app.config["STANDARDS_PUBLIC"])


def can(user: Any, permission: Permission, obj: Any = None) -> bool:
    if reads_in_public(user) and permission in PUBLIC_PERMISSIONS:
        return permission is not Permission.EXEMPLAR_READ or _reads_exemplar(user, obj)
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


# Blindness across rounds. A sample is judged blind only by people who cannot see who it is from anywhere else:
# not its school's staff, not anyone who runs a round it is in (the round's page names each sample's school and
# pupil), and not the panel of another round that has revealed it. Allocation keeps these people off the sample
# (``identity_seers``); someone who comes to see it later while judging it blind elsewhere, because a second round
# that holds it reveals, does not see it revealed there until their own round is revealed (``blind_holds``).

REVEALED = (RoundState.REVEAL, RoundState.CLOSED)
BEFORE_REVEAL = (RoundState.SETUP, RoundState.COLLECTING, RoundState.JUDGING)


def identity_seers(round_: ModerationRound, sample_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """For each sample, the people who can see its identity other than by judging it blind in ``round_``.

    Empty for a round that hides nothing: its moderators are not blind, so nothing of theirs needs keeping.
    Four set-based queries, whatever the numbers of samples, rounds and people.
    """
    if not round_.is_blind or not sample_ids:
        return {}
    ids = list(sample_ids)
    seers: dict[int, set[int]] = defaultdict(set)
    for sample_id, user_id in db.session.execute(_school_staff(ids)):
        seers[sample_id].add(user_id)
    for sample_id, user_id in db.session.execute(_round_leads(ids)):
        seers[sample_id].add(user_id)
    for sample_id, user_id in db.session.execute(_other_panels(round_, ids)):
        seers[sample_id].add(user_id)
    everywhere = set(db.session.scalars(managers_of(round_)))
    return {sample_id: frozenset(seers[sample_id] | everywhere) for sample_id in ids}


def _school_staff(sample_ids: list[int]) -> Select[tuple[int, int]]:
    return (
        select(WorkSample.id, Membership.user_id)
        .join(Membership, Membership.school_id == WorkSample.school_id)
        .where(WorkSample.id.in_(sample_ids))
    )


def _round_leads(sample_ids: list[int]) -> Select[tuple[int, int]]:
    """The named lead of every round the sample is in, this one included."""
    return (
        select(RoundEntry.sample_id, ModerationRound.lead_id)
        .join(ModerationRound, ModerationRound.id == RoundEntry.round_id)
        .where(RoundEntry.sample_id.in_(sample_ids), ModerationRound.lead_id.is_not(None))
    )


def _other_panels(round_: ModerationRound, sample_ids: list[int]) -> Select[tuple[int, int]]:
    """Everyone who reads the reveal of another round that holds the sample: its moderators, dropped ones too."""
    return (
        select(RoundEntry.sample_id, RoundModerator.user_id)
        .join(ModerationRound, ModerationRound.id == RoundEntry.round_id)
        .join(RoundModerator, RoundModerator.round_id == ModerationRound.id)
        .where(
            RoundEntry.sample_id.in_(sample_ids),
            ModerationRound.id != round_.id,
            ModerationRound.state.in_(REVEALED),
        )
    )


def managers_of(round_: ModerationRound) -> Select[tuple[int]]:
    """Who runs the round (``_manages_round``), as a query of user ids: its lead, the authority's LA leads and
    the site's administrators. They see which school sent each sample, so never judge a blind round's samples."""
    return select(Membership.user_id).where(
        or_(
            (Membership.role == Role.LA_LEAD) & (Membership.authority_id == round_.authority_id),
            Membership.role == Role.SITE_ADMIN,
            Membership.user_id == round_.lead_id,
        )
    )


def blind_holds(user: User) -> frozenset[int]:
    """The samples ``user`` is judging blind in a round not yet revealed: no other view may show them who they are."""
    statement = (
        select(RoundEntry.sample_id)
        .join(Judgement, Judgement.entry_id == RoundEntry.id)
        .join(ModerationRound, ModerationRound.id == RoundEntry.round_id)
        .where(
            Judgement.moderator_id == user.id,
            Judgement.state != JudgementState.WITHDRAWN,
            ModerationRound.state.in_(BEFORE_REVEAL),
            ModerationRound.is_blind,
        )
    )
    return frozenset(db.session.scalars(statement))


def ever_published(sample_ids: Collection[int]) -> frozenset[int]:
    """Of ``sample_ids``, those the standards file has ever published: anyone the permission reached may have read
    their agreed standard and annotations (a withdrawal cannot take back what was read), so they are judged blind
    no more."""
    if not sample_ids:
        return frozenset()
    statement = select(Exemplar.sample_id).where(Exemplar.sample_id.in_(sample_ids), Exemplar.revisions_made > 0)
    return frozenset(db.session.scalars(statement))


def readable_outcomes(user: User) -> Select[tuple[RoundEntry]]:
    """``_reads_outcome`` as a query: the entries whose agreed outcome ``user`` may read, for lists that must not
    load a round's every entry to filter it."""
    taught = WorkSample.created_by_id == user.id
    return (
        select(RoundEntry)
        .join(ModerationRound, ModerationRound.id == RoundEntry.round_id)
        .join(WorkSample, WorkSample.id == RoundEntry.sample_id)
        .where(
            ModerationRound.state.in_(REVEALED),
            RoundEntry.agreed_standard_id.is_not(None),
            or_(
                RoundEntry.school_id.in_(user.schools_with_role(Role.ASSESSMENT_LEAD)),
                RoundEntry.school_id.in_(user.schools_with_role(Role.TEACHER)) & taught,
            ),
        )
    )


def readable_rounds(user: Any) -> Select[tuple[int]]:
    """``_reads_round`` as a query of round ids, for lists that must not check every round one by one: the rounds
    ``user`` runs (its lead, the authority's LA leads, the site's administrators), moderates in (dropped out too) or
    leads a school taking part in. Nothing for someone ``can`` refuses everything."""
    rounds = select(ModerationRound.id)
    if user is None or not user.is_authenticated or not user.is_active:
        return rounds.where(false())
    if user.is_site_admin:
        return rounds
    moderating = select(RoundModerator.round_id).where(RoundModerator.user_id == user.id)
    schools_led = select(RoundSchool.round_id).where(
        RoundSchool.school_id.in_(user.schools_with_role(Role.ASSESSMENT_LEAD))
    )
    return rounds.where(
        or_(
            ModerationRound.lead_id == user.id,
            ModerationRound.authority_id.in_(user.authorities_with_role(Role.LA_LEAD)),
            ModerationRound.id.in_(moderating),
            ModerationRound.id.in_(schools_led),
        )
    )


# The standards file. What a reader sees is decided when they ask, from the live permission, never from a flag
# copied onto the exemplar: a permission withdrawn or expired, or a pupil flagged never to publish, hides the
# exemplar from every page and image at once.


def readable_exemplars(user: Any) -> Select[tuple[Exemplar]]:
    """The published exemplars ``user`` may read today: the school's permission is live and reaches them, the pupil
    is not flagged never to publish, and they do not judge its sample blind in a round not yet revealed. Someone not
    signed in reads only public ones, and only where the installation allows it (``reads_in_public``)."""
    permitted = exists().where(
        PublicationPermission.sample_id == Exemplar.sample_id,
        PublicationPermission.withdrawn_at.is_(None),
        or_(PublicationPermission.expires_on.is_(None), PublicationPermission.expires_on >= clock.today()),
        _scope_reaches(user),
    )
    flagged = exists().where(
        NeverPublish.school_id == WorkSample.school_id, NeverPublish.pupil_code == WorkSample.pupil_code
    )
    statement = (
        select(Exemplar)
        .join(WorkSample, WorkSample.id == Exemplar.sample_id)
        .where(Exemplar.state == ExemplarState.PUBLISHED, permitted, ~flagged)
    )
    held = blind_holds(user) if user is not None and user.is_authenticated else frozenset()
    return statement.where(Exemplar.sample_id.not_in(held)) if held else statement


def _scope_reaches(user: Any) -> Any:
    """Authority scope reaches the people of that authority and its schools; wider scopes every signed-in person;
    public scope alone reaches someone not signed in, when the installation reads the file in public."""
    if user is None or not user.is_authenticated:
        return PublicationPermission.scope == PublicationScope.PUBLIC if reads_in_public(user) else false()
    wider = PublicationPermission.scope.in_((PublicationScope.INSTALLATION, PublicationScope.PUBLIC))
    if user.is_site_admin:
        return or_(wider, PublicationPermission.scope == PublicationScope.AUTHORITY)
    authorities = {m.authority_id for m in user.memberships if m.authority_id is not None}
    authorities |= {m.school.authority_id for m in user.memberships if m.school is not None}
    return or_(
        wider, (PublicationPermission.scope == PublicationScope.AUTHORITY) & Exemplar.authority_id.in_(authorities)
    )
