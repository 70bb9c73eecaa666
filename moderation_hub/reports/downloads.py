"""A report as CSV, XLSX or (a round's) PDF, from the same tables the page shows.

CSV: one file in long form, one row per figure, with a leading ``section`` column naming the table
(``report`` rows first, naming the report and its framework), so one header serves every table:

    section, subject, measure, value, ci_low, ci_high, standard_error, n, notes

Proportions are fractions (0.75, not 75%), steps and coefficients as computed, rounded to 6 places.
XLSX: an "About" sheet (the report, its framework and what each table means), then one sheet per table
with a column per measure and its interval. PDF: the page's headline, charts (PNG), tables and
explanations, laid out by ReportLab (pure Python, safe in web threads, unlike PyMuPDF). Text cells that
a spreadsheet would run as a formula are neutralised in both spreadsheet formats.
"""

import io
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from moderation_hub.db import db
from moderation_hub.reports import cache, charts, services
from moderation_hub.reports.explanations import ABOUT_FIGURES
from moderation_hub.reports.services import Report
from moderation_hub.reports.tables import ChartStyle, Kind, Measure, Table, Value, interval, shown
from moderation_hub.rounds import exports
from moderation_hub.rounds.models import ModerationRound

FORMATS = {**exports.FORMATS, "pdf": "application/pdf"}
CSV_COLUMNS = ("section", "subject", "measure", "value", "ci_low", "ci_high", "standard_error", "n", "notes")
PLACES = 6
NUMBER_FORMATS = {Kind.PROPORTION: "0.0%", Kind.COEFFICIENT: "0.00", Kind.STEPS: "0.00", Kind.COUNT: "0"}

Cell = str | int | float | None


def _rounded(number: float | int | str | None) -> Cell:
    return round(number, PLACES) if isinstance(number, float) else number


def _about(report: Report) -> list[tuple[str, str]]:
    framework = report.framework
    return [
        ("title", report.title),
        ("scope", report.caption),
        ("framework", f"{framework.title} (version {framework.version})" if framework else "none"),
        ("scale", ", ".join(f"{standard.code}: {standard.label}" for standard in report.scale)),
        ("samples", str(report.samples)),
        ("generated_at", exports.iso_utc(report.generated_at)),
    ]


# CSV -------------------------------------------------------------------------------------------------


def csv_rows(report: Report) -> Iterator[list[Cell]]:
    for name, text in _about(report):
        yield ["report", name, "", text, None, None, None, None, ""]
    for table in report.tables:
        for row in table.rows:
            for measure, value in zip(table.measures, row.values, strict=True):
                notes = "; ".join([*row.notes, *([value.reason] if value.reason else [])])
                yield [
                    table.key,
                    row.subject,
                    measure.key,
                    _rounded(value.value),
                    _rounded(value.ci_low),
                    _rounded(value.ci_high),
                    _rounded(value.standard_error),
                    row.n,
                    notes,
                ]


def as_csv(report: Report) -> bytes:
    return exports.as_csv(CSV_COLUMNS, csv_rows(report)).encode()


# XLSX ------------------------------------------------------------------------------------------------


def as_xlsx(report: Report) -> bytes:
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("About")
    for name, text in _about(report):
        about.append([name, exports.xlsx_cell(text)])
    about.append([])
    about.append(["about the figures", exports.xlsx_cell(ABOUT_FIGURES)])
    for table in report.tables:
        explanation = report.explanation(table)
        text = f"{explanation.means} {explanation.careful}"
        about.append([exports.xlsx_cell(table.sheet_name), exports.xlsx_cell(text)])
    for table in report.tables:
        _write_sheet(workbook.create_sheet(table.sheet_name[:31]), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet: WriteOnlyWorksheet, table: Table) -> None:
    header = [table.subject_label, table.n_label]
    for measure in table.measures:
        header.append(measure.label)
        if _has_interval(table, measure):
            header += [f"{measure.label}: 95% CI low", f"{measure.label}: 95% CI high"]
    sheet.append([*header, "Notes"])
    for row in table.rows:
        cells: list[Any] = [exports.xlsx_cell(row.subject), row.n]
        for measure, value in zip(table.measures, row.values, strict=True):
            cells.append(_number(sheet, value.value, measure.kind))
            if _has_interval(table, measure):
                cells += [_number(sheet, value.ci_low, measure.kind), _number(sheet, value.ci_high, measure.kind)]
        reasons = [f"{m.label}: {v.reason}" for m, v in zip(table.measures, row.values, strict=True) if v.reason]
        cells.append(exports.xlsx_cell(" ".join([*row.notes, *reasons])))
        sheet.append(cells)


def _has_interval(table: Table, measure: Measure) -> bool:
    return measure.kind not in (Kind.COUNT, Kind.TEXT) and any(v.ci_low is not None for v in table.column(measure.key))


