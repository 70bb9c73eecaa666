"""A booklet's PDF, drawn by PyMuPDF from plain values: a cover, contents with page numbers, and per exemplar its
summary, evidence grid, annotated pages and commentary, with a footer on every page naming the authority and the
permission scope.

No Flask and no database: ``booklet.build_booklet`` loads the exemplars and hands them here with a function that
reads one image from storage. PyMuPDF is not thread-safe, so this runs in a worker process only, never in a web
thread (``booklet`` is a prepared download's builder, run by the job worker).

Drawn in two passes over a temporary file, so the Python side never holds more than one page's image, and the PDF
is never held as bytes:

1. A ``DocumentWriter`` lays out the cover and every exemplar as HTML stories (text escaped, never markup someone
   typed), one page's image at a time, read from storage, placed as it is (the redacted copy's JPEG, not decoded or
   re-encoded), with footers numbered as the finished booklet will be: the contents' length is laid out first.
2. The written file is opened again: the contents (now that each exemplar's first page is known) go in after the
   cover, each annotation's numbered marker is drawn over its page, the outline and links are added, the metadata is
   emptied, and the changes are saved incrementally to the same file.
"""

import datetime as dt
import html
import io
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pymupdf

PAGE = pymupdf.paper_rect("a4")
MARGIN = 48
BODY = pymupdf.Rect(MARGIN, MARGIN, PAGE.width - MARGIN, PAGE.height - 60)
FOOTER = pymupdf.Rect(MARGIN, PAGE.height - 46, PAGE.width - MARGIN, PAGE.height - 20)
# Above the list of its annotations, a page's image takes at most this share of the page when it has annotations.
IMAGE_SHARE = 0.7
CSS = """
body { margin: 0; padding: 0; font-family: sans-serif; font-size: 10pt; line-height: 1.35; color: #0b0c0c; }
h1 { font-size: 22pt; margin: 0 0 12pt 0; }
h2 { font-size: 16pt; margin: 0 0 8pt 0; }
h3 { font-size: 12pt; margin: 10pt 0 4pt 0; }
p { margin: 0 0 6pt 0; }
table { border-collapse: collapse; width: 100%; margin: 0 0 8pt 0; }
th, td { border: 0.5pt solid #505a5f; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background-color: #f3f2f1; }
.number { text-align: right; width: 40pt; }
.muted { color: #505a5f; }
.footer { font-size: 8pt; color: #505a5f; }
ol { margin: 0 0 6pt 0; }
"""

Progress = Callable[[int, int], None]
ReadImage = Callable[[str], bytes]


@dataclass(frozen=True)
class Annotation:
    number: int
    comment: str
    criteria: tuple[str, ...]
    box: tuple[float, float, float, float] | None  # fractions of the page, (0, 0) top left; None: no marker


@dataclass(frozen=True)
class WorkPage:
    position: int  # in the collection, from 1
    piece: str | None  # its piece's letter
    width: int
    height: int
    image_key: str  # the published copy's redacted display image
    annotations: tuple[Annotation, ...]


@dataclass(frozen=True)
class StatementCommentary:
    code: str
    statement: str
    text: str
    cited: tuple[str, ...]  # "Piece B, page 2"


@dataclass(frozen=True)
class BookletExemplar:
    heading: str  # "Pupil A: Year 6, EXS (working at the expected standard)"
    summary: tuple[tuple[str, str], ...]  # label, value
    pieces: tuple[tuple[str, str, str, str], ...]  # letter, title, purpose, independence
    grid_columns: tuple[str, ...]
    grid_rows: tuple[tuple[str, str, tuple[tuple[int, ...], ...]], ...]  # code, statement, numbers per column
    pages: tuple[WorkPage, ...]
    commentary: str
    statements: tuple[StatementCommentary, ...]
    why_not_next: str
    next_standard: str  # "GDS (working at greater depth)", or "" at the top of the scale


