"""What readers get from the standards file: the browse page's exemplars and counts, and one exemplar's page.

Everything starts from ``permissions.readable_exemplars``, so a reader is only ever shown what the school's live
permission reaches and what they do not judge blind.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.education import year_group_label
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.permissions import readable_exemplars
from moderation_hub.rounds.paging import Paging, paging
from moderation_hub.standards.models import Exemplar, ExemplarImage
from moderation_hub.standards.versions import newest_versions

EXEMPLARS_PER_PAGE = 50
FACETS = ("phase", "key_stage", "subject", "year", "standard")
FACET_LABELS = {
    "phase": "Phase",
    "key_stage": "Key stage",
    "subject": "Subject",
    "year": "Year group",
    "standard": "Standard",
}


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
class Option:
    value: str
    label: str
    count: int
    chosen: bool


@dataclass(frozen=True)
class Browse:
    paging: Paging
    exemplars: list[Listed]
    options: dict[str, list[Option]]  # facet -> its values, each counted with the other filters applied
    chosen: dict[str, str]


def browse(user: User, filters: Mapping[str, str], page_number: int) -> Browse | None:
    """The exemplars ``user`` may read that match ``filters``, a page at a time, and each filter's counts; None for a
    page that is not there. One statement, whatever the number of exemplars."""
    chosen = {facet: filters[facet] for facet in FACETS if filters.get(facet)}
    listed = [_listed(row) for row in db.session.execute(_rows(user))]
    matching = [item for item in listed if all(item.facets[facet] == value for facet, value in chosen.items())]
    page = paging(len(matching), EXEMPLARS_PER_PAGE, page_number)
    if page is None:
        return None
    return Browse(page, matching[page.offset : page.offset + page.per_page], _options(listed, chosen), chosen)


def _rows(user: User) -> Select[Any]:
    readable = readable_exemplars(user).subquery()
    newest = newest_versions()
    return (
        select(
            readable.c.code,
            readable.c.year_group,
            Framework.title,
            Framework.version,
            Framework.phase,
            Framework.key_stage,
            Framework.subject,
            Standard.code.label("standard_code"),
            Standard.label.label("standard_label"),
            Standard.position,
            newest.c.newest,
        )
        .join(Framework, Framework.id == readable.c.framework_id)
        .join(newest, newest.c.slug == Framework.slug)
        .join(Standard, Standard.id == readable.c.standard_id)
        .order_by(Framework.subject, readable.c.year_group, Standard.position, readable.c.code)
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


def _labels(facet: str, value: str) -> str:
    if facet == "year":
        return year_group_label(int(value))
    if facet == "phase":
        return value.replace("_", " ").capitalize()
    return value


def _options(listed: list[Listed], chosen: dict[str, str]) -> dict[str, list[Option]]:
    options = {}
    for facet in FACETS:
        others = {key: value for key, value in chosen.items() if key != facet}
        counts = Counter(
            item.facets[facet]
            for item in listed
            if item.facets[facet] and all(item.facets[key] == value for key, value in others.items())
        )
        ordered = sorted(counts, key=lambda value: int(value) if facet == "year" else value)
        options[facet] = [
            Option(value, _labels(facet, value), counts[value], chosen.get(facet) == value) for value in ordered
        ]
    return options


def readable_by_code(user: User, code: str) -> Exemplar | None:
    return db.session.scalar(readable_exemplars(user).where(Exemplar.code == code))


def image_of(exemplar: Exemplar, number: int) -> ExemplarImage | None:
    return exemplar.images[number - 1] if 1 <= number <= len(exemplar.images) else None