def _number(sheet: WriteOnlyWorksheet, number: float | int | str | None, kind: Kind) -> Any:
    if number is None or isinstance(number, str):
        return exports.xlsx_cell(number)
    cell = WriteOnlyCell(sheet, value=_rounded(number))
    cell.number_format = NUMBER_FORMATS[kind]
    return cell


# PDF -------------------------------------------------------------------------------------------------

# Binary streams, not ASCII85: ReportLab's ASCII85 encoder is pure Python here (no C accelerator), and encoding
# a report's charts took seconds; PDF is a binary format and every reader takes binary streams. ReportLab reads
# this setting as it writes, and has no option per document; this module is its only user in the app.
rl_config.useA85 = 0

# Bitstream Vera ships with ReportLab, so the PDF embeds the same font on every machine and can print more
# than the Latin-1 of PDF's built-in Helvetica.
pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
pdfmetrics.registerFont(TTFont("Vera-Bold", "VeraBd.ttf"))
pdfmetrics.registerFontFamily("Vera", normal="Vera", bold="Vera-Bold", italic="Vera", boldItalic="Vera-Bold")
_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontName="Vera", fontSize=9.5, leading=13)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8, leading=10)
_CAPTION = ParagraphStyle("caption", parent=_BODY, textColor=colors.HexColor("#505a5f"))
_HEADLINE = ParagraphStyle("headline", parent=_BODY, fontName="Vera-Bold", fontSize=22, leading=28)
_TITLE = ParagraphStyle("title", parent=_STYLES["Title"], fontName="Vera-Bold", fontSize=18, alignment=0)
_HEADING = ParagraphStyle("heading", parent=_STYLES["Heading2"], fontName="Vera-Bold", fontSize=13)
_MARGIN = 16 * mm
_FRAME_WIDTH = A4[0] - 2 * _MARGIN
# What a flowable may fill: the page less its margins and the frame's default padding (6 pt each side).
# ReportLab refuses (LayoutError) a flowable taller than this rather than shrink it.
_FRAME_HEIGHT = A4[1] - 2 * _MARGIN - 2 * 6
# Wider than any intervals chart is drawn (its plot, row labels of at most 280 units, the figure printed beside
# the rightmost dot, and padding come to at most about 900): a chart too tall for the frame at this width is
# too tall at its own, so it is drawn in parts without being drawn whole first.
_WIDEST_CHART = 1000


def as_pdf(report: Report) -> bytes:
    """The round's report as a PDF, made once per version of its figures and kept beside them (``cache``): its
    charts take seconds to draw and its pictures to compress, so only the first request after a change pays."""
    key, version = report.kept_as
    if not key:  # nothing to report yet: no figures, no charts
        return _pdf(report)
    return cache.computed(f"{key}/pdf", version, lambda: _pdf(report))


def write_round_pdf(round_id: int, framework_id: int, target: BinaryIO, progress: Callable[[int, int], None]) -> None:
    """The round's report as a PDF, written to ``target`` off the request path (``downloads``): a step for the
    figures, one for each chart drawn, and one for laying the pages out. The PDF kept for this version of the
    figures (made by an earlier request for a small round) is copied rather than drawn again; one made here is
    not kept in the database too: the prepared download is its copy."""
    round_ = db.session.get_one(ModerationRound, round_id)
    report = services.round_report(round_, framework_id)
    steps = 2 + sum(1 for table in report.tables if table.charted)
    progress(1, steps)
    key, version = report.kept_as
    kept = cache.read(db.session, f"{key}/pdf", version) if key else None
    if kept is not None:
        target.write(kept[0])
    else:
        drawn = iter(range(2, steps))
        _write_pdf(report, target, lambda: progress(next(drawn), steps))
    progress(steps, steps)


def _pdf(report: Report) -> bytes:
    buffer = io.BytesIO()
    _write_pdf(report, buffer)
    return buffer.getvalue()


def _write_pdf(report: Report, target: BinaryIO, chart_drawn: Callable[[], object] = lambda: None) -> None:
    document = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=report.title,
        author="Moderation Hub",
        lang="en-GB",
    )
    document.build(_story(report, chart_drawn))


