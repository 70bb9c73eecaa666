"""The rules for schools and clusters, called directly as a CLI command or another service would."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType
from moderation_hub.organisations import services
from moderation_hub.organisations.models import Cluster, School
from moderation_hub.organisations.services import NO_CLUSTER, OrganisationError, SchoolDetails, SchoolFilter
from tests import factories
from tests.factories import World


def details(**changes: object) -> SchoolDetails:
    values: dict[str, object] = {
        "urn": "654321",
        "name": "Rowan Secondary School",
        "phase": SchoolPhase.SECONDARY,
        "school_type": SchoolType.SECONDARY,
        "key_stages": [KeyStage.KS4, KeyStage.KS3],
        "cluster_id": None,
    }
    values.update(changes)
    return SchoolDetails(**values)  # type: ignore[arg-type]


def names(schools: list[School]) -> list[str]:
    return [school.name for school in schools]


def test_create_school_trims_and_stores_every_detail(session: Session, world: World) -> None:
    school = services.create_school(
        world.authority, details(urn=" 654321 ", name=" Rowan Secondary School ", cluster_id=world.cluster.id)
    )
    session.expire_all()
    stored = session.get_one(School, school.id)
    assert (stored.urn, stored.name) == ("654321", "Rowan Secondary School")
    assert stored.authority_id == world.authority.id
    assert stored.cluster_id == world.cluster.id
    assert (stored.phase, stored.school_type) == (SchoolPhase.SECONDARY, SchoolType.SECONDARY)
    assert stored.key_stages == [KeyStage.KS3, KeyStage.KS4]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"urn": "65432"}, "urn"),
        ({"urn": "\uff16\uff15\uff14\uff13\uff12\uff11"}, "urn"),  # full-width digits: \d matches them
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"key_stages": []}, "key_stages"),
    ],
)
def test_create_school_refuses_broken_rules(
    session: Session, world: World, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(OrganisationError) as refused:
        services.create_school(world.authority, details(**changes))
    assert refused.value.field == field
    assert session.scalar(select(School).where(School.name == "Rowan Secondary School")) is None


def test_urn_is_unique_across_authorities(world: World) -> None:
    with pytest.raises(OrganisationError, match=services.URN_TAKEN_MESSAGE):
        services.create_school(world.authority, details(urn=world.school_c.urn))


def test_cluster_must_belong_to_the_school_authority(session: Session, world: World) -> None:
    southern = factories.make_cluster(session, world.other_authority, "Southern cluster")
    with pytest.raises(OrganisationError, match="Choose a cluster in Northshire County Council") as refused:
        services.create_school(world.authority, details(cluster_id=southern.id))
    assert refused.value.field == "cluster_id"
    with pytest.raises(OrganisationError):
        services.update_school(world.school_a, details(urn=world.school_a.urn, cluster_id=southern.id))
    with pytest.raises(OrganisationError):
        services.create_school(world.authority, details(cluster_id=999999))


def test_duplicate_urn_caught_by_the_database_leaves_the_session_usable(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_urn_in_use", lambda _urn, _school: False)
    with pytest.raises(OrganisationError, match=services.URN_TAKEN_MESSAGE) as refused:
        services.create_school(world.authority, details(urn=world.school_a.urn, cluster_id=world.cluster.id))
    assert refused.value.field == "urn"
    # Only the savepoint was rolled back: the session still works, and shows no half-made school.
    assert names(world.cluster.schools) == ["Alder Primary School", "Birch Primary School"]
    assert session.scalar(select(School).where(School.name == "Rowan Secondary School")) is None
    services.create_school(world.authority, details())
    assert names(world.authority.schools)[-1] == "Rowan Secondary School"


def test_update_school_keeps_its_own_urn_and_replaces_key_stages(session: Session, world: World) -> None:
    services.update_school(
        world.school_a,
        details(urn=world.school_a.urn, name="Alder Primary School", key_stages=[KeyStage.EYFS, KeyStage.KS1]),
    )
    session.expire_all()
    school = session.get_one(School, world.school_a.id)
    assert school.key_stages == [KeyStage.EYFS, KeyStage.KS1]
    assert school.cluster_id is None


def test_update_school_to_a_urn_taken_concurrently_keeps_it_unchanged(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_urn_in_use", lambda _urn, _school: False)
    original = world.school_a.urn
    with pytest.raises(OrganisationError, match=services.URN_TAKEN_MESSAGE):
        services.update_school(world.school_a, details(urn=world.school_b.urn))
    assert world.school_a.urn == original
    assert world.school_a.name == "Alder Primary School"


def test_authorities_led_by(world: World) -> None:
    assert [a.name for a in services.authorities_led_by(world.la_lead)] == ["Northshire County Council"]
    assert [a.name for a in services.authorities_led_by(world.other_la_lead)] == ["Southshire Council"]
    assert [a.name for a in services.authorities_led_by(world.admin)] == [
        "Northshire County Council",
        "Southshire Council",
    ]
    assert services.authorities_led_by(world.moderator) == []


def test_schools_by_authority_filters_and_keeps_empty_authorities(session: Session, world: World) -> None:
    factories.make_school(session, world.authority, "Hawthorn Infant School", school_type=SchoolType.INFANT)
    authorities = [world.authority, world.other_authority]

    def listed(school_filter: SchoolFilter) -> list[list[str]]:
        return [names(section.schools) for section in services.schools_by_authority(authorities, school_filter)]

    assert listed(SchoolFilter()) == [
        ["Alder Primary School", "Birch Primary School", "Hawthorn Infant School"],
        ["Cedar Primary School"],
    ]
    assert listed(SchoolFilter(cluster=world.cluster.id)) == [["Alder Primary School", "Birch Primary School"], []]
    assert listed(SchoolFilter(cluster=NO_CLUSTER)) == [["Hawthorn Infant School"], ["Cedar Primary School"]]
    assert listed(SchoolFilter(school_type=SchoolType.INFANT)) == [["Hawthorn Infant School"], []]
    assert listed(SchoolFilter(cluster=world.cluster.id, school_type=SchoolType.INFANT)) == [[], []]


def test_school_staff_groups_roles_by_person_and_leaves_out_inactive_people(session: Session, world: World) -> None:
    both = factories.make_user(
        session, (Role.TEACHER, world.school_a), (Role.ASSESSMENT_LEAD, world.school_a), name="Ann Both"
    )
    factories.make_user(session, (Role.TEACHER, world.school_a), name="Zed Gone").is_active = False
    session.flush()
    staff = services.school_staff(world.school_a)
    assert [(member.user.display_name, member.roles) for member in staff] == [
        ("Ann Both", [Role.ASSESSMENT_LEAD, Role.TEACHER]),
        ("Lee Alder", [Role.ASSESSMENT_LEAD]),
        ("Tess Alder", [Role.TEACHER]),
    ]
    assert staff[0].user is both


def test_create_and_rename_cluster(session: Session, world: World) -> None:
    cluster = services.create_cluster(world.authority, " Hillside cluster ")
    assert cluster.name == "Hillside cluster"
    services.rename_cluster(cluster, "Hillside and Vale cluster")
    session.expire_all()
    assert session.get_one(Cluster, cluster.id).name == "Hillside and Vale cluster"
    assert [c.name for c in services.clusters_in([world.authority])] == [
        "Hillside and Vale cluster",
        "Riverside cluster",
    ]


@pytest.mark.parametrize("name", ["", "   ", "RIVERSIDE cluster", "x" * 201])
def test_create_cluster_refuses_empty_long_or_taken_names(world: World, name: str) -> None:
    with pytest.raises(OrganisationError) as refused:
        services.create_cluster(world.authority, name)
    assert refused.value.field == "name"


def test_cluster_name_taken_concurrently_is_caught_from_the_database(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = factories.make_cluster(session, world.authority, "Hillside cluster")
    monkeypatch.setattr(services, "_cluster_name_in_use", lambda _authority, _name, _cluster: False)
    with pytest.raises(OrganisationError, match=services.CLUSTER_NAME_TAKEN_MESSAGE):
        services.create_cluster(world.authority, "Riverside cluster")
    with pytest.raises(OrganisationError, match=services.CLUSTER_NAME_TAKEN_MESSAGE):
        services.rename_cluster(other, "Riverside cluster")
    assert [c.name for c in services.clusters_in([world.authority])] == ["Hillside cluster", "Riverside cluster"]


def test_clusters_with_schools_and_schools_without_cluster(session: Session, world: World) -> None:
    factories.make_school(session, world.authority, "Hawthorn Infant School")
    clusters = services.clusters_with_schools(world.authority)
    assert [(c.name, names(c.schools)) for c in clusters] == [
        ("Riverside cluster", ["Alder Primary School", "Birch Primary School"])
    ]
    assert names(services.schools_without_cluster(world.authority)) == ["Hawthorn Infant School"]
    assert names(services.schools_without_cluster(world.other_authority)) == ["Cedar Primary School"]
