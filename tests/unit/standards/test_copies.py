"""What a published copy is made of: page images without metadata, and the evidence grid."""

import io

import pytest
from PIL import Image

from moderation_hub.standards.copies import (
    GridAnnotation,
    GridStatement,
    NotAJpegError,
    evidence_grid,
    piece_letter,
    without_metadata,
)


def _jpeg_with_metadata() -> bytes:
    image = Image.new("RGB", (16, 12), "white")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"Kestrel Hill Primary")
    return buffer.getvalue()


def test_metadata_segments_are_dropped_and_the_picture_is_unchanged() -> None:
    original = _jpeg_with_metadata()
    assert b"Exif" in original and b"Kestrel Hill" in original
    stripped = without_metadata(original)
    assert b"Exif" not in stripped and b"Kestrel Hill" not in stripped and b"PhoneMaker" not in stripped
    with Image.open(io.BytesIO(stripped)) as clean, Image.open(io.BytesIO(original)) as before:
        assert clean.size == (16, 12)
        assert not clean.getexif()
        assert clean.tobytes() == before.tobytes()


@pytest.mark.parametrize("data", [b"", b"GIF89a", b"\xff\xd8\xff\xe1\x00", b"\xff\xd8\xff\xe1\xff\xff"])
def test_what_is_not_a_whole_jpeg_is_refused(data: bytes) -> None:
    with pytest.raises(NotAJpegError):
        without_metadata(data)


def test_pieces_are_lettered_as_national_exemplification_does() -> None:
    assert [piece_letter(index) for index in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


def test_the_evidence_grid_puts_each_annotation_under_its_piece_in_the_frameworks_order() -> None:
    statements = [GridStatement("S1", "spells"), GridStatement("P1", "punctuates"), GridStatement("H1", "joins")]
    annotations = [
        GridAnnotation(3, 1, ("P1",)),
        GridAnnotation(1, 0, ("P1", "S1")),
        GridAnnotation(2, 0, ("P1",)),
        GridAnnotation(4, None, ("S1", "X9")),  # a page filed under no piece; a code not in the framework
    ]
    grid = evidence_grid(2, statements, annotations)
    assert grid.columns == ["A", "B", "Other pages"]
    assert [(row.code, row.cells) for row in grid.rows] == [
        ("S1", [[1], [], [4]]),
        ("P1", [[1, 2], [3], []]),
    ]  # H1 has no evidence, so no row


def test_an_annotation_counted_twice_for_a_statement_is_listed_once() -> None:
    twice = [GridAnnotation(1, 0, ("S1",)), GridAnnotation(1, 0, ("S1",))]
    grid = evidence_grid(1, [GridStatement("S1", "spells")], twice)
    assert grid.columns == ["A"]
    assert grid.rows[0].cells == [[1]]
