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
# Baseline JPEGs with libjpeg's standard Huffman tables. A progressive display image (with the optimised
# tables it requires) took 4-5 times as long to encode for 5-10 % fewer bytes, and optimised tables alone
# twice as long for 4-8 % fewer (1600 px pages, libjpeg-turbo 3): bytes, never quality, so not worth it.
_DISPLAY_QUALITY = 85
_THUMBNAIL_QUALITY = 80
# The thumbnail is first reduced by whole factors (box averages) to twice its size, then resampled:
# Pillow's choice for thumbnails, half the time of reducing to three times its size, and the same to the eye.
_THUMBNAIL_REDUCING_GAP = 2.0
# A master encoded on its own (a page redacted before its first images were made) is kept near-lossless,
# at quality 95 with full-resolution colour (no chroma subsampling).
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
    # Without redactions the caller's image is only read, so it need not be copied first.
    display = shrink(burn(image, redactions) if redactions else image, PAGE_LONG_EDGE)
    thumbnail = _thumbnail(display)
    return Derivatives(
        display_jpeg=_jpeg(display, quality=_DISPLAY_QUALITY),
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

    A page with no redactions needs no encoding of its own: its unredacted display image serves as its
    master (``jobs.process_file``).
    """
    return _jpeg(shrink(image, PAGE_LONG_EDGE), quality=_MASTER_QUALITY, subsampling=0)


def decode_master(master: bytes) -> Image.Image:
    """A master back as an RGB image, opened under the same guards as an upload."""
    image = open_image(master, FileKind.JPEG, _MASTER_LIMITS)
    return bare_copy(image)


def _thumbnail(display: Image.Image) -> Image.Image:
    if max(display.size) <= THUMBNAIL_LONG_EDGE:
        return display
    scale = THUMBNAIL_LONG_EDGE / max(display.size)
    size = (max(1, round(display.width * scale)), max(1, round(display.height * scale)))
    return display.resize(size, Image.Resampling.LANCZOS, reducing_gap=_THUMBNAIL_REDUCING_GAP)


def _jpeg(image: Image.Image, **options: object) -> bytes:
    # An RGB image with an empty ``info`` has nothing for Pillow to write back out (it would write a
    # comment it finds there, for one); any other is encoded from a ``bare_copy``, which has.
    plain = image if image.mode == "RGB" and not image.info else bare_copy(image)
    buffer = io.BytesIO()
    try:
        plain.save(buffer, format="JPEG", **options)
    except OSError as error:
        # Our own RGB pixels, written to memory: libjpeg only fails for want of memory, which Pillow
        # reports as a "broken data stream".
        raise MemoryError(f"JPEG encoding failed: {error}") from error
    return buffer.getvalue()
