"""The standards file as a booklet: a selection of exemplars (say Year 6 writing, every standard) made into one PDF
for one reader, off the request path, as a prepared download (``downloads.kinds``).

A booklet holds only what its reader may read when it is made (``permissions.readable_exemplars``: published, the
school's live permission reaching them, no never-publish flag, nothing they judge blind), and its footer names the
narrowest scope among its exemplars. It is tied to the exemplars it holds: its arguments carry a fingerprint of
them (each exemplar's id and row version, which moves with every revision and withdrawal, and the live permission
it is read under), checked when it is asked for, built and downloaded. After a withdrawal, an expiry, a new revision
or a blind hold the fingerprint no longer matches, and the booklet made earlier is nobody's to download.

The PDF itself is drawn by ``booklet_pdf`` (PyMuPDF), imported only by the builder, which runs in the job worker.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import selectinload

from moderation_hub import clock
from moderation_hub.accounts.models import User
from moderation_hub.db import MAX_ROW_ID, db
from moderation_hub.education import year_group_label
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.permissions import readable_exemplars
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.models import (
    Exemplar,
    ExemplarRevision,
    ExemplarSource,
    PublicationPermission,
    PublicationScope,
)
from moderation_hub.storage import storage

if TYPE_CHECKING:
    from moderation_hub.standards import booklet_pdf

# Scopes from the narrowest: a booklet is for whom every one of its exemplars may be read by.
SCOPE_ORDER = (PublicationScope.AUTHORITY, PublicationScope.INSTALLATION, PublicationScope.PUBLIC)
MAX_EXEMPLARS = 200  # a booklet of more is refused: choose fewer
BOOKLET_KIND = "standards-booklet"  # its key among the prepared downloads' kinds
# Prepared downloads take row ids (1 and up) as arguments: a year group goes as its number plus one (Reception is 1).
YEAR_ARGUMENT_OFFSET = 1


class BookletChangedError(Exception):
    """What the booklet was asked for changed before it was built (a withdrawal, say): it is not made."""


@dataclass(frozen=True)
class Filters:
    framework_id: int | None = None
    year_group: int | None = None
    standard_id: int | None = None


@dataclass(frozen=True)
class BookletRequest:
    """A booklet for one reader of the exemplars matching ``filters``, as they were when ``fingerprint`` was taken:
    the subject its download's permission (``Permission.STANDARDS_BOOKLET``) is checked against."""

    reader_id: int
    filters: Filters
    fingerprint: int

    def still_readable(self) -> bool:
        reader = reader_of(self)
        return reader is not None and fingerprint(reader, self.filters) == self.fingerprint

    def as_arguments(self) -> dict[str, int]:
        arguments = {"reader": self.reader_id, "selection": self.fingerprint}
        if self.filters.framework_id is not None:
            arguments["framework"] = self.filters.framework_id
        if self.filters.year_group is not None:
            arguments["year"] = self.filters.year_group + YEAR_ARGUMENT_OFFSET
        if self.filters.standard_id is not None:
            arguments["standard"] = self.filters.standard_id
        return arguments

    @classmethod
    def from_arguments(cls, arguments: dict[str, int]) -> "BookletRequest":
        year = arguments.get("year")
        filters = Filters(
            arguments.get("framework"),
            year - YEAR_ARGUMENT_OFFSET if year is not None else None,
            arguments.get("standard"),
        )
        return cls(arguments["reader"], filters, arguments["selection"])


def reader_of(request: BookletRequest) -> User | None:
    return db.session.get(User, request.reader_id)


def request_for(reader: User, filters: Filters) -> BookletRequest:
    return BookletRequest(reader.id, filters, fingerprint(reader, filters))


# What a booklet holds.


def selected(reader: User, filters: Filters) -> Select[tuple[Exemplar]]:
    """The exemplars ``reader`` may read today that match ``filters``, in the booklet's order: by framework, year
    group and standard (lowest first), then code."""
    readable = readable_exemplars(reader)
    if filters.framework_id is not None:
        readable = readable.where(Exemplar.framework_id == filters.framework_id)
    if filters.year_group is not None:
        readable = readable.where(Exemplar.year_group == filters.year_group)
    if filters.standard_id is not None:
        readable = readable.where(Exemplar.standard_id == filters.standard_id)
    return (
        readable.join(Framework, Framework.id == Exemplar.framework_id)
        .join(Standard, Standard.id == Exemplar.standard_id)
        .order_by(Framework.title, Framework.version, Exemplar.year_group, Standard.position, Exemplar.code)
    )


