"""Who may open which report, over a revealed round: refusals on an object are 404, as everywhere."""

from flask.testing import FlaskClient

from tests.conftest import https_client, sign_in
from tests.factories import World
from tests.functional.reports.conftest import RevealedRound

ROLES = ("anonymous", "teacher_a", "lead_a", "teacher_b", "moderator", "la_lead", "admin", "other_la_lead")
ROUND = (302, 404, 404, 404, 404, 200, 200, 404)  # its lead (the LA lead) and admins; not its moderators
SCHOOL_A = (302, 404, 200, 404, 404, 200, 200, 404)  # the school's assessment lead; not its teachers
SCHOOL_B = (302, 404, 404, 404, 404, 200, 200, 404)
AUTHORITY = (302, 404, 404, 404, 404, 200, 200, 404)
OTHER_AUTHORITY = (302, 404, 404, 404, 404, 404, 200, 200)
EVERYONE = (302, 200, 200, 200, 200, 200, 200, 200)

EXPECTED = {
    "/reports": EVERYONE,
    "/reports/rounds/{round}": ROUND,
    "/reports/rounds/{round}.csv": ROUND,
    "/reports/rounds/{round}.pdf": ROUND,
    "/reports/rounds/{round}/charts/severity.svg": ROUND,
    "/reports/schools/{school_a}": SCHOOL_A,
    "/reports/schools/{school_a}.xlsx": SCHOOL_A,
    "/reports/schools/{school_a}/charts/confusion.svg": SCHOOL_A,
    "/reports/schools/{school_b}": SCHOOL_B,
    "/reports/authorities/{authority}": AUTHORITY,
    "/reports/authorities/{authority}.csv": AUTHORITY,
    "/reports/authorities/{authority}/charts/criteria.svg": AUTHORITY,
    "/reports/authorities/{other_authority}": OTHER_AUTHORITY,
    "/reports/me": EVERYONE,
    "/reports/me.xlsx": EVERYONE,
    # Only the harsh moderator judged in the round, so only they have figures to chart.
    "/reports/me/charts/my_rounds.svg": (302, 404, 404, 404, 200, 404, 404, 404),
}


def test_each_report_opens_only_for_the_people_it_is_for(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    ids = {
        "round": revealed_round.round.id,
        "school_a": world.school_a.id,
        "school_b": world.school_b.id,
        "authority": world.authority.id,
        "other_authority": world.other_authority.id,
    }
    wrong = {}
    for column, role in enumerate(ROLES):
        person = https_client(client.application)
        if role != "anonymous":
            sign_in(person, getattr(world, role).email)
        for route, statuses in EXPECTED.items():
            actual = person.get(route.format(**ids)).status_code
            if actual != statuses[column]:
                wrong[role, route] = f"expected {statuses[column]}, got {actual}"
    assert wrong == {}


def test_the_index_lists_what_each_person_may_open(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    sign_in(client, world.lead_a.email)
    page = client.get("/reports").get_data(as_text=True)
    assert f'href="/reports/schools/{world.school_a.id}"' in page
    assert f'href="/reports/schools/{world.school_b.id}"' not in page
    assert "/reports/rounds/" not in page
    assert "/reports/authorities/" not in page
    assert 'href="/reports/me"' not in page  # she has never moderated

    lead = https_client(client.application)
    sign_in(lead, world.la_lead.email)
    page = lead.get("/reports").get_data(as_text=True)
    assert f'href="/reports/rounds/{revealed_round.round.id}"' in page
    assert f'href="/reports/authorities/{world.authority.id}"' in page
    assert f'href="/reports/schools/{world.school_b.id}"' in page
    assert f'href="/reports/authorities/{world.other_authority.id}"' not in page
    assert '<a class="govuk-service-navigation__link" href="/reports"' in page


def test_only_someone_who_moderates_is_offered_their_own_moderators_report(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    def index(email: str) -> str:
        person = https_client(client.application)
        sign_in(person, email)
        return person.get("/reports").get_data(as_text=True)

    teacher = index(world.teacher_a.email)
    assert "Your judgements as a moderator" not in teacher
    assert "You have no reports yet." in teacher
    moderator = index(world.moderator.email)
    assert 'href="/reports/me">Your judgements as a moderator</a>' in moderator
    assert "You have no reports yet." not in moderator
