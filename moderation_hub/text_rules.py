"""What text a person may enter anywhere: forms, JSON posts, CSV and YAML imports. Pure: no Flask, no database.

Control characters are never typed on purpose: a NUL byte is refused by PostgreSQL (a 500 before this
check), and the others garble exports and logs. Bidirectional controls and zero-width characters make
one name look like another (``Y6-014`` and ``Y6-014`` with a zero-width space are two pupils that read
the same), so one-line text, which is where names, codes and titles live, refuses them too, as does each line
of a list of them. Multi-line prose keeps them: right-to-left scripts and emoji use them legitimately, and
prose identifies nothing.
"""

import re
from enum import Enum

# C0 (except tab and line feed, allowed in prose), DEL, and C1.
_CONTROL_IN_PROSE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional controls (embeddings, overrides, isolates, marks) and zero-width characters.
_INVISIBLE = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]")
_LINE_ENDS = re.compile(r"\r\n?")
# One segment of a URL path that a route reads as text (a code, a token, a file's variant): anything but a slash,
# a control character or an invisible one. A regular expression, for the router.
PATH_SEGMENT = r"[^/\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]+"


class TextKind(Enum):
    LINE = "line"  # one line a person reads as a name: titles, codes, names, emails, file names
    LINES = "lines"  # a list of such names, one a line: pupil codes typed into a box
    PROSE = "prose"  # several lines: commentary, rationales, notes


class UnsafeTextError(ValueError):
    """Text with a character it may not hold; the message names the field and is safe to show."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalise_line_ends(value: str) -> str:
    """Browsers post a textarea's line breaks as CR LF; store one kind of line break, LF."""
    return _LINE_ENDS.sub("\n", value)


def text_problem(value: str, kind: TextKind) -> str | None:
    """Why ``value`` may not be stored, in plain words to follow the field's name; None when it may."""
    if kind is TextKind.PROSE:
        return "must not contain control characters, such as a null byte" if _CONTROL_IN_PROSE.search(value) else None
    if kind is TextKind.LINES:
        return _lines_problem(normalise_line_ends(value).split("\n"))
    if _CONTROL_IN_LINE.search(value):
        return "must be one line of text without control characters, such as a null byte or a tab"
    return _invisible_problem(value)


def _lines_problem(lines: list[str]) -> str | None:
    if any(_CONTROL_IN_LINE.search(line) for line in lines):
        return "must have one item a line, without control characters, such as a null byte or a tab"
    return _invisible_problem("".join(lines))


def _invisible_problem(value: str) -> str | None:
    if _INVISIBLE.search(value):
        return "must not contain invisible characters, such as text-direction marks or zero-width spaces"
    return None


def checked_text(label: str, value: str, kind: TextKind, field: str | None = None) -> str:
    """``value`` with its line ends normalised; raise ``UnsafeTextError`` naming ``label`` if it may not be stored."""
    if kind is not TextKind.LINE:
        value = normalise_line_ends(value)
    problem = text_problem(value, kind)
    if problem:
        raise UnsafeTextError(f"{label} {problem}", field)
    return value
