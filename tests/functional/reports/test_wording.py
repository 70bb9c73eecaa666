"""The words around a round report's figures say what each figure is, computed from the round, not assumed."""

import html

from flask.testing import FlaskClient

from tests.conftest import sign_in
from tests.factories import World
from tests.functional.reports.conftest import RevealedRound, page_tables


def _page(client: FlaskClient, world: World, revealed_round: RevealedRound) -> tuple[str, dict[str, list[list[str]]]]:
    sign_in(client, world.la_lead.email)
    page = client.get(f"/reports/rounds/{revealed_round.round.id}").get_data(as_text=True)
    return " ".join(html.unescape(page).split()), page_tables(page)[0]


def test_a_criterion_nearly_always_met_is_noted_as_one_status(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    _, tables = _page(client, world, revealed_round)
    always_met = next(row for row in tables["criteria"][1:] if row[0].startswith("WTS.1"))
    assert "Over 80% of judgements are one status (met, not met or not enough evidence)" in always_met[-1]
    assert "one standard" not in " ".join(" ".join(row) for row in tables["criteria"])


def test_the_moderators_table_names_the_standards_its_coefficients_span(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    """The fair moderator gave WTS to GDS and the harsh one a step lower, so from one pre-key-stage standard
    below WTS; the rest of the scale below it is left out of AC1 and AC2."""
    codes = [standard.code for standard in revealed_round.framework.standards]
    lowest = codes[codes.index("WTS") - 1]
    span = codes[codes.index(lowest) : codes.index("GDS") + 1]
    credit = 1 - 1 / (len(span) - 1) ** 2
    page, _ = _page(client, world, revealed_round)
    assert (
        f"Here moderators gave standards from {lowest} to GDS ({len(span)} standards), so in AC2 a disagreement "
        f"of one step earns {credit:.0%} credit" in page
    )
    assert "computed over the standards moderators used" in page


def test_the_schools_table_counts_its_small_schools_instead_of_assuming_them(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    page, _ = _page(client, world, revealed_round)
    assert "Most schools enter only a few samples" not in page
    assert "Here every school has 6 samples with both a school judgement and an agreed outcome; " in page
    assert "2 of 2 schools have fewer than 10." in page


def test_intervals_and_percent_agreement_are_described_as_what_they_are(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    page, _ = _page(client, world, revealed_round)
    assert "It is not the range the next round's figure will fall in" in page
    assert "the range the figure would plausibly fall in if" not in page
    assert "then averaged over the samples, so each sample counts once however many moderators judged it" in page
    assert "the share of pairs of moderators who gave the same standard." not in page


def test_the_severity_section_says_how_moderators_are_compared_and_flagged(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    page, tables = _page(client, world, revealed_round)
    assert "a moderator's own judgement never counts in what they are measured against" in page
    assert "the flags control the false discovery rate (Benjamini and Hochberg's procedure)" in page
    assert tables["severity"][0][4] == "Severity: mean difference from the other moderators"
