"""The statement view: one framework statement (criterion) evidenced at each standard, from the annotations of the
published exemplars that the reader may read.

The evidence lives in each revision's content (JSON). Asking "which exemplars evidence EXS.3" of that JSON would
scan every revision with functions that differ between SQLite and PostgreSQL, so publication also writes each
evidencing annotation to ``exemplar_statement`` (``index_statements``) and withdrawal deletes it
(``forget_statements``); readers' queries join it to ``permissions.readable_exemplars``, so the live permission,
never-publish flags and blind holds are applied in SQL as everywhere else.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.education import year_group_label
from moderation_hub.frameworks.models import Criterion, Framework, Standard
from moderation_hub.permissions import readable_exemplars
from moderation_hub.rounds.paging import Paging, paging
from moderation_hub.standards.models import Exemplar, ExemplarStatement

EXEMPLARS_PER_STANDARD = 4  # on the page of every standard; "see all" pages through one standard
EXEMPLARS_PER_PAGE = 20
ANNOTATIONS_PER_EXEMPLAR = 5


# Publication and withdrawal.


def index_statements(exemplar: Exemplar, content: Mapping[str, Any]) -> int:
    """Write the statement index of ``exemplar`` from its published ``content``: one row per annotation that its
    evidence grid links to a statement. Returns the number of rows."""
    forget_statements(exemplar)
    criteria = dict(
        db.session.execute(
            select(Criterion.code, Criterion.id).where(Criterion.framework_id == exemplar.framework_id)
        ).all()
    )
    where = {}  # annotation number -> (piece letter, page position, comment)
    for page in content.get("pages", []):
        for annotation in page.get("annotations", []):
            where[annotation["number"]] = (page.get("piece"), page["position"], annotation.get("comment", ""))
    rows = []
    for row in content.get("grid", {}).get("rows", []):
        criterion_id = criteria.get(row["code"])
        numbers = sorted({number for cell in row["cells"] for number in cell})
        for number in numbers:
            if criterion_id is None or number not in where:
                continue
            piece, position, comment = where[number]
            rows.append(
                ExemplarStatement(
                    exemplar_id=exemplar.id,
                    criterion_id=criterion_id,
                    standard_id=exemplar.standard_id,
                    piece=piece,
                    page_position=position,
                    annotation_number=number,
                    annotation_text=comment,
                )
            )
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)


def forget_statements(exemplar: Exemplar) -> None:
    db.session.execute(delete(ExemplarStatement).where(ExemplarStatement.exemplar_id == exemplar.id))


# Readers.


@dataclass(frozen=True)
class Evidence:
    number: int
    text: str
    piece: str | None
    page: int


@dataclass(frozen=True)
class Evidenced:
    code: str
    year_label: str
    evidence: list[Evidence]
    more_annotations: int  # beyond those shown


@dataclass(frozen=True)
class AtStandard:
    code: str
    label: str
    count: int  # readable exemplars at this standard that evidence the statement
    exemplars: list[Evidenced]


@dataclass(frozen=True)
class StatementView:
    framework: Framework
    criterion: Criterion
    standards: list[AtStandard]
    paging: Paging | None  # when the page shows one standard's exemplars a page at a time


def find_criterion(framework_id: int, code: str) -> Criterion | None:
    if len(code) > 32 or not code.isprintable():
        return None
    return db.session.scalar(select(Criterion).where(Criterion.framework_id == framework_id, Criterion.code == code))


def statement_view(
    user: User, criterion: Criterion, standard_code: str | None, page_number: int
) -> StatementView | None:
    """``criterion`` evidenced at each standard of its framework, in the scale's order, a few exemplars each; or,
    given ``standard_code``, at that standard alone a page at a time. None for a standard or page not there."""
    framework = criterion.framework
    scale = list(
        db.session.scalars(select(Standard).where(Standard.framework_id == framework.id).order_by(Standard.position))
    )
    if standard_code is not None:
        scale = [standard for standard in scale if standard.code == standard_code]
        if not scale:
            return None
    readable = readable_exemplars(user).where(Exemplar.framework_id == framework.id).subquery()
    counts = dict(
        db.session.execute(
            select(ExemplarStatement.standard_id, func.count(func.distinct(ExemplarStatement.exemplar_id)))
            .join(readable, readable.c.id == ExemplarStatement.exemplar_id)
            .where(ExemplarStatement.criterion_id == criterion.id)
            .group_by(ExemplarStatement.standard_id)
        ).all()
    )
    page = None
    first, last = 1, EXEMPLARS_PER_STANDARD
    if standard_code is not None:
        page = paging(counts.get(scale[0].id, 0), EXEMPLARS_PER_PAGE, page_number)
        if page is None:
            return None
        first, last = page.offset + 1, page.offset + page.per_page
    found = _evidence(readable, criterion, [standard.id for standard in scale], first, last)
    standards = [
        AtStandard(standard.code, standard.label, counts.get(standard.id, 0), found.get(standard.id, []))
        for standard in scale
    ]
    return StatementView(framework, criterion, standards, page)


def _evidence(
    readable: Any, criterion: Criterion, standard_ids: list[int], first: int, last: int
) -> dict[int, list[Evidenced]]:
    """Per standard, its exemplars ranked ``first`` to ``last`` (by code: random, so no school comes first), each
    with its first few annotations evidencing ``criterion``. One statement."""
    ranked = (
        select(
            ExemplarStatement.standard_id,
            ExemplarStatement.annotation_number,
            ExemplarStatement.annotation_text,
            ExemplarStatement.piece,
            ExemplarStatement.page_position,
            readable.c.code,
            readable.c.year_group,
            func.dense_rank()
            .over(partition_by=ExemplarStatement.standard_id, order_by=readable.c.code)
            .label("exemplar_rank"),
            func.row_number()
            .over(partition_by=ExemplarStatement.exemplar_id, order_by=ExemplarStatement.annotation_number)
            .label("note_rank"),
            func.count().over(partition_by=ExemplarStatement.exemplar_id).label("notes"),
        )
        .join(readable, readable.c.id == ExemplarStatement.exemplar_id)
        .where(ExemplarStatement.criterion_id == criterion.id, ExemplarStatement.standard_id.in_(standard_ids))
        .subquery()
    )
    statement = (
        select(ranked)
        .where(
            ranked.c.exemplar_rank.between(first, last),
            ranked.c.note_rank <= ANNOTATIONS_PER_EXEMPLAR,
        )
        .order_by(ranked.c.standard_id, ranked.c.exemplar_rank, ranked.c.note_rank)
    )
    shown: dict[int, list[Evidenced]] = {}
    for row in db.session.execute(statement):
        exemplars = shown.setdefault(row.standard_id, [])
        if not exemplars or exemplars[-1].code != row.code:
            extra = max(row.notes - ANNOTATIONS_PER_EXEMPLAR, 0)
            exemplars.append(Evidenced(row.code, year_group_label(row.year_group), [], extra))
        exemplars[-1].evidence.append(
            Evidence(row.annotation_number, row.annotation_text, row.piece, row.page_position)
        )
    return shown


def framework_statements(user: User, framework: Framework) -> list[tuple[Criterion, int]]:
    """The framework's statements in order, each with how many exemplars ``user`` may read evidence it."""
    readable = readable_exemplars(user).where(Exemplar.framework_id == framework.id).subquery()
    counts = dict(
        db.session.execute(
            select(ExemplarStatement.criterion_id, func.count(func.distinct(ExemplarStatement.exemplar_id)))
            .join(readable, readable.c.id == ExemplarStatement.exemplar_id)
            .group_by(ExemplarStatement.criterion_id)
        ).all()
    )
    criteria = db.session.scalars(
        select(Criterion).where(Criterion.framework_id == framework.id).order_by(Criterion.position)
    )
    return [(criterion, counts.get(criterion.id, 0)) for criterion in criteria]
