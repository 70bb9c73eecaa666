"""Small builders for test data. Every test user shares one password, hashed once per run."""

import functools
import hashlib
import io
import itertools
from dataclasses import dataclass

from PIL import Image
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.accounts.passwords import hash_password
from moderation_hub.db import utcnow
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType
from moderation_hub.frameworks.models import Framework
from moderation_hub.organisations.models import Cluster, LocalAuthority, School
from moderation_hub.rounds.models import (
    Judgement,
    JudgementState,
    ModerationRound,
    RoundEntry,
    RoundKind,
    RoundModerator,
    RoundSchool,
    RoundState,
)
from moderation_hub.samples.models import FileStatus, Page, SampleState, SourceFile, WorkSample
from moderation_hub.standards.models import (
    Exemplar,
    ExemplarImage,
    ExemplarRevision,
    ExemplarSource,
    ExemplarState,
    PublicationPermission,
    PublicationScope,
)
from moderation_hub.standards.statements import index_statements
from moderation_hub.storage import storage

PASSWORD = "marking-window-blue-harbour"
_sequence = itertools.count(1)


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def make_authority(session: Session, name: str | None = None) -> LocalAuthority:
    number = next(_sequence)
    authority = LocalAuthority(name=name or f"Authority {number}", code=f"LA{number:04d}")
    session.add(authority)
    session.flush()
    return authority


def make_cluster(session: Session, authority: LocalAuthority, name: str | None = None) -> Cluster:
    cluster = Cluster(authority=authority, name=name or f"Cluster {next(_sequence)}")
    session.add(cluster)
    session.flush()
    return cluster


def make_school(
    session: Session,
    authority: LocalAuthority,
    name: str | None = None,
    *,
    cluster: Cluster | None = None,
    school_type: SchoolType = SchoolType.PRIMARY,
    phase: SchoolPhase = SchoolPhase.PRIMARY,
    key_stages: tuple[KeyStage, ...] = (KeyStage.KS1, KeyStage.KS2),
) -> School:
    number = next(_sequence)
    school = School(
        authority=authority,
        cluster=cluster,
        urn=f"{900000 + number}",
        name=name or f"School {number}",
        phase=phase,
        school_type=school_type,
    )
    school.key_stages = list(key_stages)
    session.add(school)
    session.flush()
    return school


def make_user(
    session: Session,
    *roles: tuple[Role, School | LocalAuthority | None],
    email: str | None = None,
    name: str | None = None,
) -> User:
    number = next(_sequence)
    user = User(
        email=email or f"person{number}@example.org",
        display_name=name or f"Person {number}",
        password_hash=password_hash(),
    )
    for role, place in roles:
        user.memberships.append(
            Membership(
                role=role,
                school=place if isinstance(place, School) else None,
                authority=place if isinstance(place, LocalAuthority) else None,
            )
        )
    session.add(user)
    session.flush()
    return user


@dataclass
class World:
    """Authority with schools A and B, an unrelated authority with school C, and one person per role."""

    authority: LocalAuthority
    cluster: Cluster
    school_a: School
    school_b: School
    other_authority: LocalAuthority
    school_c: School
    teacher_a: User
    lead_a: User
    teacher_b: User
    teacher_c: User
    moderator: User
    la_lead: User
    other_la_lead: User
    admin: User