def _story(report: Report, chart_drawn: Callable[[], object]) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(escape(report.title), _TITLE), _paragraph(report.caption, _CAPTION)]
    if report.framework is None or report.headline is None:
        return [*story, _paragraph("There are no agreed outcomes to report yet.")]
    framework = report.framework
    story.append(_paragraph(f"{framework.title} (version {framework.version}), {report.samples} samples."))
    headline = report.headline
    story += [
        Paragraph(escape(shown(headline.value, Kind.PROPORTION)), _HEADLINE),
        _paragraph(f"{headline.sentence} ({headline.n} samples; {interval(headline.value, Kind.PROPORTION)})."),
        *(_paragraph(note) for note in headline.notes),
        _paragraph(ABOUT_FIGURES, _SMALL),
        _paragraph("The scale, lowest first: " + "; ".join(f"{s.code}: {s.label}" for s in report.scale) + ".", _SMALL),
    ]
    for table in report.tables:
        story += _table_section(report, table)
        if table.charted:
            chart_drawn()
    return story


def _table_section(report: Report, table: Table) -> list[Flowable]:
    explanation = report.explanation(table)
    section: list[Flowable] = [Paragraph(escape(table.title), _HEADING), _paragraph(explanation.means)]
    if table.charted:
        section += _chart(table)
    section += [Spacer(1, 3 * mm), _pdf_table(table), Spacer(1, 2 * mm)]
    section.append(_paragraph(f"When to be careful: {explanation.careful}", _SMALL))
    return section


def _chart(table: Table) -> list[Image]:
    """The table's chart: drawn once per version of the report's figures, as the PDF is made once (``as_pdf``)."""
    return [_image(png) for png in _pngs(table)]


def _pngs(table: Table) -> list[bytes]:
    """The table's chart, in parts on successive pages when its rows (a school or a moderator each) make it
    taller than a page: shrinking it to one page would make 120 schools' labels unreadably small.

    Each picture is drawn once. Whether an intervals chart fits depends on its width once drawn (it is fitted
    to the page's width, and its row labels set its width), so one that might fit is drawn whole and measured;
    one too tall to fit at any width it could have is drawn in parts straight away."""
    drawn_a_row_at_a_time = table.chart is not None and table.chart.style is ChartStyle.INTERVALS
    full_height = charts.intervals_height(table) if drawn_a_row_at_a_time else 0.0
    if full_height * _scale(_WIDEST_CHART) <= _FRAME_HEIGHT:
        png = charts.png(table)
        width, height = _size(png)
        if not drawn_a_row_at_a_time or height * _scale(width) <= _FRAME_HEIGHT:
            return [png]
        # Only a chart near the limit whose labels made it narrow enough to need parts is drawn twice.
    # A part is drawn at most full size (a part can be narrower than the whole, so larger when fitted to the
    # width); its title, axis and legend take no more room than the whole chart's, and one row is spare.
    furniture = full_height - charts.ROW_STEP * len(table.rows)
    rows_per_part = max(1, int((_FRAME_HEIGHT - furniture) // charts.ROW_STEP) - 1)
    return charts.png_parts(table, rows_per_part)


def _size(png: bytes) -> tuple[float, float]:
    """The picture's size in points, as drawn at full size."""
    width, height = ImageReader(io.BytesIO(png)).getSize()
    return width / charts.PNG_SCALE, height / charts.PNG_SCALE


def _scale(width: float) -> float:
    return min(1.0, _FRAME_WIDTH / width)


def _image(png: bytes) -> Image:
    """The PNG fitted to the frame's width and, as a last resort (a chart that cannot be split), its height."""
    width, height = _size(png)
    scale = min(_scale(width), _FRAME_HEIGHT / height)
    # No soft mask: vl-convert draws on an opaque white background, so its alpha channel says nothing.
    return Image(io.BytesIO(png), width=width * scale, height=height * scale, hAlign="LEFT", mask=None)


def _pdf_table(table: Table) -> PdfTable:
    header = [table.subject_label, table.n_label, *(measure.label for measure in table.measures), "Notes"]
    body = [
        [
            row.subject,
            str(row.n),
            *(_pdf_value(value, measure.kind) for measure, value in zip(table.measures, row.values, strict=True)),
            " ".join(row.notes),
        ]
        for row in table.rows
    ]
    cells = [[_paragraph(text, _SMALL) for text in line] for line in [header, *body]]
    pdf_table = PdfTable(cells, colWidths=_column_widths(len(header)), repeatRows=1, hAlign="LEFT")
    pdf_table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return pdf_table


def _pdf_value(value: Value, kind: Kind) -> str:
    if value.value is None:
        return f"Not available: {value.reason}" if value.reason else "Not available"
    text = shown(value, kind)
    ci = interval(value, kind)
    return f"{text} ({ci})" if ci else text


def _column_widths(columns: int) -> list[float]:
    """The subject and the notes get more room than each figure."""
    subject, notes = 0.22 * _FRAME_WIDTH, 0.2 * _FRAME_WIDTH
    n = 0.06 * _FRAME_WIDTH
    figure = (_FRAME_WIDTH - subject - notes - n) / max(columns - 3, 1)
    return [subject, n, *([figure] * (columns - 3)), notes]


def _paragraph(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)