def _held(reader: User, filters: Filters) -> tuple[int, ...]:
    """What the booklet would hold, in one row whatever its size: how many exemplars, and sums over them of their
    ids, row versions (each id times its version) and the ids of the live permissions they are read under.

    A withdrawal, expiry or blind hold takes an exemplar away (fewer of them); a revision or a withdrawal raises an
    exemplar's version, and a new permission has a higher id, so each raises a sum: any change since the booklet was
    asked for moves one of these figures."""
    chosen = selected(reader, filters).order_by(None).subquery()
    statement = (
        select(
            func.count(distinct(chosen.c.id)),
            func.count(),
            func.coalesce(func.sum(chosen.c.id), 0),
            func.coalesce(func.sum(chosen.c.id * chosen.c.version), 0),
            func.coalesce(func.sum(PublicationPermission.id), 0),
            func.coalesce(func.max(PublicationPermission.id), 0),
        )
        .select_from(chosen)
        .join(PublicationPermission, PublicationPermission.sample_id == chosen.c.sample_id)
        .where(PublicationPermission.withdrawn_at.is_(None))
    )
    row = db.session.execute(statement).one()
    return tuple(int(value) for value in row)


def fingerprint(reader: User, filters: Filters) -> int:
    """A number from 1 to ``MAX_ROW_ID`` that changes whenever what the booklet would hold changes."""
    digest = hashlib.sha256(repr((reader.id, filters, _held(reader, filters))).encode()).digest()
    return int.from_bytes(digest[:4], "big") % MAX_ROW_ID + 1


def count(reader: User, filters: Filters) -> int:
    """How many exemplars the booklet would hold: one statement."""
    return _held(reader, filters)[0]


def title_of(filters: Filters) -> str:
    """What the booklet is of, in words: "Year 6, KS2 writing (version 2), every standard"."""
    parts = []
    if filters.year_group is not None:
        parts.append(year_group_label(filters.year_group))
    framework = db.session.get(Framework, filters.framework_id) if filters.framework_id is not None else None
    parts.append(f"{framework.title} (version {framework.version})" if framework else "every framework")
    standard = db.session.get(Standard, filters.standard_id) if filters.standard_id is not None else None
    parts.append(f"{standard.code}: {standard.label}" if standard else "every standard")
    return "Standards file booklet: " + ", ".join(parts)


# Building, in the worker.


def build_booklet(arguments: dict[str, int], out: IO[bytes], progress: Any) -> None:
    """The prepared download's builder: the booklet asked for, written to ``out``; ``BookletChangedError`` if what
    it holds changed since it was asked for."""
    from moderation_hub.standards import booklet_pdf  # noqa: PLC0415 - PyMuPDF, in the worker only

    request = BookletRequest.from_arguments(arguments)
    reader = reader_of(request)
    if reader is None or fingerprint(reader, request.filters) != request.fingerprint:
        raise BookletChangedError("the exemplars changed since the booklet was asked for")
    made = load(reader, request.filters)
    booklet_pdf.write_booklet(made, out, _stored_image, progress)


def _stored_image(key: str) -> bytes:
    """A published copy's image; one deleted meanwhile (its exemplar withdrawn as the booklet was made) stops it."""
    try:
        return storage().get(key)
    except FileNotFoundError:
        raise BookletChangedError("an exemplar was withdrawn while the booklet was made") from None


def load(reader: User, filters: Filters) -> "booklet_pdf.Booklet":
    """The booklet as plain values, read in a fixed number of statements: the builder's progress commits as it
    writes, and nothing it draws may need the database again."""
    from moderation_hub.standards import booklet_pdf  # noqa: PLC0415 - PyMuPDF, in the worker only

    statement = selected(reader, filters).options(
        selectinload(Exemplar.images),
        selectinload(Exemplar.revisions),
        selectinload(Exemplar.framework),
        selectinload(Exemplar.standard),
        selectinload(Exemplar.authority),
    )
    exemplars = list(db.session.scalars(statement.limit(MAX_EXEMPLARS)))
    scopes = _scopes([exemplar.sample_id for exemplar in exemplars])
    narrowest = min((scopes[e.sample_id] for e in exemplars), key=SCOPE_ORDER.index, default=SCOPE_ORDER[0])
    authorities = sorted({exemplar.authority.name for exemplar in exemplars})
    return booklet_pdf.Booklet(
        title=title_of(filters),
        authority=_authorities(authorities),
        made_on=clock.today(),
        scope=narrowest.label,
        exemplars=tuple(
            _exemplar(exemplar, exemplar.current, scopes[exemplar.sample_id])
            for exemplar in exemplars
            if exemplar.current is not None
        ),
    )