def build_world(session: Session) -> World:
    authority = make_authority(session, "Northshire County Council")
    cluster = make_cluster(session, authority, "Riverside cluster")
    school_a = make_school(session, authority, "Alder Primary School", cluster=cluster)
    school_b = make_school(session, authority, "Birch Primary School", cluster=cluster)
    other_authority = make_authority(session, "Southshire Council")
    school_c = make_school(session, other_authority, "Cedar Primary School")
    return World(
        authority=authority,
        cluster=cluster,
        school_a=school_a,
        school_b=school_b,
        other_authority=other_authority,
        school_c=school_c,
        teacher_a=make_user(session, (Role.TEACHER, school_a), email="teacher.a@example.org", name="Tess Alder"),
        lead_a=make_user(session, (Role.ASSESSMENT_LEAD, school_a), email="lead.a@example.org", name="Lee Alder"),
        teacher_b=make_user(session, (Role.TEACHER, school_b), email="teacher.b@example.org", name="Tom Birch"),
        teacher_c=make_user(session, (Role.TEACHER, school_c), email="teacher.c@example.org", name="Cy Cedar"),
        moderator=make_user(session, (Role.MODERATOR, authority), email="moderator@example.org", name="Mo Derr"),
        la_lead=make_user(session, (Role.LA_LEAD, authority), email="la.lead@example.org", name="Laura Lead"),
        other_la_lead=make_user(session, (Role.LA_LEAD, other_authority), email="south.lead@example.org"),
        admin=make_user(session, (Role.SITE_ADMIN, None), email="admin@example.org", name="Ada Admin"),
    )


def _tiny_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def make_ready_sample(
    session: Session,
    school: School,
    teacher: User,
    framework: Framework,
    pupil_code: str,
    standard_code: str,
    commentary: str = "",
    academic_year: int = 2025,
) -> WorkSample:
    """A submitted sample with one ready page, inserted directly: no upload and no sandbox. Its page's images are
    a small JPEG stored under fresh keys, so pages that show them work."""
    standard = next(s for s in framework.standards if s.code == standard_code)
    sample = WorkSample(
        school=school,
        framework=framework,
        pupil_code=pupil_code,
        year_group=6,
        academic_year=academic_year,
        teacher_judgement=standard,
        commentary=commentary,
        state=SampleState.SUBMITTED,
        created_by_id=teacher.id,
        submitted_at=utcnow(),
    )
    image = _tiny_jpeg()
    source = SourceFile(
        sample=sample,
        school_file_name=f"{pupil_code}.jpg",
        kind="jpeg",
        byte_size=len(image),
        sha256=hashlib.sha256(image).hexdigest(),
        page_count=1,
        status=FileStatus.READY,
    )
    keys = [storage().new_key() for _ in range(3)]
    for key in keys:
        storage().put(key, image, "image/jpeg")
    page = Page(sample=sample, source_file=source, position=0, index_in_file=0, width=60, height=80)
    page.master_key, page.display_key, page.thumbnail_key = keys
    session.add_all([sample, source, page])
    session.flush()
    return sample


def make_round(
    session: Session,
    authority: LocalAuthority,
    framework: Framework,
    state: RoundState,
    *,
    lead: User | None = None,
    name: str | None = None,
    academic_year: int = 2025,
    **settings: object,
) -> ModerationRound:
    """A round of ``framework`` in ``state``, inserted directly; ``settings`` are its other columns."""
    round_ = ModerationRound(
        authority=authority,
        name=name or f"Round {next(_sequence)}",
        kind=RoundKind.LA_MODERATION,
        state=state,
        academic_year=academic_year,
        lead_id=lead.id if lead else None,
        frameworks=[framework],
        **settings,
    )
    session.add(round_)
    session.flush()
    return round_


def take_part(session: Session, round_: ModerationRound, *schools: School, count: int = 3) -> list[RoundSchool]:
    """The schools asked for ``count`` pupils each (as ``RoundSchool`` rows, in order)."""
    parts = [RoundSchool(round=round_, school=school, requested_count=count) for school in schools]
    session.add_all(parts)
    session.flush()
    return parts


