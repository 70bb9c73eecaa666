"""Charts of report tables: Vega-Lite specs built with Altair, drawn on the server by vl-convert.

Pages show each chart as an SVG image from its own URL (the CSP forbids the inline scripts and styles an
embedded chart would need) and the PDF as a PNG. Every chart draws one table and nothing else, and plots
the numbers the table prints (``tables.display``), so the data table that follows it is its exact text
equivalent. Colours are from the Okabe-Ito palette, which colour-blind readers can tell apart, and no
meaning rests on colour alone: flags also differ in shape, and matrix cells print their counts.
"""

import math
from typing import Any

import altair as alt
import vl_convert as vlc

from moderation_hub.reports import tables
from moderation_hub.reports.tables import ChartStyle, Kind, Table, display

BLUE, VERMILLION, GREY = "#0072B2", "#D55E00", "#595959"
FLAG_SHAPES = {"Severe": "triangle-left", "Lenient": "triangle-right", "In line": "circle", "Not assessed": "square"}
FLAG_COLOURS = {"Severe": VERMILLION, "Lenient": BLUE, "In line": GREY, "Not assessed": "#999999"}
WIDTH = 520
ROW_STEP = 28
# What an intervals chart takes besides its rows, in the units of ROW_STEP: its one-line title and its x axis with
# its title and, when its rows carry flags, the flags' legend below. Measured from drawn charts (a unit test
# checks them), so a chart's height is known from its row count without drawing it.
TITLE_AND_AXIS = 68
FLAG_LEGEND = 50
PNG_SCALE = 2
CONFIG = {
    "font": "Arial, Helvetica, 'Liberation Sans', sans-serif",
    "axis": {"labelFontSize": 13, "titleFontSize": 13, "labelColor": "#0b0c0c", "titleColor": "#0b0c0c"},
    "legend": {"labelFontSize": 13, "titleFontSize": 13},
    "title": {"fontSize": 16, "anchor": "start", "color": "#0b0c0c"},
    "view": {"stroke": None},
}


def svg(table: Table) -> str:
    return vlc.vegalite_to_svg(spec(table))


def png(table: Table) -> bytes:
    return vlc.vegalite_to_png(spec(table), scale=PNG_SCALE)


def png_parts(table: Table, rows_per_part: int) -> list[bytes]:
    """An intervals chart drawn in parts of at most ``rows_per_part`` rows, for a page too short for all of them.

    Every part keeps the whole table's x scale, so dots on different parts (pages) can be compared by eye, and
    its title says which rows it holds."""
    if table.chart is None or table.chart.style is not ChartStyle.INTERVALS:
        raise ValueError(f"table {table.key!r} has no chart drawn a row at a time")
    total = len(table.rows)
    parts = []
    for start in range(0, total, rows_per_part):
        rows = slice(start, min(start + rows_per_part, total))
        title = f"{table.title} (rows {rows.start + 1} to {rows.stop} of {total})"
        part = _intervals(table, table.chart.measure, rows).properties(title=title).configure(**CONFIG)
        parts.append(vlc.vegalite_to_png(_unvalidated(part), scale=PNG_SCALE))
    return parts


def intervals_height(table: Table) -> float:
    """The height of the table's intervals chart drawn whole at full size (before ``PNG_SCALE``), from its rows
    alone: what a page can hold is known without drawing it."""
    flagged = any(_flags(table))
    return TITLE_AND_AXIS + (FLAG_LEGEND if flagged else 0) + ROW_STEP * len(table.rows)


def spec(table: Table) -> dict[str, Any]:
    """The Vega-Lite specification of the table's chart."""
    return _unvalidated(altair_chart(table))


def altair_chart(table: Table) -> alt.TopLevelMixin:
    """The table's chart as an Altair chart: ``altair_chart(table).to_dict()`` checks it against Vega-Lite's schema."""
    if table.chart is None:
        raise ValueError(f"table {table.key!r} has no chart")
    drawn = table.chart
    if drawn.style is ChartStyle.MATRIX:
        chart = _matrix(table, drawn.x_title)
    elif drawn.style is ChartStyle.TREND:
        chart = _trend(table, drawn.measure)
    else:
        chart = _intervals(table, drawn.measure)
    return chart.properties(title=table.title).configure(**CONFIG)