def _scopes(sample_ids: list[int]) -> dict[int, PublicationScope]:
    """The scope of each sample's live permission (its newest open one, as ``publication.live_permission``)."""
    if not sample_ids:
        return {}
    statement = (
        select(PublicationPermission.sample_id, PublicationPermission.scope)
        .where(PublicationPermission.sample_id.in_(sample_ids), PublicationPermission.withdrawn_at.is_(None))
        .order_by(PublicationPermission.id)
    )
    return {row.sample_id: row.scope for row in db.session.execute(statement)}


def _authorities(names: list[str]) -> str:
    if not names:
        return "No authority"
    if len(names) <= 3:
        return " and ".join(names) if len(names) <= 2 else f"{names[0]}, {names[1]} and {names[2]}"
    return f"{len(names)} local authorities"


def _uk_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _exemplar(exemplar: Exemplar, revision: ExemplarRevision, scope: PublicationScope) -> "booklet_pdf.BookletExemplar":
    """One exemplar's part of the booklet, from its current revision: its content is read defensively, as revisions
    published before a field existed lack it."""
    from moderation_hub.standards import booklet_pdf  # noqa: PLC0415 - PyMuPDF, in the worker only

    content: dict[str, Any] = revision.content or {}
    pupil = str(content.get("pupil") or "Pupil A")
    standard, framework = exemplar.standard, exemplar.framework
    images = {image.position: image for image in exemplar.images}
    pages = tuple(
        booklet_pdf.WorkPage(
            position=image.position,
            piece=(page or {}).get("piece"),
            width=image.width,
            height=image.height,
            image_key=image.display_key,
            annotations=tuple(_annotation(item) for item in (page or {}).get("annotations", [])),
        )
        for image, page in _pages(images, content.get("pages", []))
    )
    grid = content.get("grid") or {}
    commentary = content.get("commentary") if isinstance(content.get("commentary"), dict) else {}
    next_standard = commentary.get("next_standard") or {}
    return booklet_pdf.BookletExemplar(
        heading=f"{pupil}: {year_group_label(exemplar.year_group)}, {framework.title}, {standard.code}",
        summary=_summary(exemplar, revision, scope, pupil),
        pieces=tuple(
            (
                str(piece.get("letter", "")),
                str(piece.get("title", "")),
                str(piece.get("purpose", "")),
                str(piece.get("independence", "")),
            )
            for piece in content.get("pieces", [])
        ),
        grid_columns=tuple(str(column) for column in grid.get("columns", [])),
        grid_rows=tuple(
            (
                str(row.get("code", "")),
                str(row.get("statement", "")),
                tuple(tuple(int(number) for number in cell) for cell in row.get("cells", [])),
            )
            for row in grid.get("rows", [])
        ),
        pages=pages,
        commentary=revision.commentary,
        statements=tuple(
            booklet_pdf.StatementCommentary(
                code=str(item.get("code", "")),
                statement=str(item.get("statement", "")),
                text=str(item.get("text", "")),
                cited=tuple(str(cited.get("label", "")) for cited in item.get("citations", [])),
            )
            for item in commentary.get("statements", [])
        ),
        why_not_next=str(commentary.get("why_not_next") or ""),
        next_standard=(f"{next_standard.get('code', '')}: {next_standard.get('label', '')}" if next_standard else ""),
    )


def _pages(images: dict[int, Any], pages: list[dict[str, Any]]) -> list[tuple[Any, dict[str, Any] | None]]:
    """Each copied image with what the revision says of its page (by position), in order."""
    described = {page.get("position"): page for page in pages if isinstance(page, dict)}
    return [(images[position], described.get(position)) for position in sorted(images)]


def _annotation(item: dict[str, Any]) -> "booklet_pdf.Annotation":
    from moderation_hub.standards import booklet_pdf  # noqa: PLC0415 - PyMuPDF, in the worker only

    box = item.get("box")
    valid = (
        isinstance(box, list | tuple)
        and len(box) == 4
        and all(isinstance(value, int | float) and 0 <= value <= 1 for value in box)
        and box[0] < box[2]
        and box[1] < box[3]
    )
    return booklet_pdf.Annotation(
        number=int(item.get("number", 0)),
        comment=str(item.get("comment", "")),
        criteria=tuple(str(code) for code in item.get("criteria", [])),
        box=tuple(float(value) for value in box) if valid else None,  # type: ignore[arg-type, union-attr]
    )