def make_entry(
    session: Session,
    round_: ModerationRound,
    sample: WorkSample,
    judged: dict[User, str | None],
    agreed: str | None = None,
) -> RoundEntry:
    """``sample`` entered in ``round_`` and allocated to each moderator of ``judged``, submitted at the standard
    code given (with the rationale "Moderator N's rationale", N counting from 1 in order) or not started (None);
    with the agreed standard's code. The moderators are added to the round as needed."""
    standards = {standard.code: standard for standard in sample.framework.standards}
    entry = RoundEntry(round=round_, sample=sample, school_id=sample.school_id)
    session.add(entry)
    if agreed is not None:
        entry.agreed_standard, entry.agreed_rationale, entry.agreed_at = standards[agreed], "Panel: agreed", utcnow()
    in_round = {moderator.user_id for moderator in round_.moderators}
    for number, (moderator, code) in enumerate(judged.items(), 1):
        if moderator.id not in in_round:
            round_.moderators.append(RoundModerator(user_id=moderator.id))
            in_round.add(moderator.id)
        judgement = Judgement(moderator_id=moderator.id, state=JudgementState.NOT_STARTED)
        if code is not None:
            judgement.state, judgement.standard = JudgementState.SUBMITTED, standards[code]
            judgement.rationale, judgement.submitted_at = f"Moderator {number}'s rationale", utcnow()
        entry.judgements.append(judgement)
    session.flush()
    return entry


def make_exemplar(
    session: Session,
    school: School,
    teacher: User,
    framework: Framework,
    standard_code: str,
    *,
    year_group: int = 6,
    evidence: dict[str, str] | None = None,
    commentary: str = "Secure at this standard across the collection.",
    scope: str = "authority",
    agreement: float | None = 1.0,
) -> Exemplar:
    """A published exemplar of a one-page sample of ``school``, inserted directly (no gate), with a live permission
    of ``scope`` and a revision whose page carries one annotation per ``evidence`` item (criterion code -> comment),
    numbered from 1 in order, in piece A; its statement index written as publication writes it."""
    sample = make_ready_sample(session, school, teacher, framework, f"EX-{next(_sequence)}", standard_code)
    sample.year_group = year_group
    page = sample.pages[0]
    standard = next(s for s in framework.standards if s.code == standard_code)
    statements = {criterion.code: criterion.statement for criterion in framework.criteria}
    notes = list((evidence or {}).items())
    content = {
        "pupil": "Pupil A",
        "year_group": year_group,
        "year_group_label": "Reception" if year_group == 0 else f"Year {year_group}",
        "framework": {"title": framework.title, "version": framework.version, "subject": framework.subject},
        "standard": {"code": standard.code, "label": standard.label},
        "pieces": [{"letter": "A", "title": "A piece of writing", "purpose": "", "independence": "Independent"}],
        "pages": [
            {
                "position": 1,
                "width": page.width,
                "height": page.height,
                "piece": "A",
                "text": "",
                "annotations": [
                    {"number": number, "comment": comment, "criteria": [code]}
                    for number, (code, comment) in enumerate(notes, 1)
                ],
            }
        ],
        "grid": {
            "columns": ["A"],
            "rows": [
                {"code": code, "statement": statements[code], "cells": [[number]]}
                for number, (code, _comment) in enumerate(notes, 1)
            ],
        },
    }
    exemplar = Exemplar(
        authority_id=school.authority_id,
        sample=sample,
        framework=framework,
        standard=standard,
        year_group=year_group,
        state=ExemplarState.PUBLISHED,
        source=ExemplarSource.OUTSIDE,
        outside_note="Moderated at a cluster meeting",
        overall_agreement=agreement,
        draft_commentary=commentary,
        revisions_made=1,
    )
    exemplar.revisions.append(ExemplarRevision(number=1, commentary=commentary, content=content))
    exemplar.images.append(
        ExemplarImage(
            position=1,
            width=page.width,
            height=page.height,
            display_key=page.display_key,
            thumbnail_key=page.thumbnail_key,
        )
    )
    permission = PublicationPermission(
        sample=sample, given_by="Parent", given_on=utcnow().date(), scope=PublicationScope(scope)
    )
    session.add_all([exemplar, permission])
    session.flush()
    index_statements(exemplar, content)
    return exemplar
