"""The filters readers narrow the standards file by (phase, key stage, subject, year group, standard, framework),
applied in SQL to the exemplars they may read, with each filter's values counted.

Browse, search and any other list of exemplars start from ``readable(user)`` and narrow it with ``narrowed``, so
the policy and the filters are one query whatever the number of exemplars; nothing is filtered in Python.
"""

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.education import KeyStage, Phase, year_group_label
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.permissions import readable_exemplars
from moderation_hub.standards.models import Exemplar


@dataclass(frozen=True)
class Facet:
    name: str  # as the address names it: ?phase=primary
    label: str
    column: Any  # what it compares
    parse: Callable[[str], Any]  # the address's value as the column holds it; ValueError when it cannot be one
    sort: Callable[[Any], Any] = str
    table: Any = Exemplar  # where the column is: the exemplar, its framework or its standard


def _phase(value: str) -> Phase:
    return Phase(value)


def _key_stage(value: str) -> KeyStage:
    return KeyStage(value)


def _number(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise ValueError(value)
    return int(value)


# One line per filter: browse, search and their forms all read this.
FACETS = {
    facet.name: facet
    for facet in (
        Facet("phase", "Phase", Framework.phase, _phase, table=Framework),
        Facet("key_stage", "Key stage", Framework.key_stage, _key_stage, table=Framework),
        Facet("subject", "Subject", Framework.subject, str, table=Framework),
        Facet("year", "Year group", Exemplar.year_group, _number, int),
        Facet("standard", "Standard", Standard.code, str, table=Standard),
        Facet("framework", "Framework", Exemplar.framework_id, _number, int),
    )
}


def readable(user: User) -> Select[Any]:
    """The exemplars ``user`` may read today with their framework and standard joined; select what you need."""
    return (
        readable_exemplars(user)
        .join(Framework, Framework.id == Exemplar.framework_id)
        .join(Standard, Standard.id == Exemplar.standard_id)
    )


def readable_matching(user: User, chosen: Mapping[str, str]) -> Select[Any]:
    """The exemplars ``user`` may read that match the ``chosen`` filters, joining the framework or standard only
    when a filter needs it: for a query that only needs the exemplars' ids (a search's ranking) over many rows."""
    statement = readable_exemplars(user)
    tables = {FACETS[name].table for name in chosen}
    if Framework in tables:
        statement = statement.join(Framework, Framework.id == Exemplar.framework_id)
    if Standard in tables:
        statement = statement.join(Standard, Standard.id == Exemplar.standard_id)
    return narrowed(statement, chosen)


def chosen_filters(filters: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The filters among ``names`` given a value, as the address gave them."""
    return {name: filters[name] for name in names if filters.get(name)}


def condition(facet: Facet, value: str) -> ColumnElement[bool]:
    """The facet equals ``value``; a value the facet cannot hold matches nothing (never an error)."""
    try:
        parsed = facet.parse(value)
    except ValueError:
        return false()
    return facet.column == parsed


def narrowed(statement: Select[Any], chosen: Mapping[str, str], leave_out: str | None = None) -> Select[Any]:
    """``statement`` (from ``readable``) with each chosen filter applied, except ``leave_out``."""
    for name, value in chosen.items():
        if name != leave_out:
            statement = statement.where(condition(FACETS[name], value))
    return statement


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    chosen: bool


def options(base: Select[Any], chosen: Mapping[str, str], names: tuple[str, ...]) -> dict[str, list[Option]]:
    """Each facet's values among ``base`` (from ``readable``) with the other chosen filters applied, counted: one
    grouped statement per facet, whatever the number of exemplars."""
    counted = {}
    for name in names:
        facet = FACETS[name]
        labelled = (Framework.title, Framework.version) if name == "framework" else ()
        statement = (
            narrowed(base, chosen, leave_out=name)
            .with_only_columns(facet.column, *labelled, func.count())
            .where(facet.column.is_not(None))
            .group_by(facet.column, *labelled)
        )
        rows = sorted(db.session.execute(statement), key=lambda row, facet=facet: facet.sort(row[0]))
        counted[name] = [
            Option(_value(row[0]), _label(name, row), row[-1], chosen.get(name) == _value(row[0])) for row in rows
        ]
    return counted


def _value(value: Any) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)


def _label(name: str, row: Any) -> str:
    value = row[0]
    if name == "year":
        return year_group_label(value)
    if name == "phase":
        return value.label
    if name == "framework":
        return f"{row[1]} (version {row[2]})"
    return str(value)
