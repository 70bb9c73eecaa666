"""The functions a worker runs in the sandbox: one uploaded file per call, its pages streamed back.

``process_file`` is a generator: run it with ``sandbox.iter_isolated`` and store each page before
taking the next. A page crosses the pipe as a few JPEGs and its words (about 1.3 MB for a photo), so
neither process ever holds more than one page, whatever the number of pages in the file.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

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
            yield ProcessedPage(
                index=page.index,
                redacted=_redacted(page.image, page.words, (redactions_by_page or {}).get(page.index, ())),
                master=encode_master(page.image),
                words=page.words,
            )


def redact_page(master: bytes, words: Sequence[Word], redactions: Sequence[Box]) -> RedactedPage:
    """A page's derivatives and searchable text again, from its master, with ``redactions`` applied.

    Needs no PyMuPDF and only reads a JPEG we wrote, so it may also run outside the sandbox.
    """
    return _redacted(decode_master(master), words, redactions)


def _redacted(image: Image.Image, words: Sequence[Word], redactions: Sequence[Box]) -> RedactedPage:
    text, kept = text_outside(words, redactions)
    return RedactedPage(derive(image, redactions), text, kept)
