"""The demo data set: one local authority with clusters, a dozen schools across phases, people in every
role and the demo frameworks. Loading it twice changes nothing."""

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

from moderation_hub.accounts.models import Role, User
from moderation_hub.accounts.passwords import hash_password
from moderation_hub.accounts.services import RoleGrant, grant_role
from moderation_hub.db import db
from moderation_hub.demo_work import load_demo_samples
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.organisations.models import Cluster, LocalAuthority, School
from moderation_hub.rounds.demo import load_demo_rounds
from moderation_hub.standards.demo import load_demo_standards

DEMO_PASSWORD = "swift-otter-cobalt-lantern"  # noqa: S105 - published on purpose: it is the demo's
AUTHORITY = ("Riverford Council", "RVF")
CLUSTERS = ("Estuary cluster", "Hillside cluster", "Town cluster")
KS = KeyStage
LA_LEAD = "la.lead@demo.moderation-hub.test"
NEW_TEACHER = "new.teacher@demo.moderation-hub.test"
# The demo rounds' moderators: the LA moderator first, whose judging the demo leaves for a newcomer to do.
ROUND_MODERATORS = (
    "moderator@demo.moderation-hub.test",
    "year2@kestrel.demo.moderation-hub.test",
    "year6@harbourside.demo.moderation-hub.test",
)


class DemoSchool(NamedTuple):
    name: str
    urn: str
    school_type: SchoolType
    phase: SchoolPhase
    key_stages: tuple[KeyStage, ...]
    cluster: int | None  # index into CLUSTERS


