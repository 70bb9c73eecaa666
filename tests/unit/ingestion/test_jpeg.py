"""A JPEG's structure is checked without decoding it: whole files pass, cut-off and broken ones do not."""

import io
from collections.abc import Callable

import pytest
from PIL import Image

from moderation_hub.ingestion.errors import INCOMPLETE, UnreadableError
from moderation_hub.ingestion.jpeg import DAMAGED, MAX_SEGMENTS, check_jpeg_structure
from tests.unit.ingestion import samples

END_OF_IMAGE = b"\xff\xd9"


def small_jpeg(**options: object) -> bytes:
    image = Image.linear_gradient("L").convert("RGB").resize((96, 64))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def scan_start(data: bytes) -> int:
    return data.index(b"\xff\xda")


@pytest.mark.parametrize(
    "data",
    [
        small_jpeg(),
        small_jpeg(progressive=True),  # several scans, with tables between them
        small_jpeg(restart_marker_blocks=1),  # RST0-RST7 inside the scan
        small_jpeg(quality=100, subsampling=0),
        samples.landscape_photo(),  # EXIF, with its own embedded markers, and a comment
    ],
    ids=["baseline", "progressive", "restart markers", "full-quality", "phone photo"],
)
def test_whole_jpegs_pass(data: bytes) -> None:
    check_jpeg_structure(data)


def test_what_follows_the_end_of_the_image_is_not_read() -> None:
    """Phones append a motion photo's video after the picture."""
    check_jpeg_structure(small_jpeg() + b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)


def test_fill_bytes_before_a_marker_are_allowed() -> None:
    data = small_jpeg()
    check_jpeg_structure(data[:-2] + b"\xff\xff\xff" + END_OF_IMAGE)


@pytest.mark.parametrize("options", [{}, {"progressive": True}, {"restart_marker_blocks": 1}])
def test_every_cut_off_copy_is_refused(options: dict[str, object]) -> None:
    data = small_jpeg(**options)
    for length in range(3, len(data)):
        with pytest.raises(UnreadableError):
            check_jpeg_structure(data[:length])


def test_a_copy_cut_off_inside_the_picture_is_called_incomplete() -> None:
    data = samples.landscape_photo()
    with pytest.raises(UnreadableError, match=f"^{INCOMPLETE}$"):
        check_jpeg_structure(data[: len(data) // 2])


@pytest.mark.parametrize(
    "damage",
    [
        # Random bytes in place of the picture: sooner or later 0xFF meets a byte no JPEG marker uses.
        lambda data: data[: scan_start(data) + 20] + bytes((i * 37 + 11) % 256 for i in range(4096)) + END_OF_IMAGE,
        # A segment whose length field is too small to hold itself.
        lambda data: data[:2] + b"\xff\xe1\x00\x01" + data[2:],
        # Bytes that are not a marker where a marker must be.
        lambda data: data[:2] + b"GIF89a" + data[2:],
        # A scan before any frame says what the picture is.
        lambda data: data[:2] + data[scan_start(data) :],
        # No picture at all.
        lambda data: data[:2] + END_OF_IMAGE,
    ],
    ids=["noise for a picture", "bad length", "not a marker", "scan without frame", "no scan"],
)
def test_broken_structure_is_called_damaged(damage: Callable[[bytes], bytes]) -> None:
    with pytest.raises(UnreadableError, match=f"^{DAMAGED}$"):
        check_jpeg_structure(damage(small_jpeg()))


def test_the_size_comes_from_the_frame_header() -> None:
    assert check_jpeg_structure(small_jpeg()) == (96, 64)
    assert check_jpeg_structure(small_jpeg(progressive=True)) == (96, 64)


def test_a_frame_without_a_height_is_called_damaged() -> None:
    """A height left for a DNL marker to give: the pixel cap needs the size before decoding."""
    data = bytearray(small_jpeg())
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 7] = b"\x00\x00"
    with pytest.raises(UnreadableError, match=f"^{DAMAGED}$"):
        check_jpeg_structure(bytes(data))


def test_a_file_of_endless_tiny_segments_is_refused_at_once() -> None:
    """A million empty comments would hold the checking thread for seconds: past the cap, it stops."""
    data = small_jpeg()
    with pytest.raises(UnreadableError, match=f"^{DAMAGED}$"):
        check_jpeg_structure(data[:2] + b"\xff\xfe\x00\x02" * 1_000_000 + data[2:])
    check_jpeg_structure(data[:2] + b"\xff\xfe\x00\x02" * (MAX_SEGMENTS - 20) + data[2:])


def test_a_long_run_of_fill_bytes_is_skipped_whole() -> None:
    data = small_jpeg()
    check_jpeg_structure(data[:-2] + b"\xff" * 1_000_000 + END_OF_IMAGE)
    with pytest.raises(UnreadableError, match=f"^{INCOMPLETE}$"):
        check_jpeg_structure(data[:-2] + b"\xff" * 1_000_000)
