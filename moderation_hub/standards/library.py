"""What readers get from the standards file: the browse page's exemplars and counts, and one exemplar's page.

Everything starts from ``permissions.readable_exemplars``, so a reader is only ever shown what the school's live
permission reaches and what they do not judge blind.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, func

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.education import year_group_label
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.permissions import readable_exemplars
from moderation_hub.rounds.paging import Paging, paging
from moderation_hub.standards import filtering
from moderation_hub.standards.filtering import Option
from moderation_hub.standards.models import Exemplar, ExemplarImage
from moderation_hub.standards.versions import newest_versions

EXEMPLARS_PER_PAGE = 50
FACETS = ("phase", "key_stage", "subject", "year", "standard")
FACET_LABELS = {facet: filtering.FACETS[facet].label for facet in FACETS}


@dataclass(frozen=True)
class Listed:
    code: str
    title: str  # the framework's title and version
    year_label: str
    standard_code: str
    standard_label: str
    facets: dict[str, str]  # facet -> value, as the filters name them
    newer_version: int | None = None  # the framework's newest version, when newer than the one it was judged against


@dataclass(frozen=True)
class Browse:
    paging: Paging
    exemplars: list[Listed]
    options: dict[str, list[Option]]  # facet -> its values, each counted with the other filters applied
    chosen: dict[str, str]


def browse(user: User, filters: Mapping[str, str], page_number: int) -> Browse | None:
    """The exemplars ``user`` may read that match ``filters``, a page at a time, and each filter's counts; None for a
    page that is not there. A statement for the count, one for the page and one per facet, all in SQL, whatever
    the number of exemplars."""
    chosen = filtering.chosen_filters(filters, FACETS)
    readable = filtering.readable(user)
    matching = filtering.narrowed(readable, chosen)
    page = paging(db.session.scalar(matching.with_only_columns(func.count())) or 0, EXEMPLARS_PER_PAGE, page_number)
    if page is None:
        return None
    rows = db.session.execute(_rows(matching).limit(page.per_page).offset(page.offset))
    return Browse(page, [_listed(row) for row in rows], filtering.options(readable, chosen, FACETS), chosen)


def _rows(matching: Select[Any]) -> Select[Any]:
    newest = newest_versions()
    return (
        matching.join(newest, newest.c.slug == Framework.slug)
        .with_only_columns(
            newest.c.newest,
            Exemplar.code,
            Exemplar.year_group,
            Framework.title,
            Framework.version,
            Framework.phase,
            Framework.key_stage,
            Framework.subject,
            Standard.code.label("standard_code"),
            Standard.label.label("standard_label"),
        )
        .order_by(Framework.subject, Exemplar.year_group, Standard.position, Exemplar.code)
    )


def _listed(row: Row[Any]) -> Listed:
    return Listed(
        code=row.code,
        title=f"{row.title} (version {row.version})",
        year_label=year_group_label(row.year_group),
        standard_code=row.standard_code,
        standard_label=row.standard_label,
        newer_version=row.newest if row.newest > row.version else None,
        facets={
            "phase": row.phase.value,
            "key_stage": row.key_stage.value if row.key_stage else "",
            "subject": row.subject,
            "year": str(row.year_group),
            "standard": row.standard_code,
        },
    )


def readable_by_code(user: User, code: str) -> Exemplar | None:
    return db.session.scalar(readable_exemplars(user).where(Exemplar.code == code))


def image_of(exemplar: Exemplar, number: int) -> ExemplarImage | None:
    return exemplar.images[number - 1] if 1 <= number <= len(exemplar.images) else None
