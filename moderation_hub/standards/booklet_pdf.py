"""A booklet's PDF, drawn by PyMuPDF from plain values: a cover, contents with page numbers, and per exemplar its
summary, evidence grid, annotated pages and commentary, with a footer on every page naming the authority and the
permission scope.

No Flask and no database: ``booklet.build_booklet`` loads the exemplars and hands them here with a function that
reads one image from storage. PyMuPDF is not thread-safe, so this runs in a worker process only, never in a web
thread (``booklet`` is a prepared download's builder, run by the job worker).

Drawn in two passes over a temporary file, so the Python side never holds more than a few pages' images (at most
``PAGES_PER_STORY``), and the PDF is never held as bytes:

1. A ``DocumentWriter`` lays out the cover and every exemplar as HTML stories (text escaped, never markup someone
   typed), one story per exemplar (its summary, at most ``PAGES_PER_STORY`` pages of work and its commentary), the
   pages' images read from storage for that story and placed as they are (the redacted copy's JPEG, neither decoded
   nor encoded again). Page numbers count the contents, whose length is laid out first; where each page of work
   landed is what the story reports of its elements' places.
2. The written file is opened again: the contents (now that each exemplar's first page is known) go in after the
   cover; every page gets the footer (laid out once, drawn by every page) and its number, and each page of the work
   its annotations' numbered markers; the outline and links are added, the metadata emptied, and the changes saved
   incrementally to the same file.

MuPDF keeps the document it writes in memory until it closes it (about the size of the PDF: 45 MB for 200 pages of
work); the images are never decoded, so a booklet of 200 pages peaks well under 500 MB (``benchmarks/booklet.py``).
"""

import datetime as dt
import html
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pymupdf
from pymupdf import mupdf

PAGE = pymupdf.paper_rect("a4")
MARGIN = 48
BODY = pymupdf.Rect(MARGIN, MARGIN, PAGE.width - MARGIN, PAGE.height - 60)
FOOTER = pymupdf.Rect(MARGIN, PAGE.height - 46, PAGE.width - MARGIN, PAGE.height - 20)
# Above the list of its annotations, a page's image takes at most this share of the page when it has annotations.
IMAGE_SHARE = 0.7
# Pages of work laid out by one story, their images held together: about 2 MB for eight scanned pages.
PAGES_PER_STORY = 8
# No part of a booklet runs anywhere near this long; content MuPDF can never fit would otherwise lay out pages for
# ever (until the job's time limit), so it stops the booklet instead.
MAX_STORY_PAGES = 2_000


class NeverFitsError(Exception):
    """A part of the booklet would not fit on any number of pages."""

    def __init__(self, pages: int) -> None:
        super().__init__(f"a part of the booklet still did not fit after {pages} pages")


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
    """Where things landed in the body (pages counted in the finished booklet, from 0): each exemplar's first page,
    and the markers of each page of work by the page it begins."""

    starts: list[int] = field(default_factory=list)
    marks: dict[int, list[Mark]] = field(default_factory=dict)


def write_booklet(booklet: Booklet, out: IO[bytes], read_image: ReadImage, progress: Progress) -> None:
    """Write ``booklet`` as a PDF to ``out``, reading each page's image with ``read_image(key)`` when it is drawn,
    and reporting ``progress(done, total)`` after each exemplar's summary and each page of its work."""
    with tempfile.TemporaryDirectory(prefix="booklet-") as folder:
        path = Path(folder) / "booklet.pdf"
        contents_pages = _count_pages(_contents_html(booklet, None))
        layout = _write_body(booklet, path, contents_pages, read_image, progress)
        _finish(booklet, path, contents_pages, layout)
        _copy(path, out)


def _copy(path: Path, out: IO[bytes]) -> None:
    """The written file into ``out``: by the kernel when ``out`` is a file (as the worker's temporary file is)."""
    with path.open("rb") as written:
        try:
            target = out.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            shutil.copyfileobj(written, out, 1 << 20)
            return
        out.flush()
        size, sent = os.fstat(written.fileno()).st_size, 0
        while sent < size:
            sent += os.sendfile(target, written.fileno(), sent, size - sent)
        out.seek(0, os.SEEK_END)  # the file object learns where the kernel left it


