"""The lead's round page of an LA-sized round: samples 50 a page, counts for the whole round, bounded queries."""

import html
import re
from collections import Counter

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import assign, judging, services
from moderation_hub.rounds.models import RoundState
from moderation_hub.samples.models import SampleState, WorkSample
from tests.conftest import sign_in
from tests.factories import World
from tests.functional.rounds.conftest import RoundWorld, selects_on

ADDED_A, ADDED_B = 70, 47  # to the fixture's 2 and 1: 120 samples in all
# What one page of the round costs, whatever its size: the signed-in person, the round and its rules, its
# schools, moderators and their counts, one page of samples with what their rows show, and the forms' choices.
MOST_SELECTS = 20
_NUMERIC = re.compile(r'govuk-table__cell--numeric">(\d+)<')
_ROW = re.compile(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">([A-Z0-9]{6})')


def enter_samples(session: Session, round_world: RoundWorld, world: World, framework: Framework) -> None:
    """Samples made directly (no pages: the round's page shows none) and entered, as the fixture's are."""
    schools = {t.school_id: t for t in round_world.round.schools}
    for school, lead, count in ((world.school_a, world.lead_a, ADDED_A), (world.school_b, world.la_lead, ADDED_B)):
        for number in range(count):
            sample = WorkSample(
                school=school, framework=framework, pupil_code=f"P{number:03d}", year_group=6, academic_year=2025
            )
            sample.state = SampleState.SUBMITTED
            session.add(sample)
            session.flush()
            services.enter_sample(schools[school.id], sample, lead)
    session.flush()


@pytest.fixture
def large_round(session: Session, world: World, collecting_round: RoundWorld, ks2_writing: Framework) -> RoundWorld:
    """120 samples, each allocated to two moderators, judging open."""
    round_ = collecting_round.round
    enter_samples(session, collecting_round, world, ks2_writing)
    assign.allocate_round(round_, world.la_lead)
    services.advance(round_, RoundState.JUDGING, round_.version, world.la_lead)
    session.flush()
    return collecting_round


def page_of(client: FlaskClient, round_world: RoundWorld, query: str = "") -> str:
    response = client.get(f"/rounds/{round_world.round.id}{query}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def table(page: str, caption: str) -> str:
    return page.split(f"{caption}</caption>")[1].split("</table>", maxsplit=1)[0]


def sample_codes(page: str) -> list[str]:
    return _ROW.findall(table(page, "Samples entered"))


def numbers_by_row(page: str, caption: str) -> dict[str, tuple[int, ...]]:
    """Each row's first cell, and the numbers in its numeric cells."""
    rows = table(page, caption).split("</tr>")[1:-1]
    return {
        re.sub(r"<[^>]+>", "", row.split("</td>")[0]).split("Dropped out")[0].strip(): tuple(
            int(number) for number in _NUMERIC.findall(row)
        )
        for row in rows
    }


def test_the_samples_are_listed_fifty_a_page_each_on_exactly_one_page(
    client: FlaskClient, large_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")

    pages = [page_of(client, large_round, f"?page={number}") for number in (1, 2, 3)]

    assert [len(sample_codes(page)) for page in pages] == [50, 50, 20]
    listed = [code for page in pages for code in sample_codes(page)]
    assert len(listed) == len(set(listed)) == 120
    assert set(listed) == {entry.blind_code for entry in large_round.round.entries}
    assert "120 samples entered; showing 51 to 100, page 2 of 3." in pages[1]
    assert 'aria-label="Pages of the samples"' in pages[1]
    round_id = large_round.round.id
    for neighbour in (1, 3):
        assert f'href="/rounds/{round_id}?page={neighbour}#samples"' in pages[1]
    assert sample_codes(page_of(client, large_round)) == sample_codes(pages[0])
    assert client.get(f"/rounds/{round_id}?page=4").status_code == 404
    assert client.get(f"/rounds/{round_id}?page=0").status_code == 404


def test_every_page_counts_the_whole_round(
    client: FlaskClient, session: Session, world: World, large_round: RoundWorld
) -> None:
    judgements = [j for entry in large_round.round.entries for j in entry.live_judgements]
    for judgement in [j for j in judgements if j.moderator_id == world.moderator.id][:3]:
        judging.submit(judgement, judging.JudgementInput("EXS", "Secure"), judgement.version, world.moderator)
    session.flush()
    loads = Counter(judgement.moderator.display_name for judgement in judgements)
    sign_in(client, "la.lead@example.org")

    for query in ("", "?page=3"):
        page = page_of(client, large_round, query)

        assert numbers_by_row(page, "Participating schools") == {
            world.school_a.name: (2 + ADDED_A,),
            world.school_b.name: (1 + ADDED_B,),
        }
        assert numbers_by_row(page, "Moderators") == {
            name: (given, 3 if name == world.moderator.display_name else 0) for name, given in loads.items()
        }
        assert sum(loads.values()) == 240
        assert "237 judgements have not been submitted yet" in page


def test_a_page_of_an_la_sized_round_takes_the_same_few_queries_as_a_small_one(
    client: FlaskClient,
    connection: Connection,
    session: Session,
    world: World,
    collecting_round: RoundWorld,
    ks2_writing: Framework,
) -> None:
    round_ = collecting_round.round
    sign_in(client, "la.lead@example.org")
    assign.allocate_round(round_, world.la_lead)
    session.flush()
    with selects_on(connection) as small:
        page_of(client, collecting_round)

    enter_samples(session, collecting_round, world, ks2_writing)
    assign.allocate_round(round_, world.la_lead)
    session.flush()
    with selects_on(connection) as first:
        page_of(client, collecting_round)
    with selects_on(connection) as last:
        page_of(client, collecting_round, "?page=3")

    # The first request after a change counts the round again (``overview.figures_of``: two more reads, the counter
    # and the kept figures, before it counts); the next reads the counter and uses what was kept.
    assert len(first) == len(small) <= MOST_SELECTS + 2, "\n".join(first)
    assert len(last) <= MOST_SELECTS - 2, "\n".join(last)


def test_the_next_step_before_allocation_is_to_allocate_not_to_open_judging(
    client: FlaskClient, world: World, collecting_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")

    page = page_of(client, collecting_round)

    assert "Next step: allocate the samples to moderators</h2>" in page
    assert "Before you can open judging:" in page
    assert '3 samples are not allocated to 2 moderators yet. <a class="govuk-link" href="#samples">' in page
    assert ">Open judging</button>" not in page  # it would only be refused


def test_once_allocated_the_next_step_is_the_button_that_opens_judging(
    client: FlaskClient, world: World, collecting_round: RoundWorld
) -> None:
    assign.allocate_round(collecting_round.round, world.la_lead)
    sign_in(client, "la.lead@example.org")

    page = page_of(client, collecting_round)

    assert "Next step: open judging</h2>" in page
    assert ">Open judging</button>" in page
