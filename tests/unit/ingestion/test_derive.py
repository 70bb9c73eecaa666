"""What readers receive: no metadata, the right sizes, and redactions that hide everything under them."""

import io
from collections.abc import Callable

import pymupdf
import pytest
from PIL import Image, ImageChops, ImageStat

from moderation_hub.ingestion.derive import THUMBNAIL_LONG_EDGE, burn, decode_master, derive, encode_master
from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.geometry import Box
from moderation_hub.ingestion.jobs import process_file, redact_page
from moderation_hub.ingestion.limits import IngestLimits
from moderation_hub.ingestion.render import PAGE_LONG_EDGE, render_pages
from tests.unit.ingestion import samples

LIMITS = IngestLimits()
# JPEG header segments that carry metadata: APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC) and the rest
# of APP1-APP15, and COM (comments). APP0 (JFIF) only holds the format version and pixel density.
APP1, APP2, COM = 0xE1, 0xE2, 0xFE
METADATA_MARKERS = {*range(APP1, 0xF0), COM}
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


def upload_outputs(filename: str, data: bytes) -> dict[str, bytes]:
    """Every image the pipeline writes for an upload's pages: display image, thumbnail and master, for pages
    without redactions (the master is then the display image) and with one, and remade from the master."""
    outputs = {}
    everywhere = {index: [NAME_BOX] for index in range(LIMITS.max_pdf_pages)}
    for redactions, label in ((None, "unredacted"), (everywhere, "redacted")):
        for page in process_file(filename, data, LIMITS, redactions):
            images = {
                "display": page.redacted.derivatives.display_jpeg,
                "thumbnail": page.redacted.derivatives.thumbnail_jpeg,
                "master": page.master,
            }
            if redactions:
                remade = redact_page(page.master, page.words, [NAME_BOX]).derivatives
                images |= {"remade display": remade.display_jpeg, "remade thumbnail": remade.thumbnail_jpeg}
            outputs |= {f"page {page.index} {label} {name}": jpeg for name, jpeg in images.items()}
    return outputs


# What a metadata block leaves in the bytes of a file it is copied into, in whatever form: its JPEG header,
# PNG chunk type or XMP namespace, and the text it holds.
METADATA_TRACES = [
    b"Exif",  # the EXIF block (GPS included) of a JPEG, and the eXIf chunk's when written to one
    samples.CAMERA_MAKE.encode(),
    b"http://ns.adobe.com/xap/1.0/",
    b"adobe:ns:meta",
    b"XML:com.adobe.xmp",
    b"ICC_PROFILE",
    b"iCCP",
    samples.JPEG_COMMENT,
    b"tEXt",
    b"zTXt",
    b"iTXt",
    # the keywords and values of the text chunks, the first the pupil's name (also the EXIF artist and XMP creator)
    *(
        text.encode()
        for chunks in (samples.PNG_TEXT, samples.PNG_COMPRESSED_TEXT, samples.PNG_INTERNATIONAL_TEXT)
        for keyword, value in chunks.items()
        for text in (keyword, value)
    ),
]
UPLOADS_WITH_METADATA = [
    ("photo.jpg", samples.photo_with_every_metadata_block),
    ("scan.png", samples.scan_with_every_metadata_block),
    ("IMG_0001.HEIC", samples.heic_with_every_metadata_block),
    ("essay.pdf", samples.essay_pdf_with_metadata),
]


@pytest.mark.parametrize(("filename", "make"), UPLOADS_WITH_METADATA, ids=[row[0] for row in UPLOADS_WITH_METADATA])
def test_no_metadata_survives_into_any_image_we_write(filename: str, make: Callable[[], bytes]) -> None:
    outputs = upload_outputs(filename, make())
    # Per page: display, thumbnail and master unredacted; the same redacted, and display and thumbnail remade.
    assert len(outputs) == 8 * (2 if filename.endswith(".pdf") else 1)
    for name, jpeg in outputs.items():
        assert not header_markers(jpeg) & METADATA_MARKERS, name
        image = decoded(jpeg)
        assert not set(image.info) & METADATA_INFO_KEYS, name
        assert not image.getexif(), name
        for trace in METADATA_TRACES:
            assert trace not in jpeg, (name, trace)


def test_the_photo_carries_every_metadata_block_we_strip() -> None:
    """Each block is really there, so the test above would see it if it came through."""
    photo = samples.photo_with_every_metadata_block()
    assert {APP1, APP2, COM} <= header_markers(photo)
    for trace in (b"Exif", samples.CAMERA_MAKE.encode(), b"http://ns.adobe.com/xap/1.0/", b"ICC_PROFILE"):
        assert trace in photo
    assert samples.JPEG_COMMENT in photo
    opened = Image.open(io.BytesIO(photo))
    assert opened.getexif().get_ifd(0x8825)[2] == samples.GPS_LATITUDE
    assert opened.info["xmp"] == samples.XMP_PACKET
    assert opened.info["comment"] == samples.JPEG_COMMENT
    assert opened.info["icc_profile"]


def test_the_scan_carries_every_metadata_block_we_strip() -> None:
    scan = samples.scan_with_every_metadata_block()
    for chunk_type in (b"tEXt", b"zTXt", b"iTXt", b"iCCP", b"eXIf", b"XML:com.adobe.xmp"):
        assert chunk_type in scan
    opened = Image.open(io.BytesIO(scan))
    texts = samples.PNG_TEXT | samples.PNG_COMPRESSED_TEXT | samples.PNG_INTERNATIONAL_TEXT
    assert {keyword: opened.info[keyword] for keyword in texts} == texts
    assert opened.info["xmp"] == samples.XMP_PACKET
    assert opened.getexif().get_ifd(0x8825)[2] == samples.GPS_LATITUDE
    assert opened.info["icc_profile"]


def test_the_heic_photo_and_the_pdf_carry_metadata_we_strip() -> None:
    heic = Image.open(io.BytesIO(samples.heic_with_every_metadata_block()))
    assert heic.getexif().get_ifd(0x8825)[2] == samples.GPS_LATITUDE
    assert heic.info["xmp"] and heic.info["icc_profile"]

    essay = pymupdf.open(stream=samples.essay_pdf_with_metadata(), filetype="pdf")
    assert essay.metadata["author"] == samples.PUPIL_NAME
    assert "http://ns.adobe.com/xap/1.0/" in essay.get_xml_metadata()


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
