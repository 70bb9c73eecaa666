"""Reading photos and scans with Pillow: only the formats we accept, and never an oversized image.

An image's size is checked against our pixel cap as soon as its header is read, before any pixel is
decoded. Pillow's own decompression-bomb guard (89 million pixels, far above our cap) stays as a
second line, made to raise instead of warn for the whole process.
"""

import importlib
import io
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pillow_heif
from PIL import Image, ImageCms, ImageFile, ImageOps

from moderation_hub.ingestion.errors import INCOMPLETE, UnreadableError
from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.jpeg import check_jpeg_structure
from moderation_hub.ingestion.limits import IngestLimits

_PILLOW_FORMAT = {FileKind.JPEG: "JPEG", FileKind.PNG: "PNG", FileKind.HEIC: "HEIF"}
# What Pillow and its plugins raise on damaged or cut-off data.
_DAMAGE = (OSError, SyntaxError, ValueError, EOFError, struct.error)
# Every PNG ends with an IEND chunk; Pillow itself accepts a file cut off just before it.
_PNG_END = b"IEND"
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
# Embedded thumbnails, depth maps and other auxiliary images are never shown, so never decoded; one
# decoding thread keeps a worker's memory and CPU time within its job's limits.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False, decode_threads=1)
# Pillow imports its common format plugins on the first open, and the TIFF plugin on the first EXIF
# read. Importing them now puts them in the sandbox's forkserver, which preloads this module, so no
# sandboxed child spends some 12 ms importing them again (two children per uploaded photo).
Image.preinit()
importlib.import_module("PIL.TiffImagePlugin")


def check_image(data: bytes, kind: FileKind, limits: IngestLimits) -> None:
    """Refuse at upload an image that is too large, cut off or damaged.

    A JPEG's structure and size are read from its bytes alone (``jpeg``), in time bounded by its size, so
    its check may run in a web thread; damage the structure does not show fails the file in the worker.
    PNG and HEIC images, rarer and smaller, are decoded in full: in the sandbox only.
    """
    if kind is FileKind.JPEG:
        _check_pixels(check_jpeg_structure(data), limits)
        return
    with _reading(kind):
        open_image(data, kind, limits).load()


def load_image(data: bytes, kind: FileKind, limits: IngestLimits, long_edge: int) -> Image.Image:
    """The picture as the reader should see it: upright, opaque, sRGB, at most ``long_edge`` pixels.

    The result carries no metadata at all: no EXIF (so no GPS), no ICC profile, no comments.
    """
    with _reading(kind):
        image = open_image(data, kind, limits)
        scale = min(1.0, long_edge / max(image.size))
        # JPEG decodes straight to a smaller size (1/2, 1/4, 1/8): a 12 MP photo never exists in full.
        image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
        # From here on each step changes the image in place or replaces it, and the one before is let
        # go: a photo's pixels are never copied for nothing (each copy cost a sandboxed child 8 MB of
        # fresh memory and about 10 ms).
        image = shrink(image, long_edge)
        ImageOps.exif_transpose(image, in_place=True)
        return _plain_srgb(image)


def open_image(data: bytes, kind: FileKind, limits: IngestLimits) -> ImageFile.ImageFile:
    """Open (headers only) with the one Pillow format that ``kind`` names, refusing oversized images
    and cut-off or broken files that can be recognised without decoding."""
    if kind is FileKind.PNG and _PNG_END not in data[-1024:]:
        raise UnreadableError(INCOMPLETE)
    if kind is FileKind.JPEG:
        _check_pixels(check_jpeg_structure(data), limits)
    try:
        image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[kind]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(limits) from None
    except Image.UnidentifiedImageError as error:
        raise UnreadableError(f"is damaged and cannot be read as a {kind.label} image") from error
    _check_pixels(image.size, limits)
    return image


def shrink(image: Image.Image, long_edge: int) -> Image.Image:
    """The image scaled down so its longer side is ``long_edge``; never scaled up."""
    if max(image.size) <= long_edge:
        return image
    scale = long_edge / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def bare_copy(image: Image.Image) -> Image.Image:
    """An RGB copy carrying no metadata, so no encoder can write any back out."""
    copy = image.convert("RGB") if image.mode != "RGB" else image.copy()
    copy.info.clear()
    return copy


@contextmanager
def _reading(kind: FileKind) -> Iterator[None]:
    try:
        yield
    except _DAMAGE as error:
        raise UnreadableError(f"is damaged or incomplete and cannot be read as a {kind.label} image") from error


def _check_pixels(size: tuple[int, int], limits: IngestLimits) -> None:
    if size[0] * size[1] > limits.max_image_pixels:
        raise _too_many_pixels(limits, size)


def _too_many_pixels(limits: IngestLimits, size: tuple[int, int] | None = None) -> UnreadableError:
    cap = f"{limits.max_image_pixels / 1e6:g} megapixels"
    measured = f"is {size[0]} by {size[1]} pixels, more than" if size else "has more pixels than"
    return UnreadableError(
        f"{measured} the {cap} we accept; take the photo at a lower resolution or scan at 300 dpi or less"
    )


def _plain_srgb(image: Image.Image) -> Image.Image:
    """8-bit RGB in sRGB with no metadata: what browsers show correctly without a colour profile.

    ``image`` is ours to change: ``load_image`` made it, and nobody else holds it.
    """
    icc_profile = image.info.get("icc_profile")
    image = _opaque(image)
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            image = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile we cannot use: the pixels as they are look nearly right
    if image.mode != "RGB" or isinstance(image, ImageFile.ImageFile):
        # A converted image, or a plain one for an image still tied to its file (a small upload that
        # needed no resizing or turning), which keeps what it read from the file outside ``info``.
        return bare_copy(image)
    image.info.clear()  # so no encoder can write any metadata back out
    return image


def _opaque(image: Image.Image) -> Image.Image:
    """Transparent areas on white paper (Pillow would make them black), and 16-bit grey to 8-bit."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        paper.alpha_composite(rgba)
        return paper.convert("RGB")
    if image.mode.startswith("I"):
        # Pillow clips 16-bit values to 255 when converting; scale them instead.
        return image.convert("I").point(lambda value: value / 256).convert("L")
    return image
