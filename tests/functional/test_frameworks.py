"""The framework pages: list, read, download and import."""

import io
import re

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks, import_framework_file
from tests.conftest import post_form, post_multipart, sign_in
from tests.factories import World
from tests.unit.frameworks.documents import VALID, broken


@pytest.fixture
def demo(session: Session) -> None:
    import_demo_frameworks()


def upload(client: FlaskClient, text: str, filename: str = "framework.yaml"):
    file = (io.BytesIO(text.encode("utf-8")), filename)
    return post_form(client, "/frameworks/import", {"file": file}, content_type="multipart/form-data")


def framework_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Framework)) or 0


@pytest.mark.parametrize(
    "url",
    ["/frameworks", "/frameworks/ks2-writing-ta", "/frameworks/ks2-writing-ta/v1/export.yaml", "/frameworks/import"],
)
def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, demo: None, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_the_list_shows_each_framework_under_its_phase_and_key_stage(
    client: FlaskClient, world: World, demo: None
) -> None:
    sign_in(client, world.teacher_a.email)

    page = client.get("/frameworks").get_data(as_text=True)

    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', page)
    assert headings == [
        "Primary: Key stage 1",
        "Primary: Key stage 2",
        "Primary: across key stages",
        "Secondary: Key stage 3",
    ]
    assert 'href="/frameworks/ks2-maths-ta">Key stage 2 mathematics teacher assessment (demo)</a>' in page
    assert "Mathematics" in page
    assert "Year 7, Year 8, Year 9" in page
    assert "Import a framework" not in page  # a teacher may read frameworks but not import them


def test_older_versions_are_listed_and_can_be_read(client: FlaskClient, world: World, session: Session) -> None:
    import_framework_file(VALID)
    import_framework_file(broken("version: 1", "version: 2").replace("KS2 writing", "KS2 writing, revised"))
    sign_in(client, world.teacher_a.email)

    listing = client.get("/frameworks").get_data(as_text=True)
    old = client.get("/frameworks/ks2-writing/v1").get_data(as_text=True)
    latest = client.get("/frameworks/ks2-writing").get_data(as_text=True)

    assert 'href="/frameworks/ks2-writing/v1">Version 1' in listing
    assert "KS2 writing, revised" in latest
    assert "This is version 1, not the latest." in old
    assert 'href="/frameworks/ks2-writing">Read the latest version (version 2)</a>' in old


def test_a_framework_page_shows_the_scale_in_order_and_criteria_by_standard_and_group(
    client: FlaskClient, world: World, demo: None
) -> None:
    sign_in(client, world.teacher_a.email)

    page = client.get("/frameworks/app-writing/v1").get_data(as_text=True)

    scale = page[page.index("Outcome scale") : page.index('<h2 class="govuk-heading-m">Criteria')]
    codes = re.findall(r"<strong>(\w+)</strong>", scale)
    assert codes[:4] == ["1c", "1b", "1a", "2c"]
    assert codes[-1] == "5a"
    level_4 = page[page.index('id="standard-10"') : page.index('id="standard-13"')]
    assert level_4.index("AF1: Imaginative") < level_4.index("AF2: Writing suited") < level_4.index("AF8: Spelling")
    assert re.search(r'L4\.AF5</th>\s*<td class="govuk-table__cell">AF5: Varying sentences[^<]*</td>', level_4)


def test_the_page_of_an_ungrouped_framework_lists_criteria_under_each_standard(
    client: FlaskClient, world: World, demo: None
) -> None:
    sign_in(client, world.teacher_a.email)

    page = client.get("/frameworks/ks3-writing-steps").get_data(as_text=True)

    assert '<h3 class="govuk-heading-s" id="standard-4">s: Secure</h3>' in page
    assert '<span class="govuk-!-font-weight-bold">s.1</span> The pupil can shape a piece' in page
    assert "<table" not in page
    assert "Secondary" in page
    assert "Key stage 3" in page