@dataclass(frozen=True)
class Booklet:
    title: str
    authority: str  # the authority or authorities whose exemplars it holds
    made_on: dt.date
    scope: str  # the narrowest permission scope among its exemplars, in words
    exemplars: tuple[BookletExemplar, ...]

    @property
    def footer(self) -> str:
        return f"{self.authority} · Standards file · For: {self.scope}"


@dataclass(frozen=True)
class Mark:
    rect: pymupdf.Rect  # the annotation's box on the page, in points
    number: int


@dataclass
class _Layout:
    """Where things landed in the body (pages counted in the finished booklet, from 0)."""

    starts: list[int] = field(default_factory=list)  # each exemplar's first page
    marks: dict[int, list[Mark]] = field(default_factory=dict)


def write_booklet(booklet: Booklet, out: IO[bytes], read_image: ReadImage, progress: Progress) -> None:
    """Write ``booklet`` as a PDF to ``out``, reading each page's image with ``read_image(key)`` when it is drawn,
    and reporting ``progress(done, total)`` after each exemplar's page."""
    with tempfile.TemporaryDirectory(prefix="booklet-") as folder:
        path = Path(folder) / "booklet.pdf"
        contents_pages = _count_pages(_contents_html(booklet, None))
        layout = _write_body(booklet, path, contents_pages, read_image, progress)
        _finish(booklet, path, contents_pages, layout)
        with path.open("rb") as written:
            shutil.copyfileobj(written, out, 1 << 20)


def _write_body(
    booklet: Booklet, path: Path, contents_pages: int, read_image: ReadImage, progress: Progress
) -> _Layout:
    total = sum(len(exemplar.pages) + 1 for exemplar in booklet.exemplars)
    done = 0
    progress(done, total)
    layout = _Layout()
    with pymupdf.DocumentWriter(str(path)) as writer:
        pages = _Pages(writer, booklet.footer)
        pages.flow(_cover_html(booklet))
        pages.number += contents_pages  # the contents go in after the cover once the body is written
        for index, exemplar in enumerate(booklet.exemplars, 1):
            layout.starts.append(pages.number)
            pages.flow(_exemplar_html(index, exemplar))
            done += 1
            progress(done, total)
            for work_page in exemplar.pages:
                pages.work_page(work_page, read_image(work_page.image_key), layout.marks)
                done += 1
                progress(done, total)
            pages.flow(_commentary_html(exemplar))
    return layout


class _Pages:
    """Pages written one after another, each with the booklet's footer and its number."""

    def __init__(self, writer: pymupdf.DocumentWriter, footer: str) -> None:
        self.writer = writer
        self.footer = footer
        self.number = 0  # of the next page, from 0

    def flow(self, text: str) -> None:
        """``text`` (HTML) on as many pages as it takes."""
        story = pymupdf.Story(text, user_css=CSS)
        more = True
        while more:
            device = self.writer.begin_page(PAGE)
            more, _ = story.place(BODY)
            story.draw(device)
            self._end_page(device)

    def work_page(self, page: WorkPage, image: bytes, marks: dict[int, list[Mark]]) -> None:
        """A page of the work: its image as large as fits above the list of its annotations, which continues on
        further pages if it is long; each annotation's box is kept for its marker."""
        share = IMAGE_SHARE if page.annotations else 1.0
        frame = pymupdf.Rect(BODY.x0, BODY.y0, BODY.x1, BODY.y0 + (BODY.height - 20) * share)
        placed = _fitted(page.width, page.height, frame)
        archive = pymupdf.Archive()
        archive.add(image, "page.jpg")
        picture = pymupdf.Story(
            f'<img src="page.jpg" style="width:{placed.width:.2f}pt;height:{placed.height:.2f}pt">',
            user_css=CSS,
            archive=archive,
        )
        marks[self.number] = [
            Mark(_on(placed, annotation.box), annotation.number)
            for annotation in page.annotations
            if annotation.box is not None
        ]
        device = self.writer.begin_page(PAGE)
        picture.place(placed)
        picture.draw(device)
        below = pymupdf.Rect(BODY.x0, placed.y1 + 8, BODY.x1, BODY.y1)
        story = pymupdf.Story(_page_notes_html(page), user_css=CSS)
        more, _ = story.place(below)
        story.draw(device)
        self._end_page(device)
        while more:
            device = self.writer.begin_page(PAGE)
            more, _ = story.place(BODY)
            story.draw(device)
            self._end_page(device)

    def _end_page(self, device: Any) -> None:
        footer = pymupdf.Story(f'<p class="footer">{_e(self.footer)} · Page {self.number + 1}</p>', user_css=CSS)
        footer.place(FOOTER)
        footer.draw(device)
        self.writer.end_page()
        self.number += 1