SCHOOLS = tuple(
    DemoSchool(*row)
    for row in (
        ("Saltmarsh Infant School", "990101", SchoolType.INFANT, SchoolPhase.PRIMARY, (KS.EYFS, KS.KS1), 0),
        ("Saltmarsh Junior School", "990102", SchoolType.JUNIOR, SchoolPhase.PRIMARY, (KS.KS2,), 0),
        ("Harbourside Primary School", "990103", SchoolType.PRIMARY, SchoolPhase.PRIMARY, (KS.EYFS, KS.KS1, KS.KS2), 0),
        (
            "Kestrel Hill Primary School",
            "990104",
            SchoolType.PRIMARY,
            SchoolPhase.PRIMARY,
            (KS.EYFS, KS.KS1, KS.KS2),
            1,
        ),
        ("Bramblewood Primary School", "990105", SchoolType.PRIMARY, SchoolPhase.PRIMARY, (KS.EYFS, KS.KS1, KS.KS2), 1),
        (
            "Upper Fell Middle School",
            "990106",
            SchoolType.MIDDLE,
            SchoolPhase.MIDDLE_DEEMED_SECONDARY,
            (KS.KS2, KS.KS3),
            1,
        ),
        ("Hillside Academy", "990107", SchoolType.SECONDARY, SchoolPhase.SECONDARY, (KS.KS3, KS.KS4, KS.KS5), 1),
        (
            "St Aidan's CE Primary School",
            "990108",
            SchoolType.PRIMARY,
            SchoolPhase.PRIMARY,
            (KS.EYFS, KS.KS1, KS.KS2),
            2,
        ),
        (
            "Market Street Primary School",
            "990109",
            SchoolType.PRIMARY,
            SchoolPhase.PRIMARY,
            (KS.EYFS, KS.KS1, KS.KS2),
            2,
        ),
        ("Riverford High School", "990110", SchoolType.SECONDARY, SchoolPhase.SECONDARY, (KS.KS3, KS.KS4), 2),
        (
            "Riverford All-Through School",
            "990111",
            SchoolType.ALL_THROUGH,
            SchoolPhase.ALL_THROUGH,
            (KS.EYFS, KS.KS1, KS.KS2, KS.KS3, KS.KS4),
            2,
        ),
        (
            "Willow Bank Special School",
            "990112",
            SchoolType.SPECIAL,
            SchoolPhase.NOT_APPLICABLE,
            (KS.KS1, KS.KS2, KS.KS3, KS.KS4),
            None,
        ),
    )
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    description: str


def load_demo() -> list[DemoLogin]:
    """Create (or find) the demo data; returns the logins to show a newcomer. The caller commits."""
    authority = _authority()
    clusters = [_cluster(authority, name) for name in CLUSTERS]
    schools = [_school(authority, clusters, row) for row in SCHOOLS]
    import_demo_frameworks()
    logins = _people(authority, schools)
    load_demo_samples()  # needs the schools, people and frameworks made above
    load_demo_rounds(authority, _user(LA_LEAD), [_user(email) for email in ROUND_MODERATORS])  # needs the samples
    load_demo_standards(authority, _user(LA_LEAD))  # needs the revealed round
    return logins


def _authority() -> LocalAuthority:
    name, code = AUTHORITY
    authority = db.session.scalar(select(LocalAuthority).where(LocalAuthority.code == code))
    if authority is None:
        authority = LocalAuthority(name=name, code=code)
        db.session.add(authority)
        db.session.flush()
    return authority


def _cluster(authority: LocalAuthority, name: str) -> Cluster:
    cluster = db.session.scalar(select(Cluster).where(Cluster.authority_id == authority.id, Cluster.name == name))
    if cluster is None:
        cluster = Cluster(authority=authority, name=name)
        db.session.add(cluster)
        db.session.flush()
    return cluster


def _school(authority: LocalAuthority, clusters: list[Cluster], row: DemoSchool) -> School:
    school = db.session.scalar(select(School).where(School.urn == row.urn))
    if school is None:
        school = School(authority=authority, urn=row.urn, name=row.name, school_type=row.school_type, phase=row.phase)
        school.cluster = clusters[row.cluster] if row.cluster is not None else None
        school.key_stages = list(row.key_stages)
        db.session.add(school)
        db.session.flush()
    return school


def _person(email: str, name: str, *grants: RoleGrant) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(user)
        db.session.flush()
    for grant in grants:
        grant_role(user, grant)
    return user


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _people(authority: LocalAuthority, schools: list[School]) -> list[DemoLogin]:
    harbourside, kestrel, bramblewood, hillside = schools[2], schools[3], schools[4], schools[6]
    st_aidans, market_street = schools[7], schools[8]
    logins = [
        ("admin@demo.moderation-hub.test", "Sam Okafor", "site administrator", [RoleGrant(Role.SITE_ADMIN)]),
        (
            LA_LEAD,
            "Priya Raman",
            "LA assessment lead, who runs the demo moderation rounds",
            [RoleGrant(Role.LA_LEAD, authority=authority)],
        ),
        (
            "moderator@demo.moderation-hub.test",
            "Gareth Lloyd",
            "LA moderator, with samples to judge",
            [RoleGrant(Role.MODERATOR, authority=authority)],
        ),
        (
            "lead@harbourside.demo.moderation-hub.test",
            "Helen Marsh",
            "assessment lead, Harbourside Primary, whose moderation outcome is agreed",
            [RoleGrant(Role.ASSESSMENT_LEAD, school=harbourside), RoleGrant(Role.TEACHER, school=harbourside)],
        ),
        (
            "year6@harbourside.demo.moderation-hub.test",
            "Daniel Ashby",
            "Year 6 teacher, Harbourside Primary",
            [RoleGrant(Role.TEACHER, school=harbourside)],
        ),
        (
            "year2@kestrel.demo.moderation-hub.test",
            "Aisha Begum",
            "Year 2 teacher at Kestrel Hill Primary, also a moderator",
            [RoleGrant(Role.TEACHER, school=kestrel), RoleGrant(Role.MODERATOR, authority=authority)],
        ),
        (
            "english@hillside.demo.moderation-hub.test",
            "Tomasz Nowak",
            "Year 7 English teacher, Hillside Academy",
            [RoleGrant(Role.TEACHER, school=hillside)],
        ),
        (
            NEW_TEACHER,
            "Chloe Adeyemi",
            "new Year 3 teacher, Market Street Primary, whose dashboard leads to the standards file",
            [RoleGrant(Role.TEACHER, school=market_street)],
        ),
    ]
    for email, name, _description, grants in logins:
        _person(email, name, *grants)
    school_leads = {school.id: _school_lead(school) for school in schools}
    printed = [DemoLogin(email, name, description) for email, name, description, _grants in logins]
    # The other school leads the demo rounds' stories need (rounds/demo.py); Harbourside's is Helen Marsh, above.
    stories = (
        (kestrel, "whose pupil's work is being judged in the open round"),
        (bramblewood, "whose moderation outcome is not agreed"),
        (st_aidans, "whose agreed Year 6 work is published in the standards file"),
        (market_street, "who recorded permission to publish a pupil's work in the standards file"),
    )
    leads = [(school_leads[school.id], story) for school, story in stories]
    return [*printed, *(DemoLogin(lead.email, lead.display_name, story) for lead, story in leads)]


def _school_lead(school: School) -> User:
    slug = school.name.split()[0].lower().replace("'", "")
    return _person(
        f"lead@{slug}-{school.urn}.demo.moderation-hub.test",
        f"Assessment lead, {school.name}",
        RoleGrant(Role.ASSESSMENT_LEAD, school=school),
    )