def _write_body(
    booklet: Booklet, path: Path, contents_pages: int, read_image: ReadImage, progress: Progress
) -> _Layout:
    """The cover and every exemplar, pages counted as in the finished booklet (the contents go in after the cover).

    An exemplar is one story (its summary, its pages of work and its commentary) when it has at most
    ``PAGES_PER_STORY`` pages of work, and otherwise one story per ``PAGES_PER_STORY`` of them, the summary going
    with the first and the commentary with the last: laying out a story has a fixed cost (its fonts and styles),
    which a story per part made a large share of the booklet's time."""
    total = sum(len(exemplar.pages) + 1 for exemplar in booklet.exemplars)
    done = 0
    progress(done, total)
    layout = _Layout()
    with pymupdf.DocumentWriter(str(path)) as writer:
        pages = _Pages(writer)
        pages.flow(_cover_html(booklet))
        pages.number += contents_pages
        for index, exemplar in enumerate(booklet.exemplars, 1):
            layout.starts.append(pages.number)
            chunks = [
                exemplar.pages[start : start + PAGES_PER_STORY]
                for start in range(0, len(exemplar.pages), PAGES_PER_STORY)
            ]
            for number, chunk in enumerate(chunks or [()]):
                before = _exemplar_html(index, exemplar) if number == 0 else ""
                after = _commentary_html(exemplar) if number == len(chunks or [()]) - 1 else ""
                layout.marks.update(pages.work_pages(chunk, read_image, before, after))
                done += len(chunk) + (number == 0)
                progress(done, total)
    return layout


class _Pages:
    """Pages written one after another; ``number`` counts them, from 0."""

    def __init__(self, writer: pymupdf.DocumentWriter) -> None:
        self.writer = writer
        self.number = 0

    def flow(
        self, text: str, archive: pymupdf.Archive | None = None, found: dict[str, tuple[int, Any]] | None = None
    ) -> None:
        """``text`` (HTML) on as many pages as it takes; ``found`` given, the page each element with an ``id`` begins
        on and its rectangle there, by its ``id``."""
        story = pymupdf.Story(text, user_css=CSS, archive=archive)

        def record(position: Any) -> None:
            if position.id and position.open_close & 1 and found is not None:
                found.setdefault(position.id, (position.page, position.rect))

        for _page in range(MAX_STORY_PAGES):
            device = self.writer.begin_page(PAGE)
            more, _ = story.place(BODY)
            if found is not None:
                story.element_positions(record, {"page": self.number})
            story.draw(device)
            self.writer.end_page()
            self.number += 1
            if not more:
                return
        raise NeverFitsError(MAX_STORY_PAGES)

    def work_pages(
        self, chunk: Sequence[WorkPage], read_image: ReadImage, before: str = "", after: str = ""
    ) -> dict[int, list[Mark]]:
        """``before`` (HTML), then the pages of the work, each beginning a page of its own: its image as large as
        fits above the list of its annotations, which continues on the next page if it is long; then ``after`` on
        a page of its own. Returns each page of work's markers by the page it begins.

        The pages' images are read from storage for this story and dropped with it (at most ``PAGES_PER_STORY``,
        about 2 MB of scanned pages)."""
        archive = pymupdf.Archive()
        parts, marks = [before], {}
        for number, page in enumerate(chunk):
            share = IMAGE_SHARE if page.annotations else 1.0
            frame = pymupdf.Rect(BODY.x0, BODY.y0, BODY.x1, BODY.y0 + (BODY.height - 40) * share)
            placed = _fitted(page.width, page.height, frame)
            archive.add(read_image(page.image_key), f"page-{number}.jpg")
            parts.append(
                f'<div style="page-break-before:always"><img id="work-{number}" src="page-{number}.jpg" '
                f'style="width:{placed.width:.2f}pt;height:{placed.height:.2f}pt">{_page_notes_html(page)}</div>'
            )
            marks[f"work-{number}"] = [
                Mark(_on(placed, item.box), item.number) for item in page.annotations if item.box
            ]
        if after:
            parts.append(f'<div style="page-break-before:always">{after}</div>')
        found: dict[str, tuple[int, Any]] = {}
        self.flow("".join(parts), archive, found)
        return {found[key][0]: value for key, value in marks.items()}


