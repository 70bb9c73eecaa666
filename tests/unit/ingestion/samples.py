"""Test files made in code: pupils' work as teachers upload it, and the broken files they sometimes do.

Each generator returns the file's bytes, made once per test run (bytes cannot be changed, so tests
may share them). Sizes are kept small so the whole suite stays fast; the shapes (a landscape-stored
photo with EXIF orientation 6, a text layer with the pupil's name at a known place) are the real ones.
"""

import io
import struct
import zlib
from functools import cache

import pillow_heif
import pymupdf
from PIL import Image, ImageCms, ImageDraw, PngImagePlugin

A4 = pymupdf.paper_rect("a4")
PUPIL_NAME = "Amy Jones"
# Where the name line is printed on the first page of ``essay_pdf`` (points from the top left).
NAME_ORIGIN = (72, 90)
NAME_FONT_SIZE = 16
MARKER = (255, 0, 0)
GPS_LATITUDE = (51.0, 30.0, 12.34)
JPEG_COMMENT = b"Scanned for Amy Jones, Year 6"
CAMERA_MAKE = "PhoneMaker"
# An XMP packet as photo and scanning apps write it: the pupil's name as the creator.
XMP_PACKET = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    f' xmp:CreatorTool="ClassScan"><dc:creator><rdf:Seq><rdf:li>{PUPIL_NAME}</rdf:li></rdf:Seq></dc:creator>'
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
).encode()
# The text chunks of ``scan_with_every_metadata_block``, by chunk type: keyword to value.
PNG_TEXT = {"Author": PUPIL_NAME, "Comment": "Scanned at Riverside Primary"}
PNG_COMPRESSED_TEXT = {"Software": "ClassScan for Riverside Primary, class 6B"}
PNG_INTERNATIONAL_TEXT = {"Description": "Year 6 writing, Amy Jones"}


@cache
def essay_pdf() -> bytes:
    """Two A4 pages with a text layer: the pupil's name at the top and in the body of page one."""
    document = pymupdf.open()
    first = document.new_page(width=A4.width, height=A4.height)
    first.insert_text(NAME_ORIGIN, f"Name: {PUPIL_NAME}", fontsize=NAME_FONT_SIZE)
    body = [
        "My holiday by the sea was the best week of the year.",
        f"On Monday {PUPIL_NAME} and her brother built a sandcastle.",
        "The tide came in and washed the moat away, so we started again.",
    ]
    for line_number, line in enumerate(body):
        first.insert_text((72, 160 + 24 * line_number), line, fontsize=12)
    second = document.new_page(width=A4.width, height=A4.height)
    second.insert_text((72, 100), "Page two has no name on it, only the ending of the story.", fontsize=12)
    return document.tobytes()


@cache
def name_across_lines_pdf() -> bytes:
    """One page where the pupil's first name ends a line and the surname starts the next."""
    document = pymupdf.open()
    page = document.new_page(width=A4.width, height=A4.height)
    page.insert_text((72, 100), "This story was written by Amy", fontsize=12)
    page.insert_text((72, 120), "Jones in Year 6.", fontsize=12)
    return document.tobytes()


@cache
def rotated_pdf() -> bytes:
    """A landscape-displayed page: stored portrait and turned by the /Rotate key."""
    document = pymupdf.open()
    page = document.new_page(width=A4.width, height=A4.height)
    page.insert_text(NAME_ORIGIN, f"Name: {PUPIL_NAME}", fontsize=NAME_FONT_SIZE)
    page.set_rotation(90)
    return document.tobytes()


@cache
def blank_pdf(page_count: int) -> bytes:
    document = pymupdf.open()
    for _ in range(page_count):
        document.new_page(width=A4.width, height=A4.height)
    return document.tobytes()


@cache
def scanned_pdf(page_count: int) -> bytes:
    """Pages that are each one large picture of their own (12 MB once decoded), as a scanner makes them."""
    document = pymupdf.open()
    for number in range(page_count):
        picture = io.BytesIO()
        Image.new("RGB", (1600, 2500), (250, 250 - number, 240)).save(picture, "JPEG")
        page = document.new_page(width=A4.width, height=A4.height)
        page.insert_image(page.rect, stream=picture.getvalue())
    return document.tobytes()


@cache
def slow_pdf() -> bytes:
    """A 23 KB page that takes MuPDF minutes to draw: 400,000 page-sized fills in one content stream."""
    document = pymupdf.open()
    page = document.new_page(width=A4.width, height=A4.height)
    page.insert_text((72, 72), "Draw me")
    fills = b"10 10 500 700 re f 20 20 400 600 re f " * 200_000
    document.update_stream(page.get_contents()[0], b"q 0.5 g " + fills + b"Q", compress=True)
    return document.tobytes(deflate=True)


@cache
def memory_hungry_pdf() -> bytes:
    """One small page holding a 6000 x 6000 photo: MuPDF decodes all 36 million pixels (108 MB) to draw it."""
    document = pymupdf.open()
    page = document.new_page(width=500, height=500)
    photo = io.BytesIO()
    Image.new("RGB", (6000, 6000), "white").save(photo, "JPEG")
    page.insert_image(page.rect, stream=photo.getvalue())
    return document.tobytes()


@cache
def encrypted_pdf() -> bytes:
    document = pymupdf.open(stream=essay_pdf(), filetype="pdf")
    return document.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pupil", owner_pw="teacher")


@cache
def permissions_only_pdf() -> bytes:
    """Encrypted only to restrict printing: it opens without a password, as in every PDF reader."""
    document = pymupdf.open(stream=essay_pdf(), filetype="pdf")
    return document.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="teacher", permissions=0)


def zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty (PyMuPDF refuses to write one, so it is written here)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    body = b"%PDF-1.7\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def corrupt_pdf() -> bytes:
    return b"%PDF-1.7\n" + b"\x00\x17garbled scanner output\x93" * 40 + b"\n%%EOF\n"


def jpeg_with_noise_for_a_picture() -> bytes:
    """A photo's headers followed by bytes that cannot be JPEG picture data, as a botched copy leaves."""
    photo = landscape_photo()
    scan = photo.index(b"\xff\xda") + 20
    return photo[:scan] + bytes((i * 37 + 11) % 256 for i in range(4096)) + b"\xff\xd9"


def jpeg_with_a_bad_table() -> bytes:
    """A whole JPEG whose Huffman table promises more codes than there can be: its structure is sound,
    but no decoder can read its picture, so only decoding it finds the damage."""
    photo = landscape_photo()
    table = photo.index(b"\xff\xc4") + 5  # after the marker, the length and the table's class and id
    return photo[:table] + b"\xff" * 16 + photo[table + 16 :]


def truncated(data: bytes) -> bytes:
    """The first half of a file, as an interrupted upload leaves it."""
    return data[: len(data) // 2]


@cache
def landscape_photo(size: tuple[int, int] = (2400, 1800), orientation: int = 6) -> bytes:
    """A JPEG stored landscape with EXIF orientation (6: turn 90° clockwise to show), GPS and a comment.

    A red block marks the stored top left corner, which orientation 6 shows at the top right.
    """
    image = _lined_paper(size)
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 10, size[1] // 10), fill=MARKER)
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif, comment=JPEG_COMMENT)
    return buffer.getvalue()


@cache
def png_with_metadata(size: tuple[int, int] = (1200, 1600)) -> bytes:
    """A scan saved as PNG with text chunks (author, comment), an ICC profile and a transparent margin."""
    image = _lined_paper(size).convert("RGBA")
    ImageDraw.Draw(image).rectangle((0, 0, size[0] - 1, 40), fill=(0, 0, 0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", PUPIL_NAME)
    info.add_text("Comment", "Scanned at Riverside Primary")
    info.add_itxt("Description", "Year 6 writing, Amy Jones", lang="en")
    icc_profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, icc_profile=icc_profile)
    return buffer.getvalue()


@cache
def heic_photo(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """An iPhone-style HEIC with EXIF (GPS included)."""
    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE}
    buffer = io.BytesIO()
    _lined_paper(size).save(buffer, "HEIF", quality=70, exif=exif.tobytes())
    return buffer.getvalue()


@cache
def photo_with_every_metadata_block(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A phone photo (orientation 6) with EXIF and GPS (APP1), XMP (APP1), an ICC profile (APP2) and a comment."""
    buffer = io.BytesIO()
    _lined_paper(size).save(
        buffer, "JPEG", exif=_camera_exif(), xmp=XMP_PACKET, icc_profile=_srgb_profile(), comment=JPEG_COMMENT
    )
    return buffer.getvalue()


@cache
def scan_with_every_metadata_block(size: tuple[int, int] = (1200, 1600)) -> bytes:
    """A PNG scan with tEXt, zTXt and iTXt chunks, XMP (an iTXt chunk), an ICC profile (iCCP) and EXIF (eXIf)."""
    info = PngImagePlugin.PngInfo()
    for keyword, value in PNG_TEXT.items():
        info.add_text(keyword, value)
    for keyword, value in PNG_COMPRESSED_TEXT.items():
        info.add_text(keyword, value, zip=True)
    for keyword, value in PNG_INTERNATIONAL_TEXT.items():
        info.add_itxt(keyword, value, lang="en")
    info.add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode())
    buffer = io.BytesIO()
    _lined_paper(size).save(buffer, "PNG", pnginfo=info, icc_profile=_srgb_profile(), exif=_camera_exif())
    return buffer.getvalue()


@cache
def heic_with_every_metadata_block(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """An iPhone-style HEIC with EXIF (GPS included), XMP and an ICC profile."""
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    _lined_paper(size).save(
        buffer, "HEIF", quality=70, exif=_camera_exif().tobytes(), xmp=XMP_PACKET, icc_profile=_srgb_profile()
    )
    return buffer.getvalue()


@cache
def essay_pdf_with_metadata() -> bytes:
    """The essay with the pupil's name in its document information and its XMP metadata stream."""
    document = pymupdf.open(stream=essay_pdf(), filetype="pdf")
    document.set_metadata({"author": PUPIL_NAME, "title": f"{PUPIL_NAME}'s holiday", "creator": CAMERA_MAKE})
    document.set_xml_metadata(XMP_PACKET.decode())
    return document.tobytes()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge picture (10 gigapixels by default)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def html_page() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Session expired</body></html>\n"


def zip_archive() -> bytes:
    return b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200


def plain_text() -> bytes:
    return "Amy's story, typed up: Once upon a time…\n".encode()


def noise_page(seed_colour: tuple[int, int, int], size: tuple[int, int] = (800, 1000)) -> Image.Image:
    """A busy page image: lined paper with a coloured scribble, so JPEG has edges to work with."""
    image = _lined_paper(size)
    draw = ImageDraw.Draw(image)
    for step in range(0, size[0], 37):
        draw.line((step, 0, size[0] - step, size[1]), fill=seed_colour, width=5)
    return image


def _lined_paper(size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for y in range(size[1] // 12, size[1], size[1] // 24):
        draw.line((0, y, size[0], y), fill=(160, 180, 220), width=max(1, size[1] // 600))
    return image


def _camera_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = CAMERA_MAKE  # Make
    exif[0x013B] = PUPIL_NAME  # Artist
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)}  # GPSInfo
    return exif


def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
