"""Reading PDFs with PyMuPDF: one page at a time, as pixels and the words of the text layer.

PyMuPDF is not thread-safe and MuPDF can crash on a malformed file: call this only inside a
sandboxed worker process (``moderation_hub.ingestion.sandbox``).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pymupdf
from PIL import Image

from moderation_hub.ingestion.errors import INCOMPLETE, UnreadableError
from moderation_hub.ingestion.geometry import Word
from moderation_hub.ingestion.limits import IngestLimits

# MuPDF reports what it repairs on stderr; our refusals say what matters to the uploader.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

# A PDF ends with "%%EOF"; readers accept it anywhere in the last kilobyte. MuPDF "repairs" a file
# cut short and shows whatever pages survive, so without this check a half-uploaded PDF would pass.
_END_MARK = b"%%EOF"


def check_pdf(data: bytes, limits: IngestLimits) -> int:
    """The number of pages of a PDF we can show, or UnreadableError saying why we cannot.

    Pages are loaded (cheap) but not drawn (costly): a page that only fails when drawn is found later.
    """
    with open_pdf(data, limits) as document:
        for number in range(document.page_count):
            _load_page(document, number)
        return document.page_count


def open_pdf(data: bytes, limits: IngestLimits) -> pymupdf.Document:
    """The document, once it is known to be complete, unlocked and within the page limit."""
    if _END_MARK not in data[-1024:]:
        raise UnreadableError(INCOMPLETE)
    with _mupdf_errors("is damaged and cannot be read as a PDF"):
        document = pymupdf.open(stream=data, filetype="pdf")
    try:
        _check_openable(document, limits)
    except UnreadableError:
        document.close()
        raise
    return document


def iter_pages(data: bytes, limits: IngestLimits, long_edge: int) -> Iterator[tuple[Image.Image, list[Word]]]:
    """Each page in turn, rendered so its longer side is ``long_edge`` pixels, with its words.

    Only one page's pixels exist at a time.
    """
    with open_pdf(data, limits) as document:
        for number in range(document.page_count):
            page = _load_page(document, number)
            with _mupdf_errors(_damaged_page(number)):
                rendered = _render(page, long_edge), _words(page)
            yield rendered


def _load_page(document: pymupdf.Document, number: int) -> pymupdf.Page:
    with _mupdf_errors(_damaged_page(number)):
        page = document.load_page(number)
    if page.rect.is_empty:
        raise UnreadableError(f"has a page with no size (page {number + 1})")
    return page


def _damaged_page(number: int) -> str:
    return f"has a damaged page that cannot be shown (page {number + 1})"


@contextmanager
def _mupdf_errors(reason: str) -> Iterator[None]:
    """MuPDF's complaints about the file become ``reason``; its failed allocations stay memory errors."""
    try:
        yield
    except pymupdf.mupdf.FzErrorSystem as error:
        # On a document held in memory, MuPDF's only system error is a failed allocation.
        raise MemoryError(str(error)) from error
    except (RuntimeError, pymupdf.mupdf.FzErrorBase) as error:
        raise UnreadableError(reason) from error


def _check_openable(document: pymupdf.Document, limits: IngestLimits) -> None:
    if document.needs_pass:
        raise UnreadableError("is protected by a password; save a copy without the password and upload that")
    if document.page_count == 0:
        raise UnreadableError("has no pages")
    if document.page_count > limits.max_pdf_pages:
        raise UnreadableError(
            f"has {document.page_count} pages, more than the {limits.max_pdf_pages} we accept in one PDF; "
            "split it into smaller files"
        )


def _render(page: pymupdf.Page, long_edge: int) -> Image.Image:
    # Render straight at the size we keep: drawing larger and shrinking would cost memory for nothing.
    zoom = long_edge / max(page.rect.width, page.rect.height)
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csRGB, alpha=False)
    return Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)


def _words(page: pymupdf.Page) -> list[Word]:
    """The page's words, placed on the page as it is shown (rotation applied), relative to its size."""
    width, height = page.rect.width, page.rect.height
    words = []
    for x0, y0, x1, y1, text, *_ in page.get_text("words"):
        # Text coordinates are given on the unrotated page; the rotation matrix puts them where they show.
        shown = pymupdf.Rect(x0, y0, x1, y1) * page.rotation_matrix
        if shown.x1 <= 0 or shown.y1 <= 0 or shown.x0 >= width or shown.y0 >= height:
            continue  # printed off the page, so never seen
        words.append(
            Word(
                text,
                _fraction(shown.x0, width),
                _fraction(shown.y0, height),
                _fraction(shown.x1, width),
                _fraction(shown.y1, height),
            )
        )
    return words


def _fraction(value: float, size: float) -> float:
    return min(max(value / size, 0.0), 1.0)