def _fitted(width: int, height: int, frame: pymupdf.Rect) -> pymupdf.Rect:
    """The largest rectangle of the image's proportions in ``frame``, at its top left, where a story puts an image
    that begins it."""
    scale = min(frame.width / max(width, 1), frame.height / max(height, 1))
    return pymupdf.Rect(frame.x0, frame.y0, frame.x0 + width * scale, frame.y0 + height * scale)


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
    for pages in range(1, MAX_STORY_PAGES + 1):
        more, _ = story.place(BODY)
        if not more:
            return pages
    raise NeverFitsError(MAX_STORY_PAGES)


def _finish(booklet: Booklet, path: Path, contents_pages: int, layout: _Layout) -> None:
    """The contents after the cover; the footer, page number and markers on every page; the outline and links; no
    metadata. Saved incrementally: only what changed is written again."""
    contents, rows = _contents_document(booklet, layout.starts, contents_pages)
    document = pymupdf.open(path)
    try:
        document.insert_pdf(contents, start_at=1)
        contents.close()
        _decorate(document, _footer_form(document, booklet.footer), layout.marks)
        _link_contents(document, layout.starts, rows)
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


def _contents_document(
    booklet: Booklet, starts: Sequence[int], expected_pages: int
) -> tuple[pymupdf.Document, dict[str, tuple[int, Any]]]:
    """The contents pages, laid out as counted before the body was written, and where each line landed (its page
    among the contents and its rectangle there, by the ``id`` of its first cell)."""
    written = io.BytesIO()  # a page or two of text
    rows: dict[str, tuple[int, Any]] = {}
    with pymupdf.DocumentWriter(written) as writer:
        pages = _Pages(writer)
        pages.flow(_contents_html(booklet, starts), found=rows)
    if pages.number != expected_pages:
        raise RuntimeError("the contents took a different number of pages once numbered")
    return pymupdf.open("pdf", written.getvalue()), rows


def _link_contents(document: pymupdf.Document, starts: Sequence[int], rows: dict[str, tuple[int, Any]]) -> None:
    """Each line of the contents links to its exemplar's first page, over the whole width of its row."""
    for index, start in enumerate(starts, 1):
        page, rect = rows[f"contents-{index}"]
        link = pymupdf.Rect(BODY.x0, rect[1], BODY.x1, rect[3])
        document[1 + page].insert_link({"kind": pymupdf.LINK_GOTO, "from": link, "page": start})


def _footer_form(document: pymupdf.Document, footer: str) -> int:
    """The footer's words laid out once (any script: the story picks the fonts) as a form every page draws."""
    written = io.BytesIO()
    with pymupdf.DocumentWriter(written) as writer:
        device = writer.begin_page(PAGE)
        story = pymupdf.Story(f'<p class="footer">{_e(footer)}</p>', user_css=CSS)
        story.place(pymupdf.Rect(FOOTER.x0, FOOTER.y0, FOOTER.x1 - 60, FOOTER.y1))  # the page number on its right
        story.draw(device)
        writer.end_page()
    source = pymupdf.open("pdf", written.getvalue())
    document.insert_pdf(source)  # as the last page, with its fonts, then made a form and the page dropped
    page = document[-1]
    stream = b"\n".join(document.xref_stream(xref) for xref in page.get_contents())
    _, resources = document.xref_get_key(page.xref, "Resources")
    box = f"[0 0 {PAGE.width:g} {PAGE.height:g}]"
    form = _new_object(document, f"<</Type/XObject/Subtype/Form/BBox{box}/Resources {resources}>>", stream)
    document.delete_page(-1)
    return form


