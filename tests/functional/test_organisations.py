"""Schools: the LA lead's list, adding and changing a school, and each school's page."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType
from moderation_hub.organisations import services
from moderation_hub.organisations.models import School
from tests import factories
from tests.conftest import post_form, sign_in
from tests.factories import World


def school_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(School)) or 0


def school_data(**changes: object) -> dict[str, object]:
    """A valid 'add a school' submission, with some fields changed."""
    data: dict[str, object] = {
        "name": "Hazel Junior School",
        "urn": "123456",
        "phase": SchoolPhase.PRIMARY.value,
        "school_type": SchoolType.JUNIOR.value,
        "key_stages": [KeyStage.KS2.value],
        "cluster_id": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def page(client: FlaskClient, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


# Who may see what


@pytest.mark.parametrize(
    "url",
    ["/schools", "/schools/{school}", "/schools/{school}/edit", "/authorities/{authority}/schools/new"],
)
def test_anonymous_visitor_is_sent_to_sign_in(client: FlaskClient, world: World, url: str) -> None:
    response = client.get(url.format(school=world.school_a.id, authority=world.authority.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("person", ["teacher_a", "lead_a", "moderator"])
def test_schools_list_is_forbidden_to_people_who_lead_no_authority(
    client: FlaskClient, world: World, person: str
) -> None:
    sign_in(client, getattr(world, person).email)
    assert client.get("/schools").status_code == 403


def test_la_lead_sees_only_their_authority_schools(client: FlaskClient, world: World) -> None:
    sign_in(client, world.la_lead.email)
    status, html = page(client, "/schools")
    assert status == 200
    assert "Alder Primary School" in html
    assert "Birch Primary School" in html
    assert world.school_a.urn in html
    assert "Riverside cluster" in html
    assert "Cedar Primary School" not in html
    assert "Southshire Council" not in html


def test_other_la_lead_never_sees_alder_or_birch(client: FlaskClient, world: World) -> None:
    sign_in(client, world.other_la_lead.email)
    status, html = page(client, "/schools")
    assert status == 200
    assert "Cedar Primary School" in html
    assert "Alder" not in html
    assert "Birch" not in html
    assert "Riverside cluster" not in html


def test_site_admin_sees_every_authority(client: FlaskClient, world: World) -> None:
    sign_in(client, world.admin.email)
    _, html = page(client, "/schools")
    for name in ("Northshire County Council", "Southshire Council", "Alder", "Birch", "Cedar"):
        assert name in html


def test_lead_of_two_authorities_sees_a_section_for_each(client: FlaskClient, session: Session, world: World) -> None:
    both = factories.make_user(session, (Role.LA_LEAD, world.authority), (Role.LA_LEAD, world.other_authority))
    sign_in(client, both.email)
    _, html = page(client, "/schools")
    assert '<h2 class="govuk-heading-m">Northshire County Council</h2>' in html
    assert '<h2 class="govuk-heading-m">Southshire Council</h2>' in html
    assert html.index("Alder") < html.index("Cedar")
    # With several authorities, the cluster filter says whose cluster each one is.
    assert "Riverside cluster (Northshire County Council)" in html


def test_filter_by_cluster_and_by_no_cluster(client: FlaskClient, session: Session, world: World) -> None:
    factories.make_school(session, world.authority, "Hawthorn Infant School")
    sign_in(client, world.la_lead.email)
    _, in_cluster = page(client, f"/schools?cluster={world.cluster.id}")
    assert "Alder" in in_cluster
    assert "Hawthorn" not in in_cluster
    _, without = page(client, "/schools?cluster=none")
    assert "Hawthorn" in without
    assert "Alder" not in without


def test_filter_by_type(client: FlaskClient, session: Session, world: World) -> None:
    factories.make_school(
        session, world.authority, "Oak Academy", school_type=SchoolType.SECONDARY, phase=SchoolPhase.SECONDARY
    )
    sign_in(client, world.la_lead.email)
    _, html = page(client, "/schools?school_type=secondary")
    assert "Oak Academy" in html
    assert "Alder" not in html
    _, none_match = page(client, f"/schools?school_type=special&cluster={world.cluster.id}")
    assert "No schools in Northshire County Council match the filter" in none_match


def test_filter_value_not_offered_is_refused_and_shown(client: FlaskClient, world: World) -> None:
    sign_in(client, world.la_lead.email)
    status, html = page(client, f"/schools?cluster={world.school_c.id + 1000}")
    assert status == 400
    assert "Choose a cluster from the list" in html
    # The list is still shown, unfiltered.
    assert "Alder" in html


# A school's page


def test_teacher_sees_their_school_page_with_its_staff(client: FlaskClient, world: World) -> None:
    sign_in(client, world.teacher_a.email)
    status, html = page(client, f"/schools/{world.school_a.id}")
    assert status == 200
    assert "Alder Primary School" in html
    assert "Key stage 1" in html
    assert "Key stage 2" in html
    assert "Riverside cluster" in html
    assert "Tess Alder" in html
    assert "Lee Alder" in html
    assert "Assessment lead" in html
    assert "Tom Birch" not in html
    # A teacher may not change the school.
    assert f"/schools/{world.school_a.id}/edit" not in html


def test_school_page_leaves_out_deactivated_staff(client: FlaskClient, session: Session, world: World) -> None:
    factories.make_user(session, (Role.TEACHER, world.school_a), name="Gone Away").is_active = False
    session.flush()
    sign_in(client, world.la_lead.email)
    _, html = page(client, f"/schools/{world.school_a.id}")
    assert "Gone Away" not in html
    assert f"/schools/{world.school_a.id}/edit" in html


@pytest.mark.parametrize("person", ["teacher_b", "other_la_lead"])
def test_school_page_is_not_found_for_people_outside_it(client: FlaskClient, world: World, person: str) -> None:
    sign_in(client, getattr(world, person).email)
    assert client.get(f"/schools/{world.school_a.id}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/schools/{id}",
        "/schools/{id}/edit",
        "/authorities/{id}/schools/new",
        "/authorities/{id}/clusters",
        "/clusters/{id}/edit",
    ],
)
@pytest.mark.parametrize("row_id", [999999, 2**31, 10**25])
def test_missing_or_impossible_ids_are_not_found(client: FlaskClient, world: World, url: str, row_id: int) -> None:
    # PostgreSQL fails a query for an id beyond its INTEGER range; that must be a 404, not a 500.
    sign_in(client, world.admin.email)
    assert client.get(url.format(id=row_id)).status_code == 404


# Adding a school


def test_la_lead_adds_a_school(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.la_lead.email)
    url = f"/authorities/{world.authority.id}/schools/new"
    response = post_form(
        client,
        url,
        school_data(name="  Hazel Junior School ", key_stages=["KS2", "KS1"], cluster_id=str(world.cluster.id)),
    )
    assert response.status_code == 302
    school = session.scalars(select(School).where(School.urn == "123456")).one()
    assert response.headers["Location"] == f"/schools/{school.id}"
    assert school.name == "Hazel Junior School"
    assert school.authority_id == world.authority.id
    assert school.cluster_id == world.cluster.id
    assert school.school_type is SchoolType.JUNIOR
    assert school.key_stages == [KeyStage.KS1, KeyStage.KS2]
    assert "Hazel Junior School has been added." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_site_admin_adds_a_school_to_any_authority(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.admin.email)
    response = post_form(client, f"/authorities/{world.other_authority.id}/schools/new", school_data())
    assert response.status_code == 302
    assert session.scalars(select(School).where(School.urn == "123456")).one().authority_id == world.other_authority.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"urn": "12345"}, services.URN_FORMAT_MESSAGE),
        ({"urn": "1234567"}, services.URN_FORMAT_MESSAGE),
        ({"urn": "12a456"}, services.URN_FORMAT_MESSAGE),
        ({"urn": "١٢٣٤٥٦"}, services.URN_FORMAT_MESSAGE),  # Arabic-Indic digits are digits to \d, not to a URN
        ({"urn": ""}, "Enter the school&#39;s URN"),
        ({"name": "   "}, "Enter the school&#39;s name"),
        ({"name": "x" * 201}, "Name must be 200 characters or fewer"),
        ({"key_stages": None}, services.KEY_STAGE_REQUIRED_MESSAGE),
        ({"key_stages": ["KS9"]}, services.KEY_STAGE_REQUIRED_MESSAGE),
        ({"phase": None}, "Select the school&#39;s phase"),
        ({"school_type": "grammar"}, "Select the type of school"),
        ({"cluster_id": "abc"}, "Choose a cluster from the list"),
        ({"cluster_id": str(10**25)}, "Choose a cluster from the list"),
    ],
)
def test_invalid_school_is_shown_again_and_nothing_stored(
    client: FlaskClient, session: Session, world: World, changes: dict[str, object], message: str
) -> None:
    sign_in(client, world.la_lead.email)
    before = school_count(session)
    response = post_form(client, f"/authorities/{world.authority.id}/schools/new", school_data(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: " in html
    assert school_count(session) == before


def test_duplicate_urn_is_refused(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.la_lead.email)
    before = school_count(session)
    # Even a URN already used by another authority's school: URNs are unique across the country.
    response = post_form(client, f"/authorities/{world.authority.id}/schools/new", school_data(urn=world.school_c.urn))
    assert response.status_code == 400
    assert services.URN_TAKEN_MESSAGE in response.get_data(as_text=True)
    assert school_count(session) == before


def test_duplicate_urn_registered_concurrently_gets_the_same_message(
    client: FlaskClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, world.la_lead.email)
    before = school_count(session)
    # As if another request registered the URN between the check and the insert.
    monkeypatch.setattr(services, "_urn_in_use", lambda _urn, _school: False)
    response = post_form(client, f"/authorities/{world.authority.id}/schools/new", school_data(urn=world.school_b.urn))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert services.URN_TAKEN_MESSAGE in html
    assert 'value="Hazel Junior School"' in html
    assert school_count(session) == before


def test_cluster_of_another_authority_is_refused(client: FlaskClient, session: Session, world: World) -> None:
    southern = factories.make_cluster(session, world.other_authority, "Southern cluster")
    sign_in(client, world.la_lead.email)
    before = school_count(session)
    response = post_form(
        client, f"/authorities/{world.authority.id}/schools/new", school_data(cluster_id=str(southern.id))
    )
    assert response.status_code == 400
    assert "Choose a cluster in Northshire County Council" in response.get_data(as_text=True)
    assert school_count(session) == before


def test_form_offers_only_the_authority_clusters(client: FlaskClient, session: Session, world: World) -> None:
    factories.make_cluster(session, world.other_authority, "Southern cluster")
    sign_in(client, world.la_lead.email)
    _, html = page(client, f"/authorities/{world.authority.id}/schools/new")
    assert "Riverside cluster" in html
    assert "Southern cluster" not in html


@pytest.mark.parametrize("person", ["other_la_lead", "teacher_a", "moderator"])
def test_adding_a_school_to_someone_else_authority_is_not_found(client: FlaskClient, world: World, person: str) -> None:
    sign_in(client, getattr(world, person).email)
    assert client.get(f"/authorities/{world.authority.id}/schools/new").status_code == 404


def test_adding_to_a_missing_authority_is_not_found(client: FlaskClient, world: World) -> None:
    sign_in(client, world.admin.email)
    assert client.get("/authorities/999999/schools/new").status_code == 404


# Changing a school


def test_la_lead_changes_a_school_and_moves_it_out_of_its_cluster(
    client: FlaskClient, session: Session, world: World
) -> None:
    sign_in(client, world.la_lead.email)
    url = f"/schools/{world.school_a.id}/edit"
    data = school_data(
        name="Alder Church of England Primary School",
        urn=world.school_a.urn,
        phase=SchoolPhase.PRIMARY.value,
        school_type=SchoolType.PRIMARY.value,
        key_stages=["EYFS", "KS1", "KS2"],
    )
    response = post_form(client, url, data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/schools/{world.school_a.id}"
    session.refresh(world.school_a)
    assert world.school_a.name == "Alder Church of England Primary School"
    assert world.school_a.cluster_id is None
    assert world.school_a.key_stages == [KeyStage.EYFS, KeyStage.KS1, KeyStage.KS2]


def test_edit_form_shows_the_school_as_it_is(client: FlaskClient, world: World) -> None:
    sign_in(client, world.la_lead.email)
    _, html = page(client, f"/schools/{world.school_a.id}/edit")
    assert f'value="{world.school_a.urn}"' in html
    assert 'value="KS1" checked' in html
    assert 'value="KS3" checked' not in html
    assert f'<option value="{world.cluster.id}" selected>Riverside cluster</option>' in html


def test_changing_to_another_school_urn_is_refused(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.la_lead.email)
    original = world.school_a.urn
    response = post_form(client, f"/schools/{world.school_a.id}/edit", school_data(urn=world.school_b.urn))
    assert response.status_code == 400
    assert services.URN_TAKEN_MESSAGE in response.get_data(as_text=True)
    session.refresh(world.school_a)
    assert world.school_a.urn == original
    assert world.school_a.name == "Alder Primary School"


def test_removing_every_key_stage_is_refused(client: FlaskClient, session: Session, world: World) -> None:
    sign_in(client, world.la_lead.email)
    data = school_data(urn=world.school_a.urn, key_stages=None)
    response = post_form(client, f"/schools/{world.school_a.id}/edit", data)
    assert response.status_code == 400
    assert services.KEY_STAGE_REQUIRED_MESSAGE in response.get_data(as_text=True)
    session.refresh(world.school_a)
    assert world.school_a.key_stages == [KeyStage.KS1, KeyStage.KS2]


@pytest.mark.parametrize("person", ["other_la_lead", "teacher_a", "lead_a"])
def test_changing_a_school_is_not_found_for_people_who_do_not_manage_it(
    client: FlaskClient, session: Session, world: World, person: str
) -> None:
    sign_in(client, getattr(world, person).email)
    url = f"/schools/{world.school_a.id}/edit"
    assert client.get(url).status_code == 404
    # The CSRF token comes from a page the person may see: the edit page itself is not found.
    response = post_form(client, url, school_data(urn=world.school_a.urn, name="Taken Over"), page="/account")
    assert response.status_code == 404
    session.refresh(world.school_a)
    assert world.school_a.name == "Alder Primary School"


@pytest.mark.parametrize(
    "url",
    [
        "/schools",
        "/schools/{school}",
        "/schools/{school}/edit",
        "/authorities/{authority}/schools/new",
        "/authorities/{authority}/clusters",
        "/clusters/{cluster}/edit",
    ],
)
def test_pages_keep_to_the_content_security_policy_and_caption_their_tables(
    client: FlaskClient, world: World, url: str
) -> None:
    sign_in(client, world.la_lead.email)
    response = client.get(url.format(school=world.school_a.id, authority=world.authority.id, cluster=world.cluster.id))
    page_text = response.get_data(as_text=True)
    assert " style=" not in page_text
    assert "<script>" not in page_text
    assert page_text.count("<table") == page_text.count("<caption")
    assert '<th class="govuk-table__header"' not in page_text  # every header cell says its scope