def _unvalidated(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's specification, not checked against Vega-Lite's JSON schema: our own code builds every chart
    from a few fixed shapes, and checking a chart with a row per moderator took longer than drawing it. The
    tests check each shape (``altair_chart(table).to_dict()``)."""
    return chart.to_dict(validate=False)


def _points(table: Table, measure_key: str) -> tuple[list[dict[str, Any]], Kind, str]:
    """One datum per row: the value, its interval and its flag, in the units the table prints."""
    measure = table.measure(measure_key)
    flags = _flags(table)
    points = []
    for row, value, flag in zip(table.rows, table.column(measure.key), flags, strict=True):
        low, high = (display(bound, measure.kind) for bound in (value.ci_low, value.ci_high))
        shown = display(value.value, measure.kind)
        points.append(
            {
                "subject": row.subject,
                "value": shown,
                "low": low,
                "high": high,
                "label_at": high if high is not None else shown,
                "label": "" if shown is None else tables.shown(value, measure.kind).removesuffix(" steps"),
                "n": row.n,
                "flag": flag,
            }
        )
    return points, measure.kind, _axis_title(measure.label, measure.kind)


def _flags(table: Table) -> list[str]:
    """The table's text column (a moderator's severity), 'Not assessed' where it has none; else no flags."""
    text = [measure.key for measure in table.measures if measure.kind is Kind.TEXT]
    if not text:
        return [""] * len(table.rows)
    return [str(value.value) if value.value is not None else "Not assessed" for value in table.column(text[0])]


def _intervals(table: Table, measure_key: str, rows: slice | None = None) -> alt.LayerChart:
    """One dot and interval per row, or per row of ``rows``: the scale is always the whole table's."""
    points, kind, title = _points(table, measure_key)
    x_scale = alt.Scale(domain=_domain(points, kind), nice=False)
    points = points[rows] if rows is not None else points
    subjects = [point["subject"] for point in points]
    # The rows are the layer's data, not each mark's: Altair copies a chart's data at every step that builds it.
    base = alt.Chart().encode(
        # No axis title: the chart's title names the rows, and a title beside long labels can overlap them.
        y=alt.Y("subject:N", sort=subjects, title=None, axis=alt.Axis(labelLimit=280))
    )
    rule = base.mark_rule(color=GREY, strokeWidth=2, aria=False).encode(
        x=alt.X("low:Q", scale=x_scale, title=title), x2="high:Q"
    )
    flagged = any(point["flag"] for point in points)
    marker = base.mark_point(filled=True, size=110, opacity=1).encode(
        x=alt.X("value:Q", scale=x_scale, title=title),
        tooltip=[alt.Tooltip("subject:N", title=table.subject_label), alt.Tooltip("value:Q", title=title)],
        **(_flag_encoding(points) if flagged else {"color": alt.value(BLUE)}),
    )
    label = base.mark_text(align="left", dx=8, fontSize=12, color="#0b0c0c", aria=False).encode(
        x=alt.X("label_at:Q", scale=x_scale), text="label:N"
    )
    layers: list[alt.Chart] = [rule, marker, label]
    if kind in (Kind.STEPS, Kind.COEFFICIENT):
        zero = alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(color="#0b0c0c", strokeDash=[4, 4], aria=False)
        layers.insert(0, zero.encode(x=alt.X("zero:Q", scale=x_scale)))
    return alt.layer(*layers, data=alt.Data(values=points)).properties(width=WIDTH, height=alt.Step(ROW_STEP))


