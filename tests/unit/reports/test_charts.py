"""Chart specifications are checked against Vega-Lite's schema here, once per shape, since the app skips the
check (it took longer than drawing), and an intervals chart's height is known from its rows without drawing it."""

import io

import pytest
from PIL import Image

from moderation_hub.reports import charts
from moderation_hub.reports.tables import Chart, ChartStyle, Kind, Measure, Row, Table, Value

EXACT = Measure("exact", "Exact agreement", Kind.PROPORTION)
DIFFERENCE = Measure("mean_difference", "Severity: mean difference", Kind.STEPS)
FLAG = Measure("severity", "Flag", Kind.TEXT)


def _intervals(rows: int, *, flagged: bool) -> Table:
    measures = (EXACT, DIFFERENCE, FLAG) if flagged else (EXACT, DIFFERENCE)
    flags = ("Severe", "Lenient", "In line", None)
    return Table(
        "severity",
        "Each moderator against the agreed outcomes",
        "Moderator",
        measures,
        tuple(
            Row(
                f"Moderator {number:03d}",
                12,
                (Value(0.6, 0.4, 0.8), Value(-0.3 + number / 100, -0.6, 0.1), Value(flags[number % 4]))[
                    : len(measures)
                ],
            )
            for number in range(rows)
        ),
        Chart(ChartStyle.INTERVALS, "mean_difference"),
    )


def _trend() -> Table:
    rows = tuple(Row(f"Round {number}", 20, (Value(0.5 + number / 10, 0.3, 0.9),)) for number in range(3))
    return Table("rounds", "Each round", "Round", (EXACT,), rows, Chart(ChartStyle.TREND, "exact"))


def _matrix() -> Table:
    codes = ("WTS", "EXS", "GDS")
    measures = tuple(Measure(f"agreed_{code}", code, Kind.COUNT) for code in codes)
    rows = tuple(Row(code, 6, (Value(1), Value(2), Value(3))) for code in codes)
    return Table("confusion", "Confusion", "School's judgement", measures, rows, Chart(ChartStyle.MATRIX, "", "Agreed"))


@pytest.mark.parametrize(
    "table",
    [_intervals(4, flagged=True), _intervals(4, flagged=False), _trend(), _matrix()],
    ids=["intervals with flags", "intervals", "trend", "matrix"],
)
def test_each_shape_of_chart_is_valid_vega_lite(table: Table) -> None:
    validated = charts.altair_chart(table).to_dict()  # raises SchemaValidationError if not valid
    assert charts.spec(table) == validated


@pytest.mark.parametrize("flagged", [True, False], ids=["with the flags' legend", "without"])
def test_an_intervals_chart_is_as_tall_as_its_rows_say(flagged: bool) -> None:
    table = _intervals(5, flagged=flagged)
    _width, height = Image.open(io.BytesIO(charts.png(table))).size
    assert height / charts.PNG_SCALE == pytest.approx(charts.intervals_height(table), abs=2)
