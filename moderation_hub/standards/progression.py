"""The progression view: a subject followed across year groups, key stages and phases, each framework's standards
side by side as columns (WTS, EXS, GDS) and its year groups as rows (Year 2, Year 6, Year 7 on the KS3 scale).

A cell shows a few of the published exemplars the reader may read (``permissions.readable_exemplars``, so scope,
the live permission, never-publish flags and blind holds apply in SQL) and counts the rest, with a link to browse
filtered to the cell. The page costs the same statements whatever the number of exemplars: the frameworks, the
counts per cell, the scales, the exemplars ranked per cell and their current revisions, each one statement.
"""

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, func, select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.education import KeyStage, year_group_label
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.permissions import readable_exemplars
from moderation_hub.standards.models import Exemplar, ExemplarImage, ExemplarRevision

EXEMPLARS_PER_CELL = 3
SUMMARY_LENGTH = 140
_PARENTHESISED = re.compile(r"\(([^()]+)\)")


def subject_key(subject: str) -> str:
    """What follows a subject across key stages: "Writing" (KS1, KS2) and "English (writing)" (a KS3 scale) are the
    same subject to a teacher following writing from Year 2 to Year 7, so both are "writing"."""
    inner = _PARENTHESISED.search(subject)
    return (inner.group(1) if inner else subject).strip().casefold()


