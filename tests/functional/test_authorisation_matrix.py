"""Every route, asked by every role: the answer is exactly the one in this table.

Columns: anonymous, teacher of school A, assessment lead of A, teacher of B, LA moderator,
LA lead, site admin, and the LA lead of another authority. 302 is the way to sign-in; 403 is a
route the role may not use; 404 is an object the person may not see (even that it exists), or an id
that cannot exist, which routing refuses before anything else.
A new route fails ``test_every_route_is_in_the_matrix`` until it has a row here.
"""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound

from moderation_hub.rounds.models import ModerationRound
from moderation_hub.samples.models import Page
from tests.conftest import https_client, post_form, sign_in
from tests.factories import World
from tests.functional.conftest import matrix_ids

ROLES = ("anonymous", "teacher_a", "lead_a", "teacher_b", "moderator", "la_lead", "admin", "other_la_lead")

# route template -> expected status per role, in the order of ROLES
GET_MATRIX: dict[str, tuple[int, ...]] = {
    "/": (200, 302, 302, 302, 302, 302, 302, 302),
    "/accessibility": (200,) * 8,
    "/healthz": (200,) * 8,
    "/sign-in": (200, 302, 302, 302, 302, 302, 302, 302),
    "/forgotten-password": (200,) * 8,
    "/dashboard": (302, 200, 200, 200, 200, 200, 200, 200),
    "/account": (302, 200, 200, 200, 200, 200, 200, 200),
    "/account/password": (302, 200, 200, 200, 200, 200, 200, 200),
    "/people": (302, 403, 403, 403, 403, 200, 200, 200),
    "/people/invite": (302, 403, 200, 403, 403, 200, 200, 200),
    "/people/{teacher_a}": (302, 404, 404, 404, 404, 200, 200, 404),
    "/people/{teacher_c}": (302, 404, 404, 404, 404, 404, 200, 200),
    "/frameworks": (302, 200, 200, 200, 200, 200, 200, 200),
    "/frameworks/import": (302, 403, 403, 403, 403, 200, 200, 200),
    "/frameworks/{framework_slug}": (302, 200, 200, 200, 200, 200, 200, 200),
    "/frameworks/{framework_slug}/v1": (302, 200, 200, 200, 200, 200, 200, 200),
    "/frameworks/{framework_slug}/v1/export.yaml": (302, 200, 200, 200, 200, 200, 200, 200),
    "/frameworks/no-such-framework": (302, 404, 404, 404, 404, 404, 404, 404),
    "/schools": (302, 403, 403, 403, 403, 200, 200, 200),
    "/schools/{school_a}": (302, 200, 200, 404, 404, 200, 200, 404),
    "/schools/{school_c}": (302, 404, 404, 404, 404, 404, 200, 200),
    "/schools/{school_a}/edit": (302, 404, 404, 404, 404, 200, 200, 404),
    "/schools/{school_a}/settings": (302, 404, 200, 404, 404, 200, 200, 404),
    "/authorities/{authority}/schools/new": (302, 404, 404, 404, 404, 200, 200, 404),
    "/authorities/{authority}/clusters": (302, 404, 404, 404, 404, 200, 200, 404),
    "/authorities/{other_authority}/clusters": (302, 404, 404, 404, 404, 404, 200, 200),
    "/clusters/{cluster}/edit": (302, 404, 404, 404, 404, 200, 200, 404),
    "/schools/999999": (302, 404, 404, 404, 404, 404, 404, 404),
    "/samples": (302, 200, 200, 200, 403, 403, 403, 403),
    "/schools/{school_a}/samples/new": (302, 200, 200, 404, 404, 404, 404, 404),
    "/samples/{sample_a}": (302, 200, 200, 404, 404, 404, 404, 404),
    "/samples/{sample_a}/edit": (302, 200, 200, 404, 404, 404, 404, 404),
    "/samples/{sample_a}/evidence": (302, 200, 200, 404, 404, 404, 404, 404),
    "/samples/{sample_a}/status.json": (302, 200, 200, 404, 404, 404, 404, 404),
    "/samples/{sample_a}/find-text": (302, 200, 200, 404, 404, 404, 404, 404),
    "/samples/{sample_a}/files/{file_a}/original": (302, 200, 200, 404, 404, 404, 404, 404),
    "/pages/{page_a}": (302, 200, 200, 404, 404, 404, 404, 404),
    "/pages/{page_a}/display.jpg": (302, 200, 200, 404, 404, 404, 404, 404),
    "/pages/{page_a}/thumbnail.jpg": (302, 200, 200, 404, 404, 404, 404, 404),
    "/pages/{page_a}/original.jpg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/rounds": (302, 200, 200, 200, 200, 200, 200, 200),
    "/rounds/new": (302, 403, 200, 403, 403, 200, 403, 200),
    "/conflicts": (302, 200, 200, 200, 200, 200, 200, 200),
    # A round in judging: schools A and B take part; the LA moderator and teacher B judge school A's sample.
    # Participants are sent on from the round's page: a school's lead to its samples, moderators to their queue.
    "/rounds/{round}": (302, 404, 302, 302, 302, 200, 200, 404),
    "/rounds/{round}/edit": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/schools/{part_a}/request": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/schools/add": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/moderators/add": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/entries/{entry_a}/allocation": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/judgements/{judgement}/reopen": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/board": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/board.json": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/judgements.csv": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/judgements.xlsx": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/audit": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/audit.csv": (302, 404, 404, 404, 404, 200, 200, 404),
    "/rounds/{round}/schools/{part_a}/samples": (302, 404, 200, 404, 404, 404, 404, 404),
    "/rounds/{round}/schools/{part_a}/outcome": (302, 404, 404, 404, 404, 404, 404, 404),  # not before reveal
    "/rounds/{round}/judging": (302, 404, 404, 200, 200, 404, 404, 404),
    # A sample's judging URL names the round and the blind code; each of its moderators gets their own judgement.
    "/rounds/{round}/judging/{code}": (302, 404, 404, 200, 200, 404, 404, 404),
    "/rounds/{round}/judging/{code}/pages/1/display.jpg": (302, 404, 404, 200, 200, 404, 404, 404),
    "/rounds/{round}/judging/{code}/pages/1/thumbnail.jpg": (302, 404, 404, 200, 200, 404, 404, 404),
    "/rounds/{round}/judging/{code}/pages/2/display.jpg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/rounds/{round}/judging/{code}/pages/0/display.jpg": (404,) * 8,  # routing takes no page 0
    "/rounds/{round}/judging/NOSUCH": (302, 404, 404, 404, 404, 404, 404, 404),
    "/rounds/{round}/reveal": (302, 404, 404, 404, 404, 404, 404, 404),  # not before reveal
    "/rounds/{round}/reveal/{code}": (302, 404, 404, 404, 404, 404, 404, 404),
    "/rounds/{round}/reveal/{code}/pages/1/display.jpg": (302, 404, 404, 404, 404, 404, 404, 404),
    # Reports. The matrix round is judging, so it has no report and nothing is charted yet (404 for all);
    # tests/functional/reports/test_access.py checks the same routes over a revealed round.
    "/reports": (302, 200, 200, 200, 200, 200, 200, 200),
    "/reports/rounds/{round}": (302, 404, 404, 404, 404, 404, 404, 404),
    "/reports/rounds/{round}.pdf": (302, 404, 404, 404, 404, 404, 404, 404),
    "/reports/rounds/{round}/charts/schools.svg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/reports/schools/{school_a}": (302, 404, 200, 404, 404, 200, 200, 404),
    "/reports/schools/{school_a}.csv": (302, 404, 200, 404, 404, 200, 200, 404),
    "/reports/schools/{school_a}/charts/confusion.svg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/reports/schools/{school_c}": (302, 404, 404, 404, 404, 404, 200, 200),
    "/reports/me": (302, 200, 200, 200, 200, 200, 200, 200),
    "/reports/me.xlsx": (302, 200, 200, 200, 200, 200, 200, 200),
    "/reports/me/charts/my_rounds.svg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/reports/authorities/{authority}": (302, 404, 404, 404, 404, 200, 200, 404),
    "/reports/authorities/{authority}.csv": (302, 404, 404, 404, 404, 200, 200, 404),
    "/reports/authorities/{authority}/charts/rounds.svg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/reports/authorities/{other_authority}": (302, 404, 404, 404, 404, 404, 200, 200),
    # The standards file. The matrix world has no exemplar, so an exemplar's routes are 404 to everyone here;
    # tests/functional/standards/test_access.py checks them over a draft and a published exemplar.
    "/standards": (302, 200, 200, 200, 200, 200, 200, 200),
    "/standards/search": (302, 200, 200, 200, 200, 200, 200, 200),
    "/standards/booklet": (302, 200, 200, 200, 200, 200, 200, 200),
    "/standards/0123456789abcdef": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/0123456789abcdef/pages/1/display.jpg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/drafts/0123456789abcdef": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/drafts/0123456789abcdef/check": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/drafts/0123456789abcdef/pages/1/display.jpg": (302, 404, 404, 404, 404, 404, 404, 404),
    "/authorities/{authority}/standards": (302, 404, 404, 404, 404, 200, 200, 404),
    "/authorities/{authority}/standards/rule": (302, 404, 404, 404, 404, 200, 200, 404),
    "/authorities/{authority}/standards/outside": (302, 404, 404, 404, 404, 200, 200, 404),
    "/authorities/{other_authority}/standards": (302, 404, 404, 404, 404, 404, 200, 200),
    "/schools/{school_a}/standards": (302, 404, 200, 404, 404, 404, 404, 404),
    "/schools/{school_a}/standards/0123456789abcdef/permission": (302, 404, 404, 404, 404, 404, 404, 404),
    # Across key stages: the matrix world has no exemplar, so a subject, an exemplar to compare or a pair is 404;
    # compare without ``a`` is a bad request. tests/functional/standards/test_progression.py, test_statement_view.py
    # and test_compare.py check them over published exemplars.
    "/standards/progression": (302, 200, 200, 200, 200, 200, 200, 200),
    "/standards/progression?subject=writing": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/frameworks/999999/statements": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/frameworks/999999/statements/EXS.1": (302, 404, 404, 404, 404, 404, 404, 404),
    "/standards/compare": (302, 400, 400, 400, 400, 400, 400, 400),
    "/standards/compare?a=0123456789abcdef": (302, 404, 404, 404, 404, 404, 404, 404),
    "/authorities/{authority}/standards/pairs": (302, 404, 404, 404, 404, 200, 200, 404),
    "/authorities/{other_authority}/standards/pairs": (302, 404, 404, 404, 404, 404, 200, 200),
    # Prepared downloads: asked for from a page that needs the kind's permission (the matrix round is judging, so it
    # has no report yet); a download is its asker's alone. tests/functional/downloads covers ones that exist.
    "/downloads": (302, 200, 200, 200, 200, 200, 200, 200),
    "/downloads/new/round-report-pdf?round={round}": (302, 404, 404, 404, 404, 404, 404, 404),
    "/downloads/new/judgements-xlsx?round={round}": (302, 404, 404, 404, 404, 200, 200, 404),
    "/downloads/new/no-such-kind?round={round}": (302, 404, 404, 404, 404, 404, 404, 404),
    "/downloads/999999": (302, 404, 404, 404, 404, 404, 404, 404),
    "/downloads/999999.json": (302, 404, 404, 404, 404, 404, 404, 404),
    "/downloads/999999/file": (302, 404, 404, 404, 404, 404, 404, 404),
    "/rounds/999999": (302, 404, 404, 404, 404, 404, 404, 404),
    "/schools/99999999999": (404, 404, 404, 404, 404, 404, 404, 404),
    "/people/99999999999": (404, 404, 404, 404, 404, 404, 404, 404),
}

