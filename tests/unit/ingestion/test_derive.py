"""What readers receive: no metadata, the right sizes, and redactions that hide everything under them."""

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops, ImageStat

from moderation_hub.ingestion.derive import THUMBNAIL_LONG_EDGE, burn, decode_master, derive, encode_master
from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.geometry import Box
from moderation_hub.ingestion.limits import IngestLimits
from moderation_hub.ingestion.render import PAGE_LONG_EDGE, render_pages
from tests.unit.ingestion import samples

LIMITS = IngestLimits()
# JPEG header segments that carry metadata: APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC) and the rest
# of APP1-APP15, and COM (comments). APP0 (JFIF) only holds the format version and pixel density.
METADATA_MARKERS = {*range(0xE1, 0xF0), 0xFE}
METADATA_INFO_KEYS = {"exif", "icc_profile", "comment", "xmp", "photoshop", "XML:com.adobe.xmp"}
# A redaction box big enough to hold whole JPEG blocks even in the thumbnail.
NAME_BOX = Box(0.2, 0.1, 0.6, 0.4)
# JPEG codes pixels in 16 x 16 blocks (8 x 8 with colour at half resolution); a block that straddles
# the box edge rings with the bright paper outside. Past one block from the edge, the box is black.
JPEG_BLOCK = 16


def header_markers(jpeg: bytes) -> set[int]:
    """The marker codes of a JPEG's segments before its image data."""
    markers, position = set(), 2
    while jpeg[position + 1] != 0xDA:  # start of scan: the pixels follow
        markers.add(jpeg[position + 1])
        position += 2 + int.from_bytes(jpeg[position + 2 : position + 4], "big")
    return markers


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg), formats=["JPEG"])
    image.load()
    return image


def upload_outputs(kind: FileKind, data: bytes) -> dict[str, bytes]:
    (page,) = render_pages(data, kind, LIMITS)
    derivatives = derive(page.image, [NAME_BOX])
    return {
        "display": derivatives.display_jpeg,
        "thumbnail": derivatives.thumbnail_jpeg,
        "master": encode_master(page.image),
    }


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        (FileKind.JPEG, samples.landscape_photo),
        (FileKind.PNG, samples.png_with_metadata),
        (FileKind.HEIC, samples.heic_photo),
    ],
)
def test_no_metadata_survives_into_any_image_we_write(kind: FileKind, make: Callable[[], bytes]) -> None:
    for name, jpeg in upload_outputs(kind, make()).items():
        assert not header_markers(jpeg) & METADATA_MARKERS, name
        assert not set(decoded(jpeg).info) & METADATA_INFO_KEYS, name
        for trace in (b"Exif\x00\x00", b"ICC_PROFILE", b"http://ns.adobe.com", samples.PUPIL_NAME.encode()):
            assert trace not in jpeg, (name, trace)


def test_the_source_files_did_carry_the_metadata_we_strip() -> None:
    photo = Image.open(io.BytesIO(samples.landscape_photo()))
    assert photo.getexif().get_ifd(0x8825)[2] == samples.GPS_LATITUDE
    assert photo.info["comment"] == samples.JPEG_COMMENT
    scan = Image.open(io.BytesIO(samples.png_with_metadata()))
    assert {"Author", "Comment", "Description", "icc_profile"} <= set(scan.info)


def test_display_and_thumbnail_sizes() -> None:
    derivatives = derive(Image.new("RGB", (3200, 2400), "white"), [])
    assert (derivatives.width, derivatives.height) == (PAGE_LONG_EDGE, 1200)
    assert decoded(derivatives.display_jpeg).size == (1600, 1200)
    assert decoded(derivatives.thumbnail_jpeg).size == (THUMBNAIL_LONG_EDGE, 180)


def test_a_redacted_region_is_black_in_the_display_image_and_the_thumbnail() -> None:
    derivatives = derive(samples.noise_page((200, 30, 30), size=(1131, 1600)), [NAME_BOX])
    for jpeg in (derivatives.display_jpeg, derivatives.thumbnail_jpeg):
        image = decoded(jpeg)
        left, top, right, bottom = NAME_BOX.to_pixels(*image.size)
        inside = image.crop((left + JPEG_BLOCK, top + JPEG_BLOCK, right - JPEG_BLOCK, bottom - JPEG_BLOCK))
        assert max(high for _, high in inside.getextrema()) <= 8
        near_edges = image.crop((left + 2, top + 2, right - 2, bottom - 2))
        assert max(ImageStat.Stat(near_edges).mean) < 4


def test_nothing_under_a_redaction_reaches_the_derivatives() -> None:
    """Two pages that differ only inside the box give byte-for-byte the same images."""
    page = samples.noise_page((30, 30, 200))
    other = page.copy()
    left, top, right, bottom = NAME_BOX.to_pixels(*page.size)
    other.paste(samples.noise_page((220, 0, 0)).crop((left, top, right, bottom)), (left, top))
    assert ImageChops.difference(page, other).getbbox() is not None
    assert derive(page, [NAME_BOX]) == derive(other, [NAME_BOX])


def test_burning_leaves_the_callers_image_alone() -> None:
    page = samples.noise_page((30, 30, 200))
    before = page.tobytes()
    burn(page, [NAME_BOX])
    assert page.tobytes() == before


@pytest.mark.parametrize("redactions", [[], [NAME_BOX]])
def test_deriving_leaves_the_callers_image_alone(redactions: list[Box]) -> None:
    page = samples.noise_page((30, 30, 200))
    page.info["comment"] = b"kept"
    before = page.tobytes()
    derive(page, redactions)
    assert (page.tobytes(), page.info) == (before, {"comment": b"kept"})


def test_metadata_left_on_the_pixels_is_not_written_out() -> None:
    """Pages come without metadata; if one ever came with some, the images would still carry none."""
    page = samples.noise_page((30, 30, 200), size=(1131, 1600))
    page.info.update(comment=samples.JPEG_COMMENT, dpi=(300, 300))
    derivatives = derive(page, [])
    for jpeg in (derivatives.display_jpeg, derivatives.thumbnail_jpeg):
        assert not header_markers(jpeg) & METADATA_MARKERS
        assert samples.PUPIL_NAME.encode() not in jpeg


def test_the_master_is_unredacted_and_as_good_as_the_pixels_it_came_from() -> None:
    (page,) = render_pages(samples.landscape_photo(), FileKind.JPEG, LIMITS)
    master = decode_master(encode_master(page.image))
    assert master.size == page.image.size
    from_master = decoded(derive(master, []).display_jpeg)
    from_pixels = decoded(derive(page.image, []).display_jpeg)
    assert max(ImageStat.Stat(ImageChops.difference(from_master, from_pixels)).mean) < 1.0
