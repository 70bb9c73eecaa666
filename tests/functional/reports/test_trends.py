"""Across rounds and academic years: the authority's overview, a school's report, and one framework at a time."""

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.frameworks.services import import_demo_frameworks
from tests.conftest import sign_in
from tests.factories import World
from tests.functional.reports.conftest import (
    PLAN_A,
    PLAN_B,
    RevealedRound,
    build_revealed_round,
    csv_figures,
    figure,
    page_tables,
)

EARLIER = [("a", "GDS", "EXS"), ("a", "EXS", "EXS"), ("b", "WTS", "WTS"), ("b", "WTS", "EXS")]  # 2 of 4 agree


def _share(plan: list[tuple[str, str, str]]) -> float:
    return sum(teacher == agreed for _school, teacher, agreed in plan) / len(plan)


def test_authority_overview_shows_each_round_and_year_in_date_order(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    moderators = (revealed_round.harsh, revealed_round.fair)
    build_revealed_round(session, world, revealed_round.framework, EARLIER, moderators, name="Autumn", year=2024)
    build_revealed_round(  # still judging: no agreed outcomes, so not in any report
        session, world, revealed_round.framework, PLAN_A[:2], moderators, name="Unfinished", reveal_it=False
    )
    sign_in(client, world.la_lead.email)
    rows = csv_figures(client, f"/reports/authorities/{world.authority.id}.csv")
    rounds = [row["subject"] for row in rows if row["section"] == "rounds" and row["measure"] == "exact"]
    assert rounds == ["Autumn (2024/25)", "Year 6 writing (2025/26)"]
    assert float(figure(rows, "rounds", "Autumn (2024/25)", "exact")["value"]) == _share(EARLIER)
    assert float(figure(rows, "years", "2025/26", "exact")["value"]) == _share(revealed_round.plan)
    everything = EARLIER + revealed_round.plan
    assert float(figure(rows, "overall", "All samples", "exact")["value"]) == round(_share(everything), 6)
    assert figure(rows, "overall", "All samples", "exact")["n"] == str(len(everything))
    page = client.get(f"/reports/authorities/{world.authority.id}").get_data(as_text=True)
    assert "over 2 rounds" in page
    tables, charts = page_tables(page)
    assert {"rounds", "years", "schools", "confusion", "moderators", "criteria", "severity"} <= set(charts)
    assert [row[0] for row in tables["years"][1:]] == ["2024/25", "2025/26"]


def test_school_report_counts_only_the_schools_samples(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    moderators = (revealed_round.harsh, revealed_round.fair)
    build_revealed_round(session, world, revealed_round.framework, EARLIER, moderators, name="Autumn", year=2024)
    sign_in(client, world.lead_a.email)
    rows = csv_figures(client, f"/reports/schools/{world.school_a.id}.csv")
    mine = [row for row in EARLIER + revealed_round.plan if row[0] == "a"]
    overall = figure(rows, "overall", "All samples", "exact")
    assert (overall["n"], float(overall["value"])) == (str(len(mine)), round(_share(mine), 6))
    assert {row["section"] for row in rows} == {"report", "overall", "rounds", "years", "confusion"}
    assert all(world.school_b.name not in row["subject"] for row in rows)


def test_a_report_covers_one_framework_at_a_time(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    ks1 = next(r.framework for r in import_demo_frameworks() if r.framework.slug == "ks1-writing-ta")
    moderators = (revealed_round.harsh, revealed_round.fair)
    build_revealed_round(session, world, ks1, PLAN_B[:3], moderators, name="Year 2 writing")
    sign_in(client, world.la_lead.email)
    url = f"/reports/authorities/{world.authority.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'href="{url}?framework={revealed_round.framework.id}"' in page
    assert '<strong aria-current="page">Key stage 1 writing teacher assessment (demo) (version 1)</strong>' in page
    assert "Key stage 1 writing teacher assessment (demo) (version 1): 3 samples." in page
    ks2 = client.get(f"{url}?framework={revealed_round.framework.id}").get_data(as_text=True)
    assert f"(version 1): {len(revealed_round.plan)} samples." in ks2
    rows = csv_figures(client, f"{url}.csv?framework={ks1.id}")
    assert figure(rows, "report", "framework", "")["value"].startswith("Key stage 1 writing")
