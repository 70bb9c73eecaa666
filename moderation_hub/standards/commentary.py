"""The curator's commentary on an exemplar, as national exemplification writes it: a summary, a commentary on each of
the framework's statements that quotes and cites the pieces ("piece B, page 2"), and why this standard and not the
next. Pure (no Flask, no database): checked here through the central text rules, whoever calls it (the draft form, the
demo, a script), and turned into the part of a revision's content that readers see.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from moderation_hub.standards.errors import StandardsError
from moderation_hub.text_rules import TextKind, UnsafeTextError, checked_text

SUMMARY_LIMIT = 20_000
STATEMENT_LIMIT = 4_000
WHY_NOT_NEXT_LIMIT = 4_000

# "piece B", "Piece B, page 2", "piece B page 2": a capital letter, so "a piece a day" cites nothing.
_CITATION = re.compile(r"\b[Pp]iece\s+([A-Z])\b(?:,?\s+page\s+(\d{1,4})\b)?")


@dataclass(frozen=True)
class Commentary:
    """What the curator writes. ``statements`` maps a criterion's code to its commentary; blank ones are left out."""

    summary: str
    why_not_next: str
    statements: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Statement:
    """One of the framework's statements, in its order: what a commentary may be written on."""

    code: str
    statement: str


@dataclass(frozen=True)
class Citation:
    piece: str  # its letter
    page: int | None  # the page within the piece, from 1; None for the piece as a whole
    position: int | None  # the page's number in the whole collection, from 1, which the exemplar page links to

    @property
    def label(self) -> str:
        return f"Piece {self.piece}" + (f", page {self.page}" if self.page is not None else "")

    def as_content(self) -> dict[str, Any]:
        return {"piece": self.piece, "page": self.page, "position": self.position, "label": self.label}


def statement_field(code: str) -> str:
    """The name a statement's commentary goes by in a refusal: the draft form's field of the same name."""
    return "statement_" + re.sub(r"[^A-Za-z0-9]", "_", code)


def checked(
    commentary: Commentary,
    statements: Sequence[Statement],
    pieces: Mapping[str, Sequence[int]],
    why_required: bool = True,
) -> Commentary:
    """``commentary`` with its text checked and its line ends normalised, blank statements dropped; or a
    ``StandardsError`` naming the field. ``pieces`` maps each piece's letter to its pages' positions, in order.
    ``why_required`` False lets why this standard and not the next be blank (a summary saved on its own)."""
    summary = _text("Commentary", commentary.summary, SUMMARY_LIMIT, "commentary")
    why_not_next = _text(
        "Why this standard and not the next", commentary.why_not_next, WHY_NOT_NEXT_LIMIT, "why_not_next"
    )
    if why_required and not why_not_next.strip():
        raise StandardsError("Say why this is the standard and not the next one", "why_not_next")
    known = {statement.code: statement for statement in statements}
    kept = {}
    for code, given in commentary.statements.items():
        if code not in known:
            raise StandardsError(f"{code} is not a statement of this exemplar's framework")
        label = f"Commentary on {code}"
        text = _text(label, given, STATEMENT_LIMIT, statement_field(code))
        if text.strip():
            citations(text, pieces, label, statement_field(code))  # refuses a piece or page that is not there
            kept[code] = text.strip()
    return Commentary(summary.strip(), why_not_next.strip(), kept)


def _text(label: str, value: str, limit: int, name: str) -> str:
    try:
        value = checked_text(label, value, TextKind.PROSE, name)
    except UnsafeTextError as error:
        raise StandardsError(str(error), name) from None
    if len(value) > limit:
        raise StandardsError(f"{label} must be {limit:,} characters or fewer", name)
    return value


def citations(
    text: str, pieces: Mapping[str, Sequence[int]], label: str = "", name: str | None = None
) -> list[Citation]:
    """The pieces and pages ``text`` cites, each once, in the order first cited; a ``StandardsError`` for one that
    is not in the collection."""
    found: dict[tuple[str, int | None], Citation] = {}
    for match in _CITATION.finditer(text):
        letter, page = match.group(1), int(match.group(2)) if match.group(2) else None
        if letter not in pieces:
            there = f"the pieces are {_letters(pieces)}" if pieces else "the work has no pieces"
            raise StandardsError(f"{label} cites piece {letter}, but {there}", name)
        positions = pieces[letter]
        if page is not None and not 1 <= page <= len(positions):
            raise StandardsError(
                f"{label} cites piece {letter}, page {page}, but piece {letter} has "
                f"{len(positions)} page{'' if len(positions) == 1 else 's'}",
                name,
            )
        position = positions[page - 1] if page is not None else (positions[0] if positions else None)
        found.setdefault((letter, page), Citation(letter, page, position))
    return list(found.values())


def _letters(pieces: Mapping[str, Sequence[int]]) -> str:
    letters = sorted(pieces)
    return letters[0] if len(letters) == 1 else f"{', '.join(letters[:-1])} and {letters[-1]}"


def as_content(
    commentary: Commentary,
    statements: Sequence[Statement],
    pieces: Mapping[str, Sequence[int]],
    next_standard: Mapping[str, str] | None,
) -> dict[str, Any] | None:
    """The part of a revision's content readers see: each statement written on, in the framework's order, with the
    pieces and pages it cites, and why this standard and not ``next_standard`` (None at the top of the scale). None
    for a summary alone, which the page shows as it shows revisions made before statement commentary."""
    if not commentary.statements and not commentary.why_not_next:
        return None
    return {
        "statements": [
            {
                "code": statement.code,
                "statement": statement.statement,
                "text": commentary.statements[statement.code],
                "citations": [
                    citation.as_content() for citation in citations(commentary.statements[statement.code], pieces)
                ],
            }
            for statement in statements
            if statement.code in commentary.statements
        ],
        "why_not_next": commentary.why_not_next,
        "next_standard": dict(next_standard) if next_standard else None,
    }
