"""What a published copy is made of, built from plain values: page images without metadata, and the evidence grid.

Pure (no Flask, no database), so both are tested directly.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

_START_OF_IMAGE = b"\xff\xd8"
_START_OF_SCAN = 0xDA
_END_OF_IMAGE = 0xD9
# Markers without a length: TEM and RST0-RST7.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
# APP1-APP15 (Exif, XMP, ICC, Photoshop's IPTC...) and COM carry metadata; APP0 is JFIF's header, which holds none.
_METADATA = frozenset({*range(0xE1, 0xF0), 0xFE})


class NotAJpegError(ValueError):
    pass


def without_metadata(data: bytes) -> bytes:
    """The JPEG ``data`` with every metadata segment (APP1-15, comments) dropped; the picture's bytes unchanged.

    The derivatives it is given are made by our renderer, which writes none; this makes a published copy's
    promise hold whatever made the derivative.
    """
    if not data.startswith(_START_OF_IMAGE):
        raise NotAJpegError("not a JPEG")
    kept, position = [_START_OF_IMAGE], 2
    while position < len(data):
        if data[position] != 0xFF:
            raise NotAJpegError("damaged JPEG")
        marker_start = position
        while position < len(data) and data[position] == 0xFF:
            position += 1
        if position >= len(data):
            raise NotAJpegError("damaged JPEG")
        marker = data[position]
        position += 1
        if marker == _END_OF_IMAGE:
            kept.append(b"\xff\xd9")
            return b"".join(kept)
        if marker in _STANDALONE:
            kept.append(data[marker_start:position])
            continue
        if position + 2 > len(data):
            raise NotAJpegError("damaged JPEG")
        end = position + int.from_bytes(data[position : position + 2], "big")
        if end > len(data):
            raise NotAJpegError("damaged JPEG")
        if marker == _START_OF_SCAN:
            # The entropy-coded data and everything after it up to the end of the image is the picture itself.
            kept.append(data[marker_start:])
            return b"".join(kept)
        if marker not in _METADATA:
            kept.append(b"\xff" + bytes([marker]) + data[position:end])
        position = end
    raise NotAJpegError("damaged JPEG")


@dataclass(frozen=True)
class GridAnnotation:
    number: int
    piece: int | None  # index into the pieces, or None for a page filed under no piece
    criteria: tuple[str, ...]  # codes of the criteria it evidences


@dataclass(frozen=True)
class GridStatement:
    code: str
    statement: str


@dataclass
class GridRow:
    code: str
    statement: str
    cells: list[list[int]] = field(default_factory=list)  # annotation numbers, one list per column


@dataclass
class EvidenceGrid:
    columns: list[str]  # "A", "B"... and "Other pages" when some page belongs to no piece
    rows: list[GridRow]


def piece_letter(index: int) -> str:
    """A, B, ... Z, then AA, AB: national exemplification names pieces by letter."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def evidence_grid(
    piece_count: int, statements: Sequence[GridStatement], annotations: Sequence[GridAnnotation]
) -> EvidenceGrid:
    """Statements x pieces: in each cell the numbers of the annotations on that piece that evidence the statement.

    Rows are the statements some annotation evidences, in the framework's order (``statements``).
    """
    other = any(annotation.piece is None for annotation in annotations)
    columns = [piece_letter(index) for index in range(piece_count)] + (["Other pages"] if other else [])
    rows = {item.code: GridRow(item.code, item.statement, [[] for _ in columns]) for item in statements}
    for annotation in sorted(annotations, key=lambda item: item.number):
        column = piece_count if annotation.piece is None else annotation.piece
        for code in annotation.criteria:
            row = rows.get(code)
            if row is not None and annotation.number not in row.cells[column]:
                row.cells[column].append(annotation.number)
    return EvidenceGrid(columns, [row for row in rows.values() if any(row.cells)])
