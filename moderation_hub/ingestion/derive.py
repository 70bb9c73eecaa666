"""What readers receive: JPEGs with the redactions burned in and no metadata; and the private master.

Redactions are drawn into the pixels before anything is scaled or encoded, so no derivative holds a
trace of what lies under a box: the output depends only on the pixels outside the boxes.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.geometry import Box
from moderation_hub.ingestion.images import bare_copy, open_image, shrink
from moderation_hub.ingestion.limits import IngestLimits
from moderation_hub.ingestion.render import PAGE_LONG_EDGE

THUMBNAIL_LONG_EDGE = 240
_DISPLAY_QUALITY = 85
_THUMBNAIL_QUALITY = 80
# The master is the source of every later re-derivation, never shown: kept near-lossless, at quality 95
# with full-resolution colour (no chroma subsampling).
_MASTER_QUALITY = 95
_MASTER_LIMITS = IngestLimits(max_image_pixels=PAGE_LONG_EDGE * PAGE_LONG_EDGE)


@dataclass(frozen=True, slots=True)
class Derivatives:
    """The images readers see; ``width`` and ``height`` are the display image's."""

    display_jpeg: bytes
    thumbnail_jpeg: bytes
    width: int
    height: int


def derive(image: Image.Image, redactions: Sequence[Box]) -> Derivatives:
    """The display image (longer side at most 1600 px) and thumbnail (240 px), redactions burned in."""
    display = shrink(burn(image, redactions), PAGE_LONG_EDGE)
    thumbnail = shrink(display, THUMBNAIL_LONG_EDGE)
    return Derivatives(
        display_jpeg=_jpeg(display, quality=_DISPLAY_QUALITY, progressive=True),
        thumbnail_jpeg=_jpeg(thumbnail, quality=_THUMBNAIL_QUALITY),
        width=display.width,
        height=display.height,
    )


def burn(image: Image.Image, redactions: Sequence[Box]) -> Image.Image:
    """An RGB copy with every box filled pure black; the caller's image is left as it was."""
    redacted = bare_copy(image)
    draw = ImageDraw.Draw(redacted)
    for box in redactions:
        left, top, right, bottom = box.to_pixels(redacted.width, redacted.height)
        draw.rectangle((left, top, right - 1, bottom - 1), fill=(0, 0, 0))
    return redacted


def encode_master(image: Image.Image) -> bytes:
    """The unredacted page, without metadata, to keep in private storage and re-derive from.

    About 1 MB for a photographed page and 0.5 MB for a rendered PDF page at 1600 px. JPEG rather
    than PNG: a photographed page is 2.4 times smaller and encodes ten times faster, and the display
    image derived from it is as good as one derived from lossless pixels (tested).
    """
    return _jpeg(shrink(image, PAGE_LONG_EDGE), quality=_MASTER_QUALITY, subsampling=0)


def decode_master(master: bytes) -> Image.Image:
    """A master back as an RGB image, opened under the same guards as an upload."""
    image = open_image(master, FileKind.JPEG, _MASTER_LIMITS)
    return bare_copy(image)


def _jpeg(image: Image.Image, **options: object) -> bytes:
    # ``bare_copy`` empties ``info``: Pillow would otherwise write a comment it finds there back out.
    buffer = io.BytesIO()
    try:
        bare_copy(image).save(buffer, format="JPEG", optimize=True, **options)
    except OSError as error:
        # Our own RGB pixels, written to memory: libjpeg only fails for want of memory, which Pillow
        # reports as a "broken data stream".
        raise MemoryError(f"JPEG encoding failed: {error}") from error
    return buffer.getvalue()