def _flag_encoding(points: list[dict[str, Any]]) -> dict[str, Any]:
    present = [flag for flag in FLAG_SHAPES if any(point["flag"] == flag for point in points)]
    legend = alt.Legend(title="Flag", orient="bottom")
    return {
        "shape": alt.Shape(
            "flag:N", scale=alt.Scale(domain=present, range=[FLAG_SHAPES[f] for f in present]), legend=legend
        ),
        "color": alt.Color(
            "flag:N", scale=alt.Scale(domain=present, range=[FLAG_COLOURS[f] for f in present]), legend=legend
        ),
    }


def _trend(table: Table, measure_key: str) -> alt.LayerChart:
    points, kind, title = _points(table, measure_key)
    subjects = [point["subject"] for point in points]
    y_scale = alt.Scale(domain=_domain(points, kind), nice=False)
    x = alt.X("subject:N", sort=subjects, title=table.subject_label, axis=alt.Axis(labelAngle=0, labelLimit=160))
    base = alt.Chart(alt.Data(values=points)).encode(x=x)
    line = base.mark_line(color=BLUE, strokeWidth=2).encode(y=alt.Y("value:Q", scale=y_scale, title=title))
    rule = base.mark_rule(color=GREY, strokeWidth=2, aria=False).encode(y=alt.Y("low:Q", scale=y_scale), y2="high:Q")
    marker = base.mark_point(filled=True, size=110, color=BLUE, opacity=1).encode(
        y=alt.Y("value:Q", scale=y_scale),
        tooltip=[alt.Tooltip("subject:N", title=table.subject_label), alt.Tooltip("value:Q", title=title)],
    )
    label = base.mark_text(dx=10, align="left", fontSize=12, color="#0b0c0c", aria=False).encode(
        y=alt.Y("value:Q", scale=y_scale), text="label:N"
    )
    return alt.layer(rule, line, marker, label).properties(width=max(WIDTH, 110 * len(points)), height=280)


def _matrix(table: Table, x_title: str) -> alt.LayerChart:
    """Counts in a grid, rows and columns in scale order; the diagonal (agreement) is outlined."""
    columns = [measure.label for measure in table.measures]
    cells = [
        {"row": row.subject, "column": column, "count": display(value.value, Kind.COUNT)}
        for row in table.rows
        for column, value in zip(columns, row.values, strict=True)
    ]
    most = max((cell["count"] for cell in cells), default=0)
    rows = [row.subject for row in table.rows]
    base = alt.Chart(alt.Data(values=cells)).encode(
        x=alt.X("column:O", sort=columns, title=x_title, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("row:O", sort=rows, title=table.subject_label),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues", domainMin=0), title="Samples"),
        tooltip=[alt.Tooltip("row:O", title=table.subject_label), alt.Tooltip("column:O"), alt.Tooltip("count:Q")],
    )
    diagonal = (
        base.transform_filter("datum.row === datum.column")
        .mark_rect(fillOpacity=0, stroke="#0b0c0c", strokeWidth=2)
        .encode()
    )
    counts = base.mark_text(fontSize=13).encode(
        text="count:Q",
        color=alt.condition(f"datum.count > {most / 2}", alt.value("white"), alt.value("#0b0c0c")),
    )
    size = 44 * len(columns)
    return alt.layer(heat, diagonal, counts).properties(width=size, height=44 * len(rows))


def _domain(points: list[dict[str, Any]], kind: Kind) -> list[float]:
    """Proportions on 0-100%; coefficients up to 1, down to 0 or below; differences symmetric about zero."""
    values = [v for point in points for v in (point["value"], point["low"], point["high"]) if v is not None]
    if kind is Kind.PROPORTION:
        return [0, 100]
    if kind is Kind.STEPS:
        reach = max([1.0, *(abs(v) for v in values)])
        return [-math.ceil(reach * 2) / 2, math.ceil(reach * 2) / 2]
    lowest = min([0.0, *values])
    return [math.floor(lowest * 4) / 4, 1]


def _axis_title(label: str, kind: Kind) -> str:
    return {Kind.PROPORTION: f"{label} (%)", Kind.STEPS: f"{label} (steps)"}.get(kind, label)