def _summary(
    exemplar: Exemplar, revision: ExemplarRevision, scope: PublicationScope, pupil: str
) -> tuple[tuple[str, str], ...]:
    framework, standard = exemplar.framework, exemplar.standard
    if exemplar.source is ExemplarSource.ROUND:
        agreement = f"{exemplar.overall_agreement * 100:.0f}%" if exemplar.overall_agreement is not None else "?"
        moderation = (
            f"Judged blind by {exemplar.moderator_count} moderators in {exemplar.round_name}; "
            f"{agreement} of them on the agreed standard."
        )
    else:
        moderation = f"Moderated outside the platform: {exemplar.outside_note}".rstrip(": ")
    rows = [
        ("Pupil", pupil),
        ("Year group", year_group_label(exemplar.year_group)),
        ("Framework", f"{framework.title}, version {framework.version}"),
        ("Agreed standard", f"{standard.code}: {standard.label}"),
        ("Moderation", moderation),
    ]
    figures = [
        f"{figure.get('code', '')}: {float(figure.get('agreement', 0)):.0%} ({figure.get('raters', '')} moderators)"
        for figure in exemplar.criterion_agreement or []
        if isinstance(figure, dict)
    ]
    if figures:
        rows.append(("Agreement on each criterion", "; ".join(figures)))
    rows.append(("Published", f"Revision {revision.number}, {_uk_date(clock.uk_date(revision.published_at))}"))
    rows.append(("Who may read it", scope.label))
    return tuple(rows)


# What the form offers, and the prepared download's side (``downloads.kinds``).


@dataclass(frozen=True)
class Choices:
    frameworks: list[tuple[int, str]]
    years: list[tuple[int, str]]
    standards: list[tuple[int, str]]


def choices_for(reader: User) -> Choices:
    """The frameworks, year groups and standards of the exemplars ``reader`` may read, each counted: one statement."""
    readable = readable_exemplars(reader).subquery()
    statement = (
        select(Framework.id, Framework.title, Framework.version, readable.c.year_group, Standard.id, Standard.code)
        .select_from(readable)
        .join(Framework, Framework.id == readable.c.framework_id)
        .join(Standard, Standard.id == readable.c.standard_id)
        .order_by(Framework.title, Framework.version, readable.c.year_group, Standard.position)
    )
    frameworks: dict[int, list[Any]] = {}
    years: dict[int, int] = {}
    standards: dict[int, list[Any]] = {}
    for framework_id, title, version, year, standard_id, code in db.session.execute(statement):
        frameworks.setdefault(framework_id, [f"{title} (version {version})", 0])[1] += 1
        years[year] = years.get(year, 0) + 1
        standards.setdefault(standard_id, [f"{title} (version {version}): {code}", 0])[1] += 1
    return Choices(
        frameworks=[(key, f"{label} ({number})") for key, (label, number) in frameworks.items()],
        years=[(year, f"{year_group_label(year)} ({years[year]})") for year in sorted(years)],
        standards=[(key, f"{label} ({number})") for key, (label, number) in standards.items()],
    )


def subject(arguments: dict[str, int]) -> BookletRequest | None:
    """The booklet a prepared download's arguments name; None when they do not name one (404)."""
    if "reader" not in arguments or "selection" not in arguments:
        return None
    year = arguments.get("year")
    if year is not None and year - YEAR_ARGUMENT_OFFSET not in range(14):
        return None
    return BookletRequest.from_arguments(arguments)


NOTHING_MATCHES = "No exemplar you may read matches these choices: choose others"


def selection(reader: User, filters: Filters) -> BookletRequest:
    """``reader``'s booklet of ``filters``, to ask for as a prepared download; a ``StandardsError`` for no exemplar
    or too many."""
    matching = count(reader, filters)
    if not matching:
        raise StandardsError(NOTHING_MATCHES, "framework")
    if matching > MAX_EXEMPLARS:
        raise StandardsError(
            f"{matching} exemplars match: a booklet holds at most {MAX_EXEMPLARS}. Choose a framework, year group or "
            "standard",
            "framework",
        )
    return request_for(reader, filters)