def _fitted(width: int, height: int, frame: pymupdf.Rect) -> pymupdf.Rect:
    """The largest rectangle of the image's proportions in ``frame``, centred across it, at its top."""
    scale = min(frame.width / max(width, 1), frame.height / max(height, 1))
    shown_width, shown_height = width * scale, height * scale
    left = frame.x0 + (frame.width - shown_width) / 2
    return pymupdf.Rect(left, frame.y0, left + shown_width, frame.y0 + shown_height)


def _on(placed: pymupdf.Rect, box: tuple[float, float, float, float]) -> pymupdf.Rect:
    x0, y0, x1, y1 = box
    return pymupdf.Rect(
        placed.x0 + x0 * placed.width,
        placed.y0 + y0 * placed.height,
        placed.x0 + x1 * placed.width,
        placed.y0 + y1 * placed.height,
    )


def _count_pages(text: str) -> int:
    """How many pages ``text`` takes, laid out but drawn nowhere."""
    story = pymupdf.Story(text, user_css=CSS)
    pages, more = 0, True
    while more:
        more, _ = story.place(BODY)
        pages += 1
    return pages


def _finish(booklet: Booklet, path: Path, contents_pages: int, layout: _Layout) -> None:
    """The contents after the cover, the markers, the outline and links, and no metadata, saved incrementally."""
    contents = _contents_document(booklet, layout.starts, contents_pages)
    document = pymupdf.open(path)
    try:
        document.insert_pdf(contents, start_at=1)
        contents.close()
        _draw_marks(document, layout.marks)
        _link_contents(document, layout.starts, contents_pages)
        outline = [[1, "Contents", 2]]
        outline += [
            [1, f"{index}. {exemplar.heading}", start + 1]
            for index, (exemplar, start) in enumerate(zip(booklet.exemplars, layout.starts, strict=True), 1)
        ]
        document.set_toc(outline)
        # Nothing that names anyone: no author, creator or producer, no XMP; the title is the selection's.
        document.set_metadata({"title": booklet.title})
        document.del_xml_metadata()
        document.saveIncr()
    finally:
        document.close()


def _contents_document(booklet: Booklet, starts: Sequence[int], expected_pages: int) -> pymupdf.Document:
    """The contents pages, with their footers numbered from 2, laid out as counted before the body was written."""
    written = io.BytesIO()  # a page or two of text
    with pymupdf.DocumentWriter(written) as writer:
        pages = _Pages(writer, booklet.footer)
        pages.number = 1
        pages.flow(_contents_html(booklet, starts))
    if pages.number - 1 != expected_pages:
        raise RuntimeError("the contents took a different number of pages once numbered")
    return pymupdf.open("pdf", written.getvalue())