def one_line(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first sentence (or line) of ``text``, cut at a word within ``limit`` characters."""
    first = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0].strip()
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    chosen: bool


@dataclass(frozen=True)
class Shown:
    code: str
    pupil: str
    summary: str
    thumbnail: tuple[int, int] | None  # the first page's width and height, when it has one


@dataclass(frozen=True)
class Cell:
    standard_code: str
    standard_label: str
    count: int
    exemplars: list[Shown]
    browse: dict[str, str]  # browse's filters for this cell, for "see all"


@dataclass(frozen=True)
class YearRow:
    year_label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    framework_id: int
    title: str
    stage_label: str
    columns: list[tuple[str, str]]  # standards (code, label) from lowest to highest
    rows: list[YearRow]


@dataclass(frozen=True)
class Progression:
    subjects: list[Choice]
    frameworks: list[Choice]  # of the chosen subject
    subject: str | None
    tables: list[Table]


def progression(user: User, subject: str | None, framework_id: int | None) -> Progression | None:
    """``subject`` (a ``subject_key``) followed across its frameworks, or one of them, for ``user``; None for a
    subject or framework they have no exemplar of. Without a subject, only the subjects to choose from."""
    frameworks = {
        row.id: row
        for row in db.session.execute(
            select(Framework.id, Framework.title, Framework.version, Framework.subject, Framework.key_stage)
        )
    }
    counts = _cell_counts(user)
    subjects = _subjects(frameworks, counts)
    if subject is None:
        return Progression([Choice(key, label, False) for key, label in subjects.items()], [], None, [])
    if subject not in subjects:
        return None
    of_subject = sorted(
        {fid for fid, _year, _standard in counts if subject_key(frameworks[fid].subject) == subject},
        key=lambda fid: _stage_order(frameworks[fid], counts),
    )
    if framework_id is not None and framework_id not in of_subject:
        return None
    chosen = [framework_id] if framework_id is not None else of_subject
    return Progression(
        [Choice(key, label, key == subject) for key, label in subjects.items()],
        [Choice(str(other), _title(frameworks[other]), other == framework_id) for other in of_subject],
        subject,
        _tables(user, [frameworks[chosen_id] for chosen_id in chosen], counts),
    )


def _cell_counts(user: User) -> dict[tuple[int, int, int], int]:
    """(framework, year group, standard) -> how many exemplars ``user`` may read there."""
    readable = readable_exemplars(user).subquery()
    statement = select(readable.c.framework_id, readable.c.year_group, readable.c.standard_id, func.count()).group_by(
        readable.c.framework_id, readable.c.year_group, readable.c.standard_id
    )
    return {(framework, year, standard): count for framework, year, standard, count in db.session.execute(statement)}


def _subjects(frameworks: Mapping[int, Row[Any]], counts: Mapping[tuple[int, int, int], int]) -> dict[str, str]:
    keys = sorted({subject_key(frameworks[framework_id].subject) for framework_id, _year, _standard in counts})
    return {key: key.capitalize() for key in keys}


def _stage_order(framework: Row[Any], counts: Mapping[tuple[int, int, int], int]) -> tuple[int, int, str, int]:
    """Frameworks in the order a pupil meets them: by their youngest year group with exemplars, then key stage."""
    youngest = min(year for framework_id, year, _standard in counts if framework_id == framework.id)
    stage = list(KeyStage).index(framework.key_stage) if framework.key_stage else len(KeyStage)
    return youngest, stage, framework.title.casefold(), -framework.version


def _title(framework: Row[Any]) -> str:
    return f"{framework.title} (version {framework.version})"


def _tables(user: User, frameworks: list[Row[Any]], counts: Mapping[tuple[int, int, int], int]) -> list[Table]:
    ids = [framework.id for framework in frameworks]
    scales: dict[int, list[Standard]] = defaultdict(list)
    for standard in db.session.scalars(
        select(Standard).where(Standard.framework_id.in_(ids)).order_by(Standard.framework_id, Standard.position)
    ):
        scales[standard.framework_id].append(standard)
    shown = _shown(user, ids)
    tables = []
    for framework in frameworks:
        here = {(year, standard): count for (fid, year, standard), count in counts.items() if fid == framework.id}
        # Every standard from the lowest with an exemplar to the highest: a gap in the middle shows as empty cells.
        used = [index for index, standard in enumerate(scales[framework.id]) if any(s == standard.id for _y, s in here)]
        scale = scales[framework.id][min(used) : max(used) + 1] if used else []
        rows = [
            YearRow(
                year_group_label(year),
                [
                    Cell(
                        standard.code,
                        standard.label,
                        here.get((year, standard.id), 0),
                        shown.get((framework.id, year, standard.id), []),
                        _browse_filters(framework, year, standard),
                    )
                    for standard in scale
                ],
            )
            for year in sorted({year for year, _standard in here})
        ]
        stage = framework.key_stage.label if framework.key_stage else "Across key stages"
        tables.append(Table(framework.id, _title(framework), stage, [(s.code, s.label) for s in scale], rows))
    return tables


def _browse_filters(framework: Row[Any], year: int, standard: Standard) -> dict[str, str]:
    filters = {"subject": framework.subject, "year": str(year), "standard": standard.code}
    if framework.key_stage:
        filters["key_stage"] = framework.key_stage.value
    return filters


def _shown(user: User, framework_ids: list[int]) -> dict[tuple[int, int, int], list[Shown]]:
    """The first few exemplars of each cell, best agreed first: one statement ranks them, one reads their current
    revisions' summaries and first pages."""
    readable = readable_exemplars(user).where(Exemplar.framework_id.in_(framework_ids)).subquery()
    agreement = func.coalesce(readable.c.overall_agreement, 0.0)
    ranked = select(
        readable.c.id,
        readable.c.code,
        readable.c.framework_id,
        readable.c.year_group,
        readable.c.standard_id,
        func.row_number()
        .over(
            partition_by=(readable.c.framework_id, readable.c.year_group, readable.c.standard_id),
            order_by=(agreement.desc(), readable.c.code),
        )
        .label("rank"),
    ).subquery()
    firsts = list(db.session.execute(select(ranked).where(ranked.c.rank <= EXEMPLARS_PER_CELL).order_by(ranked.c.rank)))
    if not firsts:
        return {}
    details = _details([row.id for row in firsts])
    cells: dict[tuple[int, int, int], list[Shown]] = defaultdict(list)
    for row in firsts:
        pupil, summary, thumbnail = details.get(row.id, ("", "", None))
        cells[(row.framework_id, row.year_group, row.standard_id)].append(Shown(row.code, pupil, summary, thumbnail))
    return cells


def _details(exemplar_ids: list[int]) -> dict[int, tuple[str, str, tuple[int, int] | None]]:
    """Each exemplar's pupil label and one-line summary from its current revision, and its first page's size."""
    latest = (
        select(func.max(ExemplarRevision.number))
        .where(ExemplarRevision.exemplar_id == Exemplar.id)
        .correlate(Exemplar)
        .scalar_subquery()
    )
    statement = (
        select(
            Exemplar.id,
            ExemplarRevision.content["pupil"].as_string().label("pupil"),
            ExemplarRevision.commentary,
            ExemplarImage.width,
            ExemplarImage.height,
        )
        .join(ExemplarRevision, and_(ExemplarRevision.exemplar_id == Exemplar.id, ExemplarRevision.number == latest))
        .outerjoin(ExemplarImage, and_(ExemplarImage.exemplar_id == Exemplar.id, ExemplarImage.position == 1))
        .where(Exemplar.id.in_(exemplar_ids))
    )
    return {
        row.id: (
            row.pupil or "Pupil A",
            one_line(row.commentary),
            (row.width, row.height) if row.width is not None else None,
        )
        for row in db.session.execute(statement)
    }