# Routes whose GET needs a token from an email; tested in the accounts tests.
TOKEN_ROUTES = {"/reset-password/<token>", "/invitations/<token>"}


def _client_for(app: Flask, world: World, role: str) -> FlaskClient:
    client = https_client(app)
    if role != "anonymous":
        sign_in(client, getattr(world, role).email)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(
    app: Flask, world: World, framework_slug: str, page_a: Page, round_a: ModerationRound, role: str
) -> None:
    client = _client_for(app, world, role)
    column = ROLES.index(role)
    ids = matrix_ids(world, framework_slug, page_a, round_a)
    wrong = {}
    for route, expected in GET_MATRIX.items():
        actual = client.get(route.format(**ids)).status_code
        if actual != expected[column]:
            wrong[route] = f"expected {expected[column]}, got {actual}"
    assert wrong == {}


def test_every_route_is_in_the_matrix(
    app: Flask, world: World, framework_slug: str, page_a: Page, round_a: ModerationRound
) -> None:
    adapter = app.url_map.bind("localhost")
    ids = matrix_ids(world, framework_slug, page_a, round_a)
    covered = set()
    for route in GET_MATRIX:
        try:
            covered.add(adapter.match(route.format(**ids), method="GET")[0])
        except NotFound:
            continue  # rows for missing objects match no rule's converters, or a rule that 404s inside
    missing = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set())
        and rule.endpoint != "static"
        and rule.rule not in TOKEN_ROUTES
        and rule.endpoint not in covered
    }
    assert missing == set(), "routes without a row in GET_MATRIX"


