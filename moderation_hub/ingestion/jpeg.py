"""A JPEG's structure checked without decoding it: every segment whole, each scan ended by a marker,
and the image closed by its end-of-image marker.

This is the upload-time check for photos, and it gives the picture's size from its frame header. It takes
about a millisecond for a 12-megapixel photo, where decoding it, even at an eighth of its size, took 30-40
ms. It reads bytes only, in pure Python, in time bounded by the file's size: the number of segments is
capped, and fill bytes and scans are skipped by the regular-expression engine. So it runs in the web
thread (``inspect.inspect_in_thread``), sparing each photo a sandboxed process (about 20 ms).

It refuses what an interrupted upload or copy leaves (the commonest damage) and data that is not JPEG
after a JPEG header. Damage that leaves the structure whole (bytes changed inside a scan) is found when
the worker decodes the photo, which then marks the file failed with a sentence naming it and the reason;
nothing of it reaches a reader either way. No library checks structure alone: Pillow's
parser stops at the first scan and libjpeg decodes everything.
"""

import re

from moderation_hub.ingestion.errors import INCOMPLETE, UnreadableError

DAMAGED = "is damaged and cannot be read as a JPEG image"
# A photo has a dozen or so segments, a progressive one a few dozen: more than this is not a picture but a
# file made to keep the checking thread busy (a million four-byte segments took seconds).
MAX_SEGMENTS = 2000

_END_OF_IMAGE = 0xD9
_START_OF_SCAN = 0xDA
# Markers without a length: TEM and the restart markers RST0-RST7.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
# Start-of-frame markers (0xC4, 0xC8 and 0xCC in that range are DHT, JPG and DAC).
_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers followed by a two-byte length: frames, tables, scans, DNL, DRI, DHP, EXP, APPn, JPGn, COM.
_SEGMENTS = frozenset({*range(0xC0, 0xD0), *range(0xDA, 0xFF)})
# Inside a scan's data 0xFF only stands for itself as FF 00; FF D0-D7 are restart markers and FF FF
# fill. Anything else ends the scan: the next segment, another scan, or the end of the image.
_END_OF_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
# A marker: any number of 0xFF fill bytes, then the marker's code.
_MARKER = re.compile(rb"\xff++(.)", re.DOTALL)


def check_jpeg_structure(data: bytes) -> tuple[int, int]:
    """The picture's (width, height), from its frame header; ``UnreadableError`` unless ``data``, which
    starts with a JPEG's SOI marker, is a whole JPEG.

    Bytes after the end-of-image marker are allowed and never read (phones append motion-photo videos).
    """
    position, size, scanned = 2, None, False
    for _ in range(MAX_SEGMENTS):
        marker, position = _marker_at(data, position)
        if marker == _END_OF_IMAGE:
            if size is None or not scanned:
                raise UnreadableError(DAMAGED)
            return size
        if marker in _STANDALONE:
            continue
        if marker not in _SEGMENTS:
            raise UnreadableError(DAMAGED)
        start, position = position, _segment_end(data, position)
        if marker in _FRAMES:
            size = _frame_size(data[start:position])
        elif marker == _START_OF_SCAN:
            if size is None:
                raise UnreadableError(DAMAGED)
            scanned = True
            scan_end = _END_OF_SCAN.search(data, position)
            if scan_end is None:
                raise UnreadableError(INCOMPLETE)
            position = scan_end.start()
    raise UnreadableError(DAMAGED)


def _marker_at(data: bytes, position: int) -> tuple[int, int]:
    """The marker at ``position`` (after any fill bytes) and the position just after it."""
    marker = _MARKER.match(data, position)
    if marker is None:
        if position < len(data) and data[position] != 0xFF:
            raise UnreadableError(DAMAGED)
        raise UnreadableError(INCOMPLETE)
    return data[marker.start(1)], marker.end()


def _segment_end(data: bytes, position: int) -> int:
    """Where the segment whose length field starts at ``position`` ends (the length counts itself)."""
    if position + 2 > len(data):
        raise UnreadableError(INCOMPLETE)
    length = int.from_bytes(data[position : position + 2], "big")
    if length < 2:
        raise UnreadableError(DAMAGED)
    if position + length > len(data):
        raise UnreadableError(INCOMPLETE)
    return position + length


def _frame_size(segment: bytes) -> tuple[int, int]:
    """(width, height) from a frame header: length (2 bytes), precision (1), height (2), width (2), ...

    A height of 0 (left for a DNL marker after the first scan to give) is refused: no camera or scanner
    writes one, and the pixel cap needs the size before anything is decoded.
    """
    if len(segment) < 8:
        raise UnreadableError(DAMAGED)
    height, width = int.from_bytes(segment[3:5], "big"), int.from_bytes(segment[5:7], "big")
    if not width or not height:
        raise UnreadableError(DAMAGED)
    return width, height
