"""The text layer after redaction, and redaction boxes proposed for a name the teacher types."""

import re
import unicodedata
from collections.abc import Iterable, Sequence

from moderation_hub.ingestion.geometry import Box, Word

# Around each found word, a margin of this share of the word's height: a box drawn exactly on the
# glyph outlines leaves descenders, accents and anti-aliased edges readable.
_MARGIN = 0.25
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")
_POSSESSIVE = re.compile(r"'s$")


def text_outside(words: Iterable[Word], redactions: Sequence[Box]) -> tuple[str, list[Word]]:
    """The searchable text and the words it is made of: every word touching a redaction is dropped."""
    kept = [word for word in words if not any(word.is_under(box) for box in redactions)]
    return " ".join(word.text for word in kept), kept


def find_words(words: Sequence[Word], query: str) -> list[Box]:
    """Boxes covering each occurrence of ``query`` as whole words, to propose as redactions.

    Matching ignores case, accents, surrounding punctuation and a possessive "'s", so "amy jones"
    finds "Amy Jones," and "Amy Jones's"; it never finds "Amy" inside "Amyas". A name split over two
    lines gets one box per line.
    """
    wanted = [token for token in map(_comparable, query.split()) if token]
    if not wanted:
        return []
    keys = [_comparable(word.text) for word in words]
    boxes: list[Box] = []
    for start in range(len(words) - len(wanted) + 1):
        if keys[start : start + len(wanted)] == wanted:
            boxes.extend(_cover(words[start : start + len(wanted)]))
    return boxes


def _comparable(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token.translate(_APOSTROPHES).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _POSSESSIVE.sub("", _EDGE_PUNCTUATION.sub("", bare))


def _cover(run: Sequence[Word]) -> list[Box]:
    """One padded box per printed line of the run of words."""
    lines: list[list[Word]] = []
    for word in run:
        if lines and _same_line(lines[-1][-1], word):
            lines[-1].append(word)
        else:
            lines.append([word])
    return [_padded(line) for line in lines]


def _same_line(left: Word, right: Word) -> bool:
    overlap = min(left.y1, right.y1) - max(left.y0, right.y0)
    return overlap > 0.5 * min(left.y1 - left.y0, right.y1 - right.y0)


def _padded(line: Sequence[Word]) -> Box:
    x0, y0 = min(word.x0 for word in line), min(word.y0 for word in line)
    x1, y1 = max(word.x1 for word in line), max(word.y1 for word in line)
    margin = _MARGIN * (y1 - y0)
    return Box.clamped(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