@pytest.mark.parametrize(
    "url",
    ["/frameworks/no-such-framework", "/frameworks/ks2-writing-ta/v9", "/frameworks/ks2-writing-ta/v9/export.yaml"],
)
def test_a_missing_framework_is_not_found(client: FlaskClient, world: World, demo: None, url: str) -> None:
    sign_in(client, world.teacher_a.email)

    assert client.get(url).status_code == 404


def test_a_framework_downloads_as_yaml_that_imports_back(client: FlaskClient, world: World, session: Session) -> None:
    import_framework_file(VALID)
    sign_in(client, world.teacher_a.email)

    response = client.get("/frameworks/ks2-writing/v1/export.yaml")

    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ks2-writing-v1.yaml"'
    assert yaml.safe_load(response.get_data(as_text=True)) == yaml.safe_load(VALID)


def test_a_teacher_may_not_import(client: FlaskClient, world: World, session: Session) -> None:
    sign_in(client, world.teacher_a.email)

    file = (io.BytesIO(VALID.encode("utf-8")), "framework.yaml")
    # The token comes from the sign-out form on the list page: the import page itself is closed to a teacher.
    posted = post_form(
        client, "/frameworks/import", {"file": file}, page="/frameworks", content_type="multipart/form-data"
    )

    assert client.get("/frameworks/import").status_code == 403
    assert posted.status_code == 403
    assert framework_count(session) == 0


def test_an_la_lead_imports_a_framework_and_sees_it(client: FlaskClient, world: World, session: Session) -> None:
    sign_in(client, world.la_lead.email)

    response = upload(client, VALID)

    assert response.status_code == 302
    assert response.headers["Location"] == "/frameworks/ks2-writing/v1"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported KS2 writing (version 1)." in page
    assert framework_count(session) == 1


def test_uploading_the_same_file_again_changes_nothing(client: FlaskClient, world: World, session: Session) -> None:
    import_framework_file(VALID)
    sign_in(client, world.la_lead.email)

    response = upload(client, VALID)

    assert response.status_code == 302
    assert "was already imported; nothing changed" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert framework_count(session) == 1


def test_a_malformed_upload_lists_every_problem_with_its_line(
    client: FlaskClient, world: World, session: Session
) -> None:
    sign_in(client, world.la_lead.email)

    response = upload(client, broken("  - code: GDS\n", "  - code: 3\n").replace("phase: primary", "phase: junior"))

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Import a framework" in page
    assert "The framework was not imported" in page
    assert 'href="#file">line 5: phase: must be one of' in page
    assert "line 14: standards[2].code: must be text, not a number (put it in quotes: &#34;3&#34;)" in page
    assert framework_count(session) == 0


def test_a_changed_framework_with_an_old_version_number_is_refused(
    client: FlaskClient, world: World, session: Session
) -> None:
    import_framework_file(VALID)
    sign_in(client, world.admin.email)

    response = upload(client, VALID.replace("KS2 writing", "KS2 writing, revised"))

    assert response.status_code == 400
    assert "change its version to 2" in response.get_data(as_text=True)
    assert framework_count(session) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select a framework file"),
        ({"file": FileStorage(io.BytesIO(b"slug: a"), "framework.txt")}, "must be a YAML file ending .yaml or .yml"),
        ({"file": FileStorage(io.BytesIO(b"#" * (1024 * 1024 + 1)), "big.yaml")}, "must be smaller than 1 MB"),
    ],
    ids=["no file", "not YAML", "too big"],
)
def test_an_unsuitable_upload_is_refused(
    client: FlaskClient, world: World, session: Session, data: dict[str, object], message: str
) -> None:
    sign_in(client, world.la_lead.email)

    response = post_multipart(client, "/frameworks/import", data)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert framework_count(session) == 0


@pytest.mark.parametrize(
    "url", ["/frameworks", "/frameworks/app-writing", "/frameworks/ks2-writing-ta/v1", "/frameworks/import"]
)
def test_pages_keep_to_the_content_security_policy(client: FlaskClient, world: World, demo: None, url: str) -> None:
    sign_in(client, world.la_lead.email)

    page = client.get(url).get_data(as_text=True)

    assert " style=" not in page
    assert "<script>" not in page
