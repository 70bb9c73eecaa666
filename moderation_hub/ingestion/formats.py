"""What kind of file an upload is, decided from its first bytes: never from its name or declared type."""

from enum import StrEnum


class FileKind(StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    HEIC = "heic"

    @property
    def label(self) -> str:
        return self.name


ACCEPTED = "a PDF, JPEG, PNG or HEIC file"

# ISO base media file brands that mean HEVC-coded HEIF ("HEIC"). AVIF shares the container but not the
# codec, and is refused by this list even though its major brand may be the generic "mif1".
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})

# Files teachers upload by mistake, so the refusal can say what the file seems to be.
_LOOKALIKES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive, such as a Word or PowerPoint document"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"{\\rtf", "an RTF document"),
)
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<svg", b"<!--")


def sniff(data: bytes) -> FileKind | None:
    """The kind the content shows, or None for anything we do not accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    # PDF readers accept the header anywhere in the first kilobyte, after junk some scanners write.
    if b"%PDF-" in data[:1024]:
        return FileKind.PDF
    if _brands(data) & _HEIC_BRANDS:
        return FileKind.HEIC
    return None


def looks_like(data: bytes) -> str:
    """A guess at what a refused file is, for the message: "HTML", "a ZIP archive...", "plain text"."""
    head = data[:512]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(_MARKUP_STARTS):
        return "an SVG image" if b"<svg" in stripped else "HTML"
    for magic, description in _LOOKALIKES:
        if head.startswith(magic):
            return description
    if _brands(data) & {b"avif", b"avis"}:
        return "an AVIF image"
    if _brands(data):
        return "a video or another kind of HEIF file"
    if _is_text(head):
        return "plain text"
    return "none of the kinds we know"


def _brands(data: bytes) -> set[bytes]:
    """The major and compatible brands of an ISO base media file's leading "ftyp" box."""
    if data[4:8] != b"ftyp":
        return set()
    size = int.from_bytes(data[:4], "big")
    end = min(size, len(data), 256) if size >= 16 else 0
    return {data[8:12], *(data[offset : offset + 4] for offset in range(16, end - 3, 4))}


def _is_text(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace")
    # A multi-byte character cut off at the end of the sample is still text.
    text = text.removesuffix("\ufffd")
    return bool(text) and "\ufffd" not in text and all(char.isprintable() or char.isspace() for char in text)