def _decorate(document: pymupdf.Document, footer: int, marks: dict[int, list[Mark]]) -> None:
    """On every page: the footer and the page's number; over each page of the work, each annotation's box outlined
    with its number in a yellow square at the box's top left.

    Each page's are a form of its own (a few operators; numbers only, in Helvetica), which a stream shared by every
    page draws, bracketed by a ``q`` before the page's own content, as the writer leaves its flipped coordinates in
    force. Pages are changed through MuPDF's own calls (``pymupdf.mupdf``): ``Document.xref_set_key`` writes an
    object out as text and parses it again for every key, and with a story per page for the footer and
    ``Page.new_shape`` for the markers, decorating took longer than drawing the booklet.
    """
    pdf = mupdf.pdf_specifics(document.this)
    bold = _new_object(document, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica-Bold/Encoding/WinAnsiEncoding>>")
    regular = _new_object(document, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>")
    resources = _new_object(document, f"<</Font<</T {regular} 0 R/B {bold} 0 R>>/XObject<</F {footer} 0 R>>>>")
    form = _new_object(
        document,
        f"<</Type/XObject/Subtype/Form/BBox[0 0 {PAGE.width:g} {PAGE.height:g}]/Resources {resources} 0 R>>",
    )
    template = mupdf.pdf_load_object(pdf, form)  # copied for each page's form
    push = mupdf.pdf_new_indirect(pdf, _new_object(document, "<<>>", b"q\n"), 0)
    draw = mupdf.pdf_new_indirect(pdf, _new_object(document, "<<>>", b"\nQ q /BookletPage Do Q\n"), 0)
    height = PAGE.height  # every page's
    widths: dict[int, float] = {}  # a label's width by its number of digits, all of one width in Helvetica
    for number in range(document.page_count):
        label = f"Page {number + 1}"
        if len(label) not in widths:
            widths[len(label)] = pymupdf.get_text_length(label, fontname="helv", fontsize=8)
        right = FOOTER.x1 - widths[len(label)]
        operators = [
            "/F Do",
            f"BT 0.31 0.35 0.37 rg /T 8 Tf {right:.2f} {height - FOOTER.y0 - 10:.2f} Td ({label}) Tj ET",
        ]
        operators += _mark_operators(marks.get(number, []), height)
        buffer = mupdf.fz_new_buffer_from_copied_data("\n".join(operators).encode("ascii"))
        drawn = mupdf.pdf_add_stream(pdf, buffer, mupdf.pdf_copy_dict(template), 0)
        page = mupdf.pdf_lookup_page_obj(pdf, number)
        contents = mupdf.pdf_dict_get(page, mupdf.PDF_ENUM_NAME_Contents)
        streams = mupdf.pdf_new_array(pdf, 3)
        mupdf.pdf_array_push(streams, push)
        if mupdf.pdf_is_array(contents):
            for index in range(mupdf.pdf_array_len(contents)):
                mupdf.pdf_array_push(streams, mupdf.pdf_array_get(contents, index))
        elif mupdf.pdf_is_indirect(contents):
            mupdf.pdf_array_push(streams, contents)
        mupdf.pdf_array_push(streams, draw)
        mupdf.pdf_dict_put(page, mupdf.PDF_ENUM_NAME_Contents, streams)
        mupdf.pdf_dict_puts(_page_xobjects(page), "BookletPage", drawn)
    mupdf.pdf_delete_object(pdf, form)  # only its copies are drawn


def _page_xobjects(page: Any) -> Any:
    """The page's dictionary of named forms and images, made if it has none."""
    resources = mupdf.pdf_dict_get_inheritable(page, mupdf.PDF_ENUM_NAME_Resources)
    if not mupdf.pdf_is_dict(resources):
        resources = mupdf.pdf_dict_put_dict(page, mupdf.PDF_ENUM_NAME_Resources, 1)
    named = mupdf.pdf_dict_get(resources, mupdf.PDF_ENUM_NAME_XObject)
    if not mupdf.pdf_is_dict(named):
        named = mupdf.pdf_dict_put_dict(resources, mupdf.PDF_ENUM_NAME_XObject, 1)
    return named


def _mark_operators(marks: Sequence[Mark], height: float) -> list[str]:
    operators = [
        f"0.83 0.21 0.11 RG 1.5 w {mark.rect.x0:.2f} {height - mark.rect.y1:.2f} "
        f"{mark.rect.width:.2f} {mark.rect.height:.2f} re S"
        for mark in marks
    ]
    for mark in marks:
        label = str(mark.number)
        side = 8 + 5.2 * len(label)
        left, top = mark.rect.x0 - side / 2, mark.rect.y0 - 7
        operators.append(f"0 0 0 RG 1 0.87 0 rg 0.8 w {left:.2f} {height - top - 14:.2f} {side:.2f} 14 re B")
        operators.append(f"BT 0 0 0 rg /B 9 Tf {left + 4:.2f} {height - top - 10.5:.2f} Td ({label}) Tj ET")
    return operators


def _new_object(document: pymupdf.Document, dictionary: str, stream: bytes | None = None) -> int:
    xref = document.get_new_xref()
    document.update_object(xref, dictionary)
    if stream is not None:
        document.update_stream(xref, stream)
    return xref


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
        f'<tr><td id="contents-{index}">{index}. {_e(exemplar.heading)}</td>'
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
