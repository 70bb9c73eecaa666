"""Uploads are recognised by their content, and every bad one is refused with a sentence naming it."""

import io
import pickle
from collections.abc import Callable

import pytest
from PIL import Image

from moderation_hub.ingestion.errors import RejectedFile, display_name
from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.inspect import IN_THREAD_JPEG_BYTES, inspect_file, inspect_in_thread
from moderation_hub.ingestion.limits import MB, IngestLimits
from tests.unit.ingestion import samples

LIMITS = IngestLimits()


@pytest.mark.parametrize(
    ("filename", "make", "kind", "page_count"),
    [
        ("essay.pdf", samples.essay_pdf, FileKind.PDF, 2),
        ("restricted.pdf", samples.permissions_only_pdf, FileKind.PDF, 2),
        ("photo.jpg", samples.landscape_photo, FileKind.JPEG, 1),
        ("scan.png", samples.png_with_metadata, FileKind.PNG, 1),
        ("IMG_0001.HEIC", samples.heic_photo, FileKind.HEIC, 1),
        # The name never decides: a photo called .pdf is a photo.
        ("photo.pdf", samples.landscape_photo, FileKind.JPEG, 1),
    ],
)
def test_accepted_files_are_recognised_by_content(
    filename: str, make: Callable[[], bytes], kind: FileKind, page_count: int
) -> None:
    data = make()
    facts = inspect_file(filename, data, LIMITS)
    assert (facts.kind, facts.page_count, facts.byte_count) == (kind, page_count, len(data))


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    [
        ("empty.pdf", lambda: b"", '"empty.pdf" is empty'),
        (
            "essay.pdf",
            samples.html_page,
            '"essay.pdf" is not a PDF, JPEG, PNG or HEIC file (it looks like HTML)',
        ),
        (
            "essay.pdf",
            samples.zip_archive,
            '"essay.pdf" is not a PDF, JPEG, PNG or HEIC file (it looks like a ZIP archive, such as a Word or '
            "PowerPoint document)",
        ),
        (
            "photo.jpg",
            samples.plain_text,
            '"photo.jpg" is not a PDF, JPEG, PNG or HEIC file (it looks like plain text)',
        ),
        (
            "locked.pdf",
            samples.encrypted_pdf,
            '"locked.pdf" is protected by a password; save a copy without the password and upload that',
        ),
        ("broken.pdf", samples.corrupt_pdf, '"broken.pdf" is damaged and cannot be read as a PDF'),
        ("nothing.pdf", samples.zero_page_pdf, '"nothing.pdf" has no pages'),
        (
            "long.pdf",
            lambda: samples.blank_pdf(61),
            '"long.pdf" has 61 pages, more than the 60 we accept in one PDF; split it into smaller files',
        ),
        (
            "half.pdf",
            lambda: samples.truncated(samples.essay_pdf()),
            '"half.pdf" is incomplete: the end of the file is missing, perhaps because an upload or a copy was cut '
            "short",
        ),
        (
            "half.jpg",
            lambda: samples.truncated(samples.landscape_photo()),
            '"half.jpg" is incomplete: the end of the file is missing, perhaps because an upload or a copy was cut '
            "short",
        ),
        (
            "noise.jpg",
            samples.jpeg_with_noise_for_a_picture,
            '"noise.jpg" is damaged and cannot be read as a JPEG image',
        ),
        (
            "half.png",
            lambda: samples.truncated(samples.png_with_metadata()),
            '"half.png" is incomplete: the end of the file is missing, perhaps because an upload or a copy was cut '
            "short",
        ),
        (
            "half.heic",
            lambda: samples.truncated(samples.heic_photo()),
            '"half.heic" is damaged and cannot be read as a HEIC image',
        ),
        (
            "bomb.png",
            lambda: samples.png_bomb(8000, 6000),
            '"bomb.png" is 8000 by 6000 pixels, more than the 40 megapixels we accept; take the photo at a lower '
            "resolution or scan at 300 dpi or less",
        ),
        (
            # 10 gigapixels: past Pillow's own guard, which raises before we see the size.
            "bomb.png",
            samples.png_bomb,
            '"bomb.png" has more pixels than the 40 megapixels we accept; take the photo at a lower resolution or '
            "scan at 300 dpi or less",
        ),
    ],
)
def test_bad_files_are_refused_with_a_sentence_naming_them(
    filename: str, make: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(RejectedFile) as refusal:
        inspect_file(filename, make(), LIMITS)
    assert str(refusal.value) == message
    assert refusal.value.filename == filename


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read() -> None:
    data = b"%PDF-1.7\n" + b"\x00" * (2 * MB)
    with pytest.raises(RejectedFile, match=r'^"big.pdf" is 2 MB, more than the 1 MB we accept for one file$'):
        inspect_file("big.pdf", data, IngestLimits(max_file_bytes=MB))


def test_every_limit_is_configurable() -> None:
    limits = IngestLimits(max_pdf_pages=1, max_image_pixels=1000)
    with pytest.raises(RejectedFile, match="has 2 pages, more than the 1 we accept"):
        inspect_file("essay.pdf", samples.essay_pdf(), limits)
    with pytest.raises(RejectedFile, match=r"more than the 0\.001 megapixels we accept"):
        inspect_file("scan.png", samples.png_with_metadata(), limits)


def test_a_twelve_megapixel_phone_photo_passes_and_a_48_megapixel_one_does_not() -> None:
    twelve = io.BytesIO()
    Image.new("RGB", (4032, 3024), "white").save(twelve, "JPEG")
    assert inspect_file("IMG_0002.JPG", twelve.getvalue(), LIMITS).kind is FileKind.JPEG
    with pytest.raises(RejectedFile, match="is 8064 by 6048 pixels, more than the 40 megapixels"):
        inspect_file("IMG_0003.PNG", samples.png_bomb(8064, 6048), LIMITS)


def test_identical_uploads_have_the_same_hash_and_different_ones_do_not() -> None:
    essay = samples.essay_pdf()
    first = inspect_file("a.pdf", essay, LIMITS)
    again = inspect_file("b.pdf", essay, LIMITS)
    other = inspect_file("c.pdf", samples.blank_pdf(1), LIMITS)
    assert first.sha256 == again.sha256 != other.sha256
    assert len(first.sha256) == 64


def test_a_refusal_survives_pickling_so_it_can_leave_a_worker_process() -> None:
    refusal = pickle.loads(pickle.dumps(RejectedFile("essay.pdf", "is empty")))  # noqa: S301 - our own bytes
    assert (type(refusal), str(refusal)) == (RejectedFile, '"essay.pdf" is empty')


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("C:\\fakepath\\essay.pdf", "essay.pdf"),
        ("../../etc/essay.pdf", "essay.pdf"),
        ("essay\x00\x1b[31m.pdf", "essay[31m.pdf"),
        ("", "the file"),
        ("a" * 200 + ".pdf", "a" * 79 + "…"),
    ],
)
def test_file_names_are_shown_safely(sent: str, shown: str) -> None:
    assert display_name(sent) == shown