def _link_contents(document: pymupdf.Document, starts: Sequence[int], contents_pages: int) -> None:
    """Each line of the contents links to its exemplar's first page, found by the page number at its right."""
    wanted = list(starts)
    for number in range(1, 1 + contents_pages):
        page = document[number]
        for x0, y0, _x1, y1, word, *_ in page.get_text("words"):
            if wanted and x0 > BODY.x1 - 60 and y1 < BODY.y1 and word == str(wanted[0] + 1):
                rect = pymupdf.Rect(BODY.x0, y0, BODY.x1, y1)
                page.insert_link({"kind": pymupdf.LINK_GOTO, "from": rect, "page": wanted.pop(0)})


def _draw_marks(document: pymupdf.Document, marks: dict[int, list[Mark]]) -> None:
    """Each annotation's box outlined over its page, with its number in a yellow square at the box's top left.

    Written as a content stream of our own per page (a few operators, numbers only), bracketed by a ``q`` before
    the page's own content and a ``Q`` after it, since the writer leaves its flipped coordinates in force: drawing
    through ``Page.new_shape`` cost ten times as long, a third of the whole booklet's time.
    """
    font = _new_object(document, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica-Bold/Encoding/WinAnsiEncoding>>")
    push = _new_object(document, "<<>>", b"q\n")
    for number, page_marks in marks.items():
        if not page_marks:
            continue
        page = document[number]
        height = page.rect.height
        operators = ["Q", "q"]
        for mark in page_marks:
            box = mark.rect
            operators.append(
                f"0.83 0.21 0.11 RG 1.5 w {box.x0:.2f} {height - box.y1:.2f} {box.width:.2f} {box.height:.2f} re S"
            )
        for mark in page_marks:
            label = str(mark.number)
            side = 8 + 5.2 * len(label)
            left, top = mark.rect.x0 - side / 2, mark.rect.y0 - 7
            operators.append(f"0 0 0 RG 1 0.87 0 rg 0.8 w {left:.2f} {height - top - 14:.2f} {side:.2f} 14 re B")
            operators.append(
                f"BT 0 0 0 rg /BookletMark 9 Tf {left + 4:.2f} {height - top - 10.5:.2f} Td ({label}) Tj ET"
            )
        operators.append("Q")
        drawn = _new_object(document, "<<>>", "\n".join(operators).encode("ascii"))
        streams = [push, *page.get_contents(), drawn]
        document.xref_set_key(page.xref, "Contents", "[" + " ".join(f"{xref} 0 R" for xref in streams) + "]")
        _add_font(document, page, "BookletMark", font)


def _new_object(document: pymupdf.Document, dictionary: str, stream: bytes | None = None) -> int:
    xref = document.get_new_xref()
    document.update_object(xref, dictionary)
    if stream is not None:
        document.update_stream(xref, stream)
    return xref


def _add_font(document: pymupdf.Document, page: pymupdf.Page, name: str, font: int) -> None:
    """Name ``font`` in the page's resources, which the writer keeps as separate objects."""
    target, path = page.xref, "Resources/"
    kind, value = document.xref_get_key(target, "Resources")
    if kind == "xref":
        target, path = int(value.split()[0]), ""
    kind, value = document.xref_get_key(target, path + "Font")
    if kind == "xref":
        document.xref_set_key(int(value.split()[0]), name, f"{font} 0 R")
    else:
        document.xref_set_key(target, f"{path}Font/{name}", f"{font} 0 R")


# The HTML of each part. Every value is escaped: a commentary is shown as written, never as markup.


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return "".join(f"<p>{_e(block).replace(chr(10), '<br>')}</p>" for block in blocks)


def _cover_html(booklet: Booklet) -> str:
    made_on = f"{booklet.made_on.day} {booklet.made_on:%B %Y}"
    count = len(booklet.exemplars)
    return (
        f"<h1>{_e(booklet.title)}</h1>"
        f"<p>Standards file of {_e(booklet.authority)}</p>"
        f"<p>Made on {_e(made_on)}</p>"
        f"<p>{count} exemplar{'' if count == 1 else 's'}</p>"
        f"<h3>Who may read it</h3><p>{_e(booklet.scope)}. Do not pass it to anyone outside that group.</p>"
        "<p class='muted'>Each pupil is shown as Pupil A: every page is the redacted copy published in the standards "
        "file, with no names, faces or school identifiers.</p>"
    )


def _contents_html(booklet: Booklet, starts: Sequence[int] | None) -> str:
    """The contents; without ``starts``, the same layout with a placeholder where each number goes (to count its
    pages before the body is written: a page number never needs more room than the placeholder)."""
    rows = "".join(
        f"<tr><td>{index}. {_e(exemplar.heading)}</td>"
        f'<td class="number">{starts[index - 1] + 1 if starts is not None else 9999}</td></tr>'
        for index, exemplar in enumerate(booklet.exemplars, 1)
    )
    return f'<h2>Contents</h2><table><tr><th>Exemplar</th><th class="number">Page</th></tr>{rows}</table>'


def _exemplar_html(index: int, exemplar: BookletExemplar) -> str:
    summary = "".join(f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>" for label, value in exemplar.summary)
    parts = [f"<h2>{index}. {_e(exemplar.heading)}</h2><table>{summary}</table>"]
    if exemplar.pieces:
        rows = "".join(
            f"<tr><td>{_e(letter)}</td><td>{_e(title)}</td><td>{_e(purpose)}</td><td>{_e(independence)}</td></tr>"
            for letter, title, purpose, independence in exemplar.pieces
        )
        parts.append(
            "<h3>Pieces</h3><table><tr><th>Piece</th><th>Title</th><th>Purpose</th><th>Independence</th></tr>"
            f"{rows}</table>"
        )
    parts.append("<h3>Evidence grid</h3>")
    if exemplar.grid_rows:
        header = "".join(f"<th>{_e(column)}</th>" for column in exemplar.grid_columns)
        rows = "".join(
            f"<tr><td>{_e(code)}: {_e(statement)}</td>"
            + "".join(f"<td>{_e(', '.join(map(str, numbers)))}</td>" for numbers in cells)
            + "</tr>"
            for code, statement, cells in exemplar.grid_rows
        )
        parts.append(
            "<p class='muted'>Which annotations (by number) evidence each statement, piece by piece.</p>"
            f"<table><tr><th>Statement</th>{header}</tr>{rows}</table>"
        )
    else:
        parts.append("<p>No annotation is linked to a statement.</p>")
    return "".join(parts)


def _page_notes_html(page: WorkPage) -> str:
    where = f"Piece {page.piece}, " if page.piece else ""
    parts = [f"<h3>{_e(where)}page {page.position} of the collection</h3>"]
    if page.annotations:
        items = "".join(
            f"<li><b>{annotation.number}.</b> {_e(annotation.comment)}"
            + (f" <span class='muted'>({_e(', '.join(annotation.criteria))})</span>" if annotation.criteria else "")
            + "</li>"
            for annotation in page.annotations
        )
        parts.append(f'<ul style="list-style-type:none;padding-left:0">{items}</ul>')
    else:
        parts.append("<p class='muted'>No annotations on this page.</p>")
    return "".join(parts)


def _commentary_html(exemplar: BookletExemplar) -> str:
    parts = ["<h2>Commentary</h2>", _paragraphs(exemplar.commentary)]
    if exemplar.statements:
        parts.append("<h3>Statement by statement</h3>")
        for item in exemplar.statements:
            cited = f"<p class='muted'>Cites: {_e(', '.join(item.cited))}</p>" if item.cited else ""
            parts.append(f"<p><b>{_e(item.code)}: {_e(item.statement)}</b></p>{_paragraphs(item.text)}{cited}")
    if exemplar.why_not_next:
        against = f" ({_e(exemplar.next_standard)})" if exemplar.next_standard else ""
        parts.append(f"<h3>Why this standard and not the next{against}</h3>{_paragraphs(exemplar.why_not_next)}")
    return "".join(parts)
