"""Clusters: an LA lead lists, adds and renames the clusters of their authority."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.organisations import services
from moderation_hub.organisations.models import Cluster
from tests import factories
from tests.conftest import post_form, sign_in
from tests.factories import World


def cluster_names(session: Session, world: World) -> list[str]:
    query = select(Cluster.name).where(Cluster.authority_id == world.authority.id).order_by(Cluster.name)
    return list(session.scalars(query))


def test_clusters_page_lists_each_cluster_with_its_schools(client: FlaskClient, session: Session, world: World) -> None:
    factories.make_school(session, world.authority, "Hawthorn Infant School")
    sign_in(client, world.la_lead.email)
    response = client.get(f"/authorities/{world.authority.id}/clusters")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    riverside = html.index("Riverside cluster</h2>")
    unclustered = html.index("Schools not in a cluster")
    assert riverside < html.index("Alder Primary School") < html.index("Birch Primary School") < unclustered
    assert unclustered < html.index("Hawthorn Infant School")
    assert "Cedar" not in html


def test_anonymous_visitor_is_sent_to_sign_in(client: FlaskClient, world: World) -> None:
    response = client.get(f"/authorities/{world.authority.id}/clusters")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("person", ["other_la_lead", "teacher_a", "moderator"])
def test_clusters_are_not_found_for_people_who_do_not_lead_the_authority(
    client: FlaskClient, world: World, person: str
) -> None:
    sign_in(client, getattr(world, person).email)
    assert client.get(f"/authorities/{world.authority.id}/clusters").status_code == 404
    assert client.get(f"/clusters/{world.cluster.id}/edit").status_code == 404


def test_la_lead_adds_a_cluster(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.la_lead.email)
    url = f"/authorities/{world.authority.id}/clusters"
    response = post_form(client, url, {"name": "  Hillside cluster "})
    assert response.status_code == 302
    assert response.headers["Location"] == url
    assert cluster_names(session, world) == ["Hillside cluster", "Riverside cluster"]
    assert "Hillside cluster has been added." in client.get(url).get_data(as_text=True)


def test_same_cluster_name_is_allowed_in_another_authority(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.other_la_lead.email)
    response = post_form(client, f"/authorities/{world.other_authority.id}/clusters", {"name": "Riverside cluster"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("riverside CLUSTER", services.CLUSTER_NAME_TAKEN_MESSAGE),
        ("   ", "Enter the cluster&#39;s name"),
        ("x" * 201, "Name must be 200 characters or fewer"),
    ],
)
def test_invalid_cluster_is_shown_again_and_nothing_stored(
    client: FlaskClient, session: Session, world: World, name: str, message: str
) -> None:
    sign_in(client, world.la_lead.email)
    response = post_form(client, f"/authorities/{world.authority.id}/clusters", {"name": name})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Alder Primary School" in html  # the page around the form is still whole
    assert cluster_names(session, world) == ["Riverside cluster"]


def test_cluster_added_concurrently_gets_the_same_message(
    client: FlaskClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, world.la_lead.email)
    # As if another request added the cluster between the check and the insert.
    monkeypatch.setattr(services, "_cluster_name_in_use", lambda _authority, _name, _cluster: False)
    response = post_form(client, f"/authorities/{world.authority.id}/clusters", {"name": "Riverside cluster"})
    assert response.status_code == 400
    assert services.CLUSTER_NAME_TAKEN_MESSAGE in response.get_data(as_text=True)
    assert cluster_names(session, world) == ["Riverside cluster"]


def test_la_lead_renames_a_cluster(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.la_lead.email)
    response = post_form(client, f"/clusters/{world.cluster.id}/edit", {"name": "Riverside and Weir cluster"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/authorities/{world.authority.id}/clusters"
    assert cluster_names(session, world) == ["Riverside and Weir cluster"]


def test_renaming_a_cluster_to_its_own_name_in_other_case_is_allowed(
    client: FlaskClient, session: Session, world: World
) -> None:
    sign_in(client, world.la_lead.email)
    response = post_form(client, f"/clusters/{world.cluster.id}/edit", {"name": "Riverside Cluster"})
    assert response.status_code == 302
    assert cluster_names(session, world) == ["Riverside Cluster"]


def test_renaming_to_another_cluster_name_is_refused(client: FlaskClient, session: Session, world: World) -> None:
    factories.make_cluster(session, world.authority, "Hillside cluster")
    sign_in(client, world.la_lead.email)
    response = post_form(client, f"/clusters/{world.cluster.id}/edit", {"name": "Hillside cluster"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert services.CLUSTER_NAME_TAKEN_MESSAGE in html
    assert "Rename Riverside cluster" in html
    assert cluster_names(session, world) == ["Hillside cluster", "Riverside cluster"]


def test_other_la_lead_cannot_rename_a_cluster(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.other_la_lead.email)
    response = post_form(client, f"/clusters/{world.cluster.id}/edit", {"name": "Ours now"}, page="/account")
    assert response.status_code == 404
    assert cluster_names(session, world) == ["Riverside cluster"]
