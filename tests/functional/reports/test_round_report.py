"""A revealed round's report for its lead: the figures match what a person counts from the judgements."""

import functools
import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import pymupdf
import pytest
import vl_convert
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import User
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import services
from moderation_hub.rounds.models import RoundState
from tests.conftest import sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round, make_school
from tests.functional.reports.conftest import CRITERIA, RevealedRound, csv_figures, figure, page_tables


def _lead(client: FlaskClient, world: World) -> FlaskClient:
    sign_in(client, world.la_lead.email)
    return client


def _share(pairs: list[tuple[str, str, str]]) -> float:
    return sum(teacher == agreed for _school, teacher, agreed in pairs) / len(pairs)


def test_headline_is_the_share_of_school_judgements_that_matched(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    exact = _share(revealed_round.plan)  # 9 of 12
    page = _lead(client, world).get(f"/reports/rounds/{revealed_round.round.id}").get_data(as_text=True)
    tables, _ = page_tables(page)
    headline = page[page.index('id="headline"') :]
    assert f"{100 * exact:.1f}%" in headline[: headline.index("</div>")]
    assert "(12 samples; 95% CI" in headline
    assert tables["overall"][1][:3] == ["All samples", "12", f"{100 * exact:.1f}% 95% CI 46.8% to 91.1%"]
    by_school = {row[0]: row[2].split()[0] for row in tables["schools"][1:]}
    plan_a = [row for row in revealed_round.plan if row[0] == "a"]
    plan_b = [row for row in revealed_round.plan if row[0] == "b"]
    assert by_school == {
        "Alder Primary School": f"{100 * _share(plan_a):.1f}%",
        "Birch Primary School": f"{100 * _share(plan_b):.1f}%",
    }
    assert "Fewer than 10 samples: treat the figure as indicative." in tables["schools"][1][-1]


def test_confusion_matrix_counts_school_judgement_against_agreed_outcome(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    expected = Counter((teacher, agreed) for _school, teacher, agreed in revealed_round.plan)
    codes = [standard.code for standard in revealed_round.framework.standards]
    rows = csv_figures(_lead(client, world), f"/reports/rounds/{revealed_round.round.id}.csv")
    counts = {
        (row["subject"], row["measure"].removeprefix("agreed_")): int(row["value"])
        for row in rows
        if row["section"] == "confusion"
    }
    assert counts == {(teacher, agreed): expected[teacher, agreed] for teacher in codes for agreed in codes}

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/rounds/{revealed_round.round.id}.xlsx").data))
    sheet = list(workbook["Confusion"].iter_rows(values_only=True))
    assert sheet[0] == ("School's judgement", "Row total (n)", *codes, "Notes")
    exs = next(row for row in sheet if row[0] == "EXS")
    assert exs[1:-1] == (7, *(expected["EXS", agreed] for agreed in codes))
    workbook.close()


def test_a_moderator_one_step_harsher_is_flagged_severe(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    rows = csv_figures(_lead(client, world), f"/reports/rounds/{revealed_round.round.id}.csv")
    harsh, fair = revealed_round.harsh.display_name, revealed_round.fair.display_name
    difference = figure(rows, "severity", harsh, "mean_difference")
    assert float(difference["value"]) == round(-11 / 12, 6)  # one step below on 11 of 12 samples
    assert float(difference["ci_high"]) < 0
    assert figure(rows, "severity", harsh, "severity")["value"] == "Severe"
    assert figure(rows, "severity", fair, "severity")["value"] == "In line"
    assert figure(rows, "severity", fair, "exact")["value"] == "1.0"
    # Among moderators: the pair agreed on the first sample only.
    assert float(figure(rows, "moderators", "Percent agreement (as a proportion)", "estimate")["value"]) == round(
        1 / 12, 6
    )
    page = client.get(f"/reports/rounds/{revealed_round.round.id}").get_data(as_text=True)
    severity = {row[0]: row for row in page_tables(page)[0]["severity"][1:]}
    assert severity[harsh][4].startswith("-0.92 steps 95% CI")
    assert severity[harsh][5] == "Severe"
    assert '<strong class="govuk-tag govuk-tag--orange">Severe</strong>' in page


def test_criteria_are_listed_least_consistent_first(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    rows = csv_figures(_lead(client, world), f"/reports/rounds/{revealed_round.round.id}.csv")
    order = list(dict.fromkeys(row["subject"].split(":")[0] for row in rows if row["section"] == "criteria"))
    never, every_other, always = CRITERIA[1], CRITERIA[2], CRITERIA[0]
    assert order == [never, every_other, always]
    assert figure(rows, "criteria", _subject(rows, always), "gwet_ac1")["value"] == "1.0"
    kappa = figure(rows, "criteria", _subject(rows, always), "fleiss_kappa")
    assert kappa["value"] == ""
    assert "chance agreement is 1" in kappa["notes"]


def _subject(rows: list[dict[str, str]], code: str) -> str:
    return next(row["subject"] for row in rows if row["section"] == "criteria" and row["subject"].startswith(code))


def test_round_report_downloads_as_xlsx_with_a_sheet_per_table(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    response = _lead(client, world).get(f"/reports/rounds/{revealed_round.round.id}.xlsx")
    assert response.status_code == 200
    assert response.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="round-{revealed_round.round.id}-framework-' in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["About", "Overall", "Schools", "Confusion", "Moderators", "Criteria", "Severity"]
    overall = list(workbook["Overall"].iter_rows(values_only=True))
    assert overall[0][:5] == (
        "Which samples",
        "Samples (n)",
        "Exact agreement",
        "Exact agreement: 95% CI low",
        "Exact agreement: 95% CI high",
    )
    assert overall[1][:3] == ("All samples", 12, 0.75)
    about = dict(row[:2] for row in workbook["About"].iter_rows(values_only=True) if row[0])
    assert about["title"] == "Agreement report: Year 6 writing"
    assert "Gwet's AC1 is shown beside kappa" in about["Moderators"]
    workbook.close()


def test_round_report_pdf_carries_the_headline_charts_and_explanations(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    response = _lead(client, world).get(f"/reports/rounds/{revealed_round.round.id}.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF")
    with pymupdf.open(stream=response.data, filetype="pdf") as document:
        text = " ".join(" ".join(page.get_text().split()) for page in document)
        images = sum(len(page.get_images()) for page in document)
    assert "Agreement report: Year 6 writing" in text
    assert "75.0% of schools' judgements matched the agreed outcome (12 samples; 95% CI 46.8% to 91.1%)" in text
    assert "Why Gwet's AC1 is shown beside kappa" in text
    assert "Severe" in text
    assert images == 5  # schools, confusion, moderators, criteria, severity


def test_a_closed_round_still_has_its_report(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    round_ = revealed_round.round
    services.advance(round_, RoundState.CLOSED, round_.version, world.la_lead)
    session.flush()
    assert _lead(client, world).get(f"/reports/rounds/{round_.id}").status_code == 200
    detail = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert f'href="/reports/rounds/{round_.id}"' in detail


def test_spreadsheet_cells_that_would_run_as_formulas_are_neutralised(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    world.school_b.name = '=HYPERLINK("https://example.org","x")'
    session.flush()
    rows = csv_figures(_lead(client, world), f"/reports/rounds/{revealed_round.round.id}.csv")
    assert any(row["subject"] == "'" + world.school_b.name for row in rows if row["section"] == "schools")
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/rounds/{revealed_round.round.id}.xlsx").data))
    subjects = [row[0] for row in workbook["Schools"].iter_rows(values_only=True)]
    assert "'" + world.school_b.name in subjects
    workbook.close()


def test_unknown_framework_chart_and_format_are_not_found(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    base = f"/reports/rounds/{revealed_round.round.id}"
    _lead(client, world)
    assert client.get(f"{base}?framework=999999").status_code == 404
    assert client.get(f"{base}?framework={revealed_round.framework.id}").status_code == 200
    assert client.get(f"{base}/charts/nothing.svg").status_code == 404
    assert client.get(f"{base}/charts/overall.svg").status_code == 404  # a table without a chart
    assert client.get(f"{base}.docx").status_code == 404
    assert client.get(f"/reports/schools/{world.school_a.id}.pdf").status_code == 404  # only a round's is a PDF


def test_the_schools_outcome_page_links_to_its_report(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    round_ = revealed_round.round
    taking_part = next(t for t in round_.schools if t.school_id == world.school_a.id)
    sign_in(client, world.lead_a.email)
    page = client.get(f"/rounds/{round_.id}/schools/{taking_part.id}/outcome").get_data(as_text=True)
    assert f'href="/reports/schools/{world.school_a.id}"' in page


def test_a_round_report_with_a_chart_taller_than_a_page_splits_it_across_pages(
    client: FlaskClient,
    session: Session,
    world: World,
    ks2_writing: Framework,
    fair_moderator: User,
) -> None:
    # The schools chart has a row per school, 28 units each (charts.ROW_STEP): 40 schools draw it about 1,200
    # units tall, more than an A4 page's frame (about 740 pt) even once fitted to the page's width.
    schools = 40
    round_ = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, lead=world.la_lead)
    for number in range(schools):
        school = make_school(session, world.authority, f"Tall Chart School {number:02d}")
        sample = make_ready_sample(session, school, world.teacher_a, ks2_writing, f"T{number:02d}", "EXS")
        agreed = "EXS" if number % 3 else "WTS"
        make_entry(session, round_, sample, {world.moderator: agreed, fair_moderator: "EXS"}, agreed=agreed)

    response = _lead(client, world).get(f"/reports/rounds/{round_.id}.pdf")

    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    with pymupdf.open(stream=response.data, filetype="pdf") as document:
        text = " ".join(" ".join(page.get_text().split()) for page in document)
        charts = sum(len(page.get_images()) for page in document)
        assert document.page_count > 1
    assert "Tall Chart School 00" in text and "Tall Chart School 39" in text  # the table names every school
    # The schools chart in two parts of 23 rows, then the confusion matrix, moderators and severity (no criterion
    # verdicts were given, so no criteria chart).
    assert charts == 5


def test_a_chart_of_many_schools_is_drawn_once_in_parts_that_each_fit_their_page(
    client: FlaskClient,
    session: Session,
    world: World,
    ks2_writing: Framework,
    fair_moderator: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 60 schools draw the schools chart about 1,750 units tall: too tall for a page at any width it could have,
    # so it is drawn in parts straight away, never whole just to measure it.
    schools = 60
    round_ = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, lead=world.la_lead)
    for number in range(schools):
        school = make_school(session, world.authority, f"Many Schools Primary {number:02d}")
        sample = make_ready_sample(session, school, world.teacher_a, ks2_writing, f"M{number:02d}", "EXS")
        agreed = "EXS" if number % 3 else "WTS"
        make_entry(session, round_, sample, {world.moderator: agreed, fair_moderator: "EXS"}, agreed=agreed)
    drawn: list[str] = []
    for name in ("vegalite_to_png", "vegalite_to_svg", "vega_to_png", "svg_to_png"):
        draw = getattr(vl_convert, name)
        monkeypatch.setattr(vl_convert, name, functools.partial(_counted, drawn, name, draw))

    response = _lead(client, world).get(f"/reports/rounds/{round_.id}.pdf")

    assert response.status_code == 200
    pictures = 0
    with pymupdf.open(stream=response.data, filetype="pdf") as document:
        for page in document:
            for image in page.get_images():
                for rect in page.get_image_rects(image[0]):
                    pictures += 1
                    assert page.rect.contains(rect), f"a picture on page {page.number + 1} runs off it: {rect}"
    # The schools chart in three parts of 22 rows at most, then the confusion matrix, moderators and severity.
    assert pictures == 6
    assert drawn == ["vegalite_to_png"] * pictures  # each picture drawn once, and nothing drawn but pictures
    assert client.get(f"/reports/rounds/{round_.id}.pdf").data == response.data
    assert len(drawn) == pictures  # the PDF is kept: asked again, it is not drawn again


def _counted(drawn: list[str], name: str, draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    drawn.append(name)
    return draw(*args, **kwargs)