# State-changing routes: who may act on whom. (route, acting role, expected status)
POST_CASES = [
    ("/people/{teacher_a}/end-sessions", "la_lead", 302),
    ("/people/{teacher_a}/end-sessions", "admin", 302),
    ("/people/{teacher_a}/end-sessions", "other_la_lead", 404),
    ("/people/{teacher_a}/end-sessions", "lead_a", 404),
    ("/people/{teacher_a}/end-sessions", "teacher_b", 404),
    ("/people/{teacher_a}/active", "moderator", 404),
    ("/people/{teacher_a}/active", "la_lead", 302),
    ("/clusters/{cluster}/edit", "other_la_lead", 404),
    ("/clusters/{cluster}/edit", "teacher_a", 404),
    ("/authorities/{authority}/clusters", "lead_a", 404),
    ("/schools/{school_a}/edit", "lead_a", 404),
    ("/schools/{school_a}/edit", "other_la_lead", 404),
    ("/authorities/{authority}/schools/new", "moderator", 404),
    ("/samples/{sample_a}/submit", "teacher_b", 404),
    ("/samples/{sample_a}/submit", "moderator", 404),
    ("/samples/{sample_a}/submit", "la_lead", 404),
    ("/samples/{sample_a}/files", "teacher_b", 404),
    ("/pages/{page_a}/redactions", "teacher_b", 404),
    ("/pages/{page_a}/annotations", "la_lead", 404),
    ("/pages/{page_a}/needs-redaction", "other_la_lead", 404),
    ("/samples/{sample_a}/find-text", "moderator", 404),
    ("/rounds/{round}/advance", "moderator", 404),
    ("/rounds/{round}/advance", "other_la_lead", 404),
    ("/rounds/{round}/allocate", "lead_a", 404),
    ("/rounds/{round}/schools", "teacher_b", 404),
    ("/rounds/{round}/moderators", "moderator", 404),
    ("/rounds/{round}/schools/{part_a}/samples", "teacher_a", 404),
    ("/rounds/{round}/schools/{part_a}/samples", "la_lead", 404),
    ("/rounds/{round}/schools/{part_a}/widen", "lead_a", 404),
    ("/rounds/{round}/judging/{code}", "teacher_a", 404),
    ("/rounds/{round}/judging/{code}", "la_lead", 404),
    ("/rounds/{round}/judging/{code}/comments", "teacher_a", 404),
    ("/rounds/{round}/judging/{code}/comments/0123456789abcdef0123456789abcdef/remove", "moderator", 404),
    ("/rounds/{round}/reveal/{code}", "moderator", 404),
    ("/standards/candidates/{entry_a}/promote", "lead_a", 404),
    ("/standards/candidates/{entry_a}/promote", "other_la_lead", 404),
    ("/standards/candidates/{entry_a}/promote", "la_lead", 302),  # refused with a message: not a candidate
    ("/schools/{school_a}/standards/never-publish", "la_lead", 404),
    ("/schools/{school_a}/standards/never-publish", "teacher_a", 404),
    ("/authorities/{authority}/standards/pairs", "teacher_a", 404),
    ("/standards/booklet", "teacher_a", 400),  # the matrix world has no exemplar: nothing to print
    ("/authorities/{authority}/standards/pairs", "other_la_lead", 404),
    ("/authorities/{authority}/standards/pairs", "la_lead", 400),  # nothing entered
    ("/authorities/{authority}/standards/pairs/999999/remove", "la_lead", 404),
    ("/authorities/{authority}/standards/pairs/999999/remove", "lead_a", 404),
    ("/downloads/new/judgements-xlsx?round={round}", "moderator", 404),
    ("/downloads/new/judgements-xlsx?round={round}", "other_la_lead", 404),
    ("/downloads/new/judgements-xlsx?round={round}", "lead_a", 404),
    ("/downloads/new/judgements-xlsx?round={round}", "la_lead", 303),
]


@pytest.mark.parametrize(("route", "role", "expected"), POST_CASES)
def test_post_matrix(
    app: Flask,
    world: World,
    framework_slug: str,
    page_a: Page,
    round_a: ModerationRound,
    route: str,
    role: str,
    expected: int,
) -> None:
    client = _client_for(app, world, role)
    url = route.format(**matrix_ids(world, framework_slug, page_a, round_a))
    response = post_form(client, url, {"active": "no"}, page="/account")
    assert response.status_code == expected
