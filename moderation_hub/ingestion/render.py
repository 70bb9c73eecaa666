"""Every page of an upload as an upright RGB image with its words, one page at a time."""

from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

from moderation_hub.ingestion import images, pdf
from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.geometry import Word
from moderation_hub.ingestion.limits import IngestLimits

# Pages are rendered, kept and shown at this many pixels on the longer side: enough to read handwriting
# on an A4 page (about 190 dpi), small enough that a page needs under 6 MB of memory.
PAGE_LONG_EDGE = 1600


@dataclass(slots=True)
class RenderedPage:
    """One page: ``image`` is RGB, upright and metadata-free; ``words`` is empty for photos and scans."""

    index: int
    image: Image.Image
    words: list[Word]


def render_pages(
    data: bytes, kind: FileKind, limits: IngestLimits, long_edge: int = PAGE_LONG_EDGE
) -> Iterator[RenderedPage]:
    """Yield the pages in order. Let each go before taking the next: only then is one page in memory."""
    if kind is FileKind.PDF:
        for index, (image, words) in enumerate(pdf.iter_pages(data, limits, long_edge)):
            yield RenderedPage(index, image, words)
    else:
        yield RenderedPage(0, images.load_image(data, kind, limits, long_edge), [])
