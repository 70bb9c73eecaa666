"""Every chart on every report page is an SVG image from its own URL, and the table after it prints its numbers."""

import re
import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.factories import World
from tests.functional.reports.conftest import RevealedRound, page_tables

SVG = "{http://www.w3.org/2000/svg}"


def _labels(svg: bytes) -> set[str]:
    """The texts the chart prints (axis labels, value labels, counts)."""
    root = ET.fromstring(svg)  # noqa: S314 - our own server's output, parsed to check it is well formed
    assert root.tag == f"{SVG}svg"
    return {"".join(text.itertext()).strip() for text in root.iter(f"{SVG}text")}


def _labelled(subject: str, labels: set[str]) -> bool:
    """The row's subject labels the axis, whole or (a long criterion) shortened with an ellipsis."""
    return subject in labels or any(
        label.endswith("…") and len(label) > 10 and subject.startswith(label[:-1]) for label in labels
    )


# The column each chart draws, by its header in the data table.
CHARTED = {
    "moderators": "Estimate",
    "criteria": "Gwet's AC1",
    "severity": "Severity: mean difference from the other moderators",
}


def _charted_figures(key: str, rows: list[list[str]]) -> set[str]:
    """The charted column's figures, as the table prints them without interval or unit."""
    column = rows[0].index(CHARTED.get(key, "Exact agreement"))
    return {row[column].split(" ")[0] for row in rows[1:] if row[column] != "Not available"}


@pytest.mark.parametrize(
    ("who", "page", "charts"),
    [
        ("la_lead", "/reports/rounds/{round}", {"schools", "confusion", "moderators", "criteria", "severity"}),
        ("lead_a", "/reports/schools/{school_a}", {"rounds", "years", "confusion"}),
        ("moderator", "/reports/me", {"my_rounds", "my_confusion"}),
    ],
)
def test_each_chart_is_svg_with_the_numbers_of_its_data_table(
    client: FlaskClient, world: World, revealed_round: RevealedRound, who: str, page: str, charts: set[str]
) -> None:
    sign_in(client, getattr(world, who).email)
    html = client.get(page.format(round=revealed_round.round.id, school_a=world.school_a.id)).get_data(as_text=True)
    tables, chart_urls = page_tables(html)
    assert set(chart_urls) == charts
    for key, url in chart_urls.items():
        assert re.search(rf'<img class="mh-chart__image" src="{re.escape(url)}" alt="Chart of [^"]+">', html)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content_type == "image/svg+xml; charset=utf-8"
        assert b"<script" not in response.data
        labels = _labels(response.data)
        rows = tables[key]
        if key.endswith("confusion"):
            counts = {cell for row in rows[1:] for cell in row[2:-1]}
            assert counts <= labels  # every count is printed in its cell
            assert {row[0] for row in rows[1:]} <= labels  # and every standard labels its row
        else:
            assert _charted_figures(key, rows) <= labels, key
            assert all(_labelled(row[0], labels) for row in rows[1:]), key


def test_chart_text_is_escaped(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    world.school_a.name = 'Alder & <Birch> "Primary"'
    session.flush()
    sign_in(client, world.la_lead.email)
    svg = client.get(f"/reports/rounds/{revealed_round.round.id}/charts/schools.svg").data
    assert world.school_a.name in _labels(svg)
