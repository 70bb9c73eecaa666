"""The standards file's routes over a draft and a published exemplar, asked by every role: the answer is exactly the
one in this table (the shared matrix's world has no exemplar, so it sees only 404s there).

Columns as the shared matrix: anonymous, teacher of school A (made the sample), assessment lead of A, teacher of B,
LA moderator, LA lead, site admin, and the LA lead of another authority.
"""

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from moderation_hub.rounds.models import RoundEntry
from moderation_hub.standards import candidates
from tests.conftest import https_client, post_form, sign_in
from tests.factories import World, make_ready_sample
from tests.functional.standards.conftest import Library

ROLES = ("anonymous", "teacher_a", "lead_a", "teacher_b", "moderator", "la_lead", "admin", "other_la_lead")

# Published with authority scope: readable in the authority (and by administrators), by nobody else. The draft's pages
# are for its curators and for a second person who did not make the sample (teacher A made it).
MATRIX: dict[str, tuple[int, ...]] = {
    "/standards/{published}": (302, 200, 200, 200, 200, 200, 200, 404),
    "/standards/{published}/pages/1/display.jpg": (302, 200, 200, 200, 200, 200, 200, 404),
    "/standards/{published}/pages/1/thumbnail.jpg": (302, 200, 200, 200, 200, 200, 200, 404),
    "/standards/{published}/pages/2/display.jpg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/{published}/pages/1/original.jpg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/{draft}": (302, 404, 404, 404, 404, 404, 404, 404),  # not published: no reader sees it
    "/standards/drafts/{draft}": (302, 404, 404, 404, 404, 200, 200, 404),
    "/standards/drafts/{published}": (302, 404, 404, 404, 404, 200, 200, 404),
    "/standards/drafts/{draft}/check": (302, 404, 200, 404, 404, 200, 200, 404),
    "/standards/drafts/{published}/check": (302, 404, 404, 404, 404, 404, 404, 404),  # nothing left to check
    "/standards/drafts/{draft}/pages/1/display.jpg": (302, 404, 200, 404, 404, 200, 200, 404),
    "/schools/{school_a}/standards": (302, 404, 200, 404, 404, 404, 404, 404),
    "/schools/{school_a}/standards/{draft}/permission": (302, 404, 200, 404, 404, 404, 404, 404),
    "/schools/{school_b}/standards/{draft}/permission": (302, 404, 404, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_exactly_the_answer_in_the_table(
    app: Flask, session: Session, world: World, library: Library, role: str
) -> None:
    framework = library.exemplar.framework
    make_ready_sample(session, world.school_a, world.teacher_a, framework, "DRAFT-1", "WTS")
    wts = next(standard for standard in framework.standards if standard.code == "WTS")
    draft = candidates.add_outside(
        world.authority,
        world.la_lead,
        school=world.school_a,
        pupil_code="DRAFT-1",
        academic_year=2025,
        standard=wts,
        note="Moderated at a cluster meeting",
    )
    session.flush()
    client = https_client(app)
    if role != "anonymous":
        sign_in(client, getattr(world, role).email)
    ids = {
        "published": library.exemplar.code,
        "draft": draft.code,
        "school_a": world.school_a.id,
        "school_b": world.school_b.id,
    }
    column = ROLES.index(role)
    wrong = {}
    for route, expected in MATRIX.items():
        actual = client.get(route.format(**ids)).status_code
        if actual != expected[column]:
            wrong[route] = f"expected {expected[column]}, got {actual}"
    assert wrong == {}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("teacher_a", 404), ("teacher_b", 404), ("la_lead", 404), ("other_la_lead", 404), ("lead_a", 302)],
)
def test_only_the_schools_assessment_lead_withdraws_permission(
    app: Flask, world: World, library: Library, role: str, expected: int
) -> None:
    client = https_client(app)
    sign_in(client, getattr(world, role).email)
    url = f"/schools/{world.school_a.id}/standards/{library.exemplar.code}/withdraw"
    assert post_form(client, url, {}, page="/account").status_code == expected


@pytest.mark.parametrize(("role", "expected"), [("lead_a", 404), ("other_la_lead", 404), ("la_lead", 302)])
def test_only_the_authoritys_la_leads_publish(
    app: Flask, world: World, candidate: RoundEntry, session: Session, role: str, expected: int
) -> None:
    exemplar = candidates.promote(candidate, world.la_lead)
    session.flush()
    client = https_client(app)
    sign_in(client, getattr(world, role).email)
    url = f"/standards/drafts/{exemplar.code}/publish"
    assert post_form(client, url, {"version": exemplar.version}, page="/account").status_code == expected


def test_the_library_leads_curators_and_assessment_leads_to_their_pages(app: Flask, world: World) -> None:
    la_lead, lead = https_client(app), https_client(app)
    sign_in(la_lead, world.la_lead.email)
    sign_in(lead, world.lead_a.email)
    assert f'href="/authorities/{world.authority.id}/standards"' in la_lead.get("/standards").get_data(as_text=True)
    body = lead.get("/standards").get_data(as_text=True)
    assert f'href="/schools/{world.school_a.id}/standards"' in body and "/authorities/" not in body
