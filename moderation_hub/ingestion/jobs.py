"""The functions a worker runs in the sandbox: one uploaded file per call, its pages streamed back.

``process_file`` is a generator: run it with ``sandbox.iter_isolated`` and store each page before
taking the next (the child makes the next page meanwhile). A page crosses the pipe as its JPEGs and
its words (about 0.7 MB for a photo, 0.35 MB for a scanned A4 page), so neither process ever holds
more than one page or two, whatever the number of pages in the file.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pymupdf
from PIL import Image

from moderation_hub.ingestion.derive import Derivatives, decode_master, derive, encode_master
from moderation_hub.ingestion.errors import rejecting
from moderation_hub.ingestion.geometry import Box, Word
from moderation_hub.ingestion.inspect import identify
from moderation_hub.ingestion.limits import IngestLimits
from moderation_hub.ingestion.render import render_pages
from moderation_hub.ingestion.text import text_outside


@dataclass(frozen=True, slots=True)
class RedactedPage:
    """What readers may see of a page, with the redactions applied.

    ``words`` are the words of ``text`` with their places on the page, to highlight search hits.
    """

    derivatives: Derivatives
    text: str
    words: list[Word]


@dataclass(frozen=True, slots=True)
class ProcessedPage:
    """One page of an upload.

    ``master`` (unredacted JPEG, no metadata) and ``words`` (every word, the pupil's name included)
    are for private storage only: they let redactions be changed later without the original upload.
    For a page without redactions, ``master`` holds the same bytes as the display image.
    """

    index: int
    redacted: RedactedPage
    master: bytes
    words: list[Word]


def process_file(
    filename: str,
    data: bytes,
    limits: IngestLimits,
    redactions_by_page: Mapping[int, Sequence[Box]] | None = None,
) -> Iterator[ProcessedPage]:
    """Yield each page of the upload, checking it as ``inspect_file`` does while it renders.

    The type is decided here again, from the content. Raises ``RejectedFile`` for a bad file,
    including a PDF page that cannot be drawn. Pages come without redactions unless
    ``redactions_by_page`` (page index to boxes) is given.
    """
    kind = identify(filename, data, limits)
    with rejecting(filename):
        for page in render_pages(data, kind, limits):
            _forget_decoded_pictures()
            redactions = (redactions_by_page or {}).get(page.index, ())
            redacted = _redacted(page.image, page.words, redactions)
            yield ProcessedPage(
                index=page.index,
                redacted=redacted,
                master=_master(page.image, redacted.derivatives, redactions),
                words=page.words,
            )


def redact_page(master: bytes, words: Sequence[Word], redactions: Sequence[Box]) -> RedactedPage:
    """A page's derivatives and searchable text again, from its master, with ``redactions`` applied.

    Needs no PyMuPDF and only reads a JPEG we wrote, so it may also run outside the sandbox.
    """
    return _redacted(decode_master(master), words, redactions)


def _forget_decoded_pictures() -> None:
    """Empty MuPDF's store of decoded pictures and fonts, which it keeps (up to 256 MB) for later pages.

    Each page of a scanned PDF has a picture of its own, about 12 MB decoded: the store filled up over
    a long scan and made the child 260 MB larger, for nothing, as no page is drawn twice. Emptying it
    after each page keeps the child's size flat whatever the number of pages, at no measurable cost
    (a text PDF's fonts are read again for each page). No effect for photos.
    """
    pymupdf.TOOLS.store_shrink(100)


def _master(image: Image.Image, derivatives: Derivatives, redactions: Sequence[Box]) -> bytes:
    """The page's master: without redactions, the display image, which is then the unredacted page.

    It has the master's size and no metadata, and a display image made again from it (with new
    redactions) differs from the first by less than a grey level on average, less than one made from
    a quality-95 master (tested): JPEG at the same quality on the same block grid gives back nearly the
    same coefficients. So the page is encoded once, not twice (a quality-95 encoding took a sixth of a
    page's work), and its master takes half the space.
    """
    if not redactions:
        return derivatives.display_jpeg
    return encode_master(image)


def _redacted(image: Image.Image, words: Sequence[Word], redactions: Sequence[Box]) -> RedactedPage:
    text, kept = text_outside(words, redactions)
    return RedactedPage(derive(image, redactions), text, kept)