def test_a_photo_is_checked_in_the_calling_thread_and_other_kinds_are_left_to_the_sandbox() -> None:
    photo = samples.landscape_photo()
    assert inspect_in_thread("photo.jpg", photo, LIMITS) == inspect_file("photo.jpg", photo, LIMITS)
    assert inspect_in_thread("essay.pdf", samples.essay_pdf(), LIMITS) is None
    assert inspect_in_thread("scan.png", samples.png_with_metadata(), LIMITS) is None
    # Past the size whose check is bounded to a fraction of a second, a JPEG goes to the sandbox too.
    large = photo + bytes(IN_THREAD_JPEG_BYTES)  # what follows the end-of-image marker is never read
    assert inspect_in_thread("large.jpg", large, LIMITS) is None
    assert inspect_file("large.jpg", large, LIMITS).kind is FileKind.JPEG


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: samples.landscape_photo()[:5000], '"photo.jpg" is incomplete'),
        (lambda: b"", '"photo.jpg" is empty'),
    ],
)
def test_a_photo_checked_in_the_calling_thread_is_refused_in_the_same_words(
    make: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(RejectedFile, match=f"^{message}"):
        inspect_in_thread("photo.jpg", make(), LIMITS)


def test_an_oversized_photo_is_refused_in_the_calling_thread_from_its_frame_header() -> None:
    twelve = io.BytesIO()
    Image.new("RGB", (4032, 3024), "white").save(twelve, "JPEG")
    with pytest.raises(RejectedFile, match="is 4032 by 3024 pixels, more than the 10 megapixels we accept"):
        inspect_in_thread("IMG_0004.JPG", twelve.getvalue(), IngestLimits(max_image_pixels=10_000_000))
