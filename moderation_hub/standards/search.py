"""Search of the standards file: the words a reader types, matched against the index of each published exemplar's
current revision (``search_index``), among the exemplars they may read, narrowed by the same filters as browse,
ranked, a page at a time, each with a snippet that marks the words found.

What the reader typed never reaches the database as syntax: ``parse`` keeps only words (folded as the index folds
them) and the phrases they quoted, and each is written into the query as a quoted string of letters and digits.
"""

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, Subquery, asc, desc, func, literal_column, select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.education import YEAR_GROUPS, KeyStage, Phase, year_group_label
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.rounds.paging import Paging
from moderation_hub.standards import filtering
from moderation_hub.standards.models import Exemplar, ExemplarRevision
from moderation_hub.standards.search_index import (
    COLUMNS,
    SIMPLE,
    TABLE,
    Searchable,
    fts_table,
    on_postgresql,
    searchable,
    tsvector_table,
    words,
)

RESULTS_PER_PAGE = 20
LONGEST_QUERY = 200  # characters
MOST_TERMS = 10
FILTERS = ("phase", "key_stage", "subject", "year", "standard", "framework")
# How much a match counts in each column (commentary, statements, annotations, pupils' work): FTS5's bm25 takes
# them in column order; PostgreSQL's ts_rank_cd takes weights D, C, B, A, its columns' weights being A to D.
BM25_WEIGHTS = (4.0, 2.0, 2.0, 1.0)
TS_RANK_WEIGHTS = "'{0.25, 0.5, 0.5, 1.0}'"
SNIPPET_WORDS = 30
SNIPPET_LEAD = 6  # words shown before the first one found
SNIPPET_SOURCE = 20_000  # characters of a part looked through for a snippet
# Control and format characters (text-direction overrides, zero-width ones): a snippet shows a space instead.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_RUN = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")  # letters and digits, with any accents written apart
COLUMN_NAMES = {
    "commentary": "From the commentary",
    "statements": "From the statements it evidences",
    "annotations": "From the annotations",
    "page_text": "From the pupil's work",
}


@dataclass(frozen=True)
class Query:
    """What to find: each term a word or a phrase (words in order), every term required."""

    terms: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def words(self) -> set[str]:
        return {word for term in self.terms for word in term}

    def fts5(self) -> str:
        """An FTS5 MATCH expression: each term a quoted phrase (its words are letters and digits only)."""
        return " ".join('"' + " ".join(term) + '"' for term in self.terms)

    def tsquery(self) -> str:
        """A PostgreSQL tsquery: each term its quoted words followed one by another, every term required."""
        return " & ".join("(" + " <-> ".join(f"'{word}'" for word in term) + ")" for term in self.terms)


def parse(typed: str) -> Query:
    """The terms of what a reader typed: a quoted phrase, or a word; a word joined by punctuation ('year-6',
    "pupil's") is the phrase of its parts, as the index splits it. Everything else is ignored."""
    terms: list[tuple[str, ...]] = []
    for position, part in enumerate(typed[:LONGEST_QUERY].split('"')):
        if position % 2:  # inside quotes
            terms.append(tuple(words(part)))
        else:
            terms.extend(tuple(words(chunk)) for chunk in part.split())
    unique = dict.fromkeys(term for term in terms if term)
    return Query(tuple(unique)[:MOST_TERMS])


@dataclass(frozen=True)
class Found:
    code: str
    title: str
    year_label: str
    standard_code: str
    standard_label: str
    snippet: Markup  # escaped text, the words found marked
    snippet_from: str  # which part of the exemplar it comes from


@dataclass(frozen=True)
class Results:
    paging: Paging
    found: list[Found]


def search(user: User, query: Query, filters: Mapping[str, str], page_number: int) -> Results | None:
    """The exemplars ``user`` may read that match ``query`` and ``filters``, best first, a page at a time; None for a
    page past the last. Two statements whatever the number of exemplars (and the policy's one for blind holds)."""
    rows = db.session.execute(matching(user, query, filters, page_number)).all()
    if not rows and page_number > 1:
        return None
    total = rows[0].total if rows else 0
    pages = max(1, -(-total // RESULTS_PER_PAGE))
    texts = _current_texts([row.id for row in rows])
    return Results(
        Paging(page_number, pages, total, RESULTS_PER_PAGE), [_found(row, texts[row.id], query) for row in rows]
    )


def matching(user: User, query: Query, filters: Mapping[str, str], page_number: int) -> Select[Any]:
    """One page of the matches the reader may read, best first, each row carrying the total: one statement. The
    ranking and the count read only the exemplars' ids; the page's 20 rows then get their framework and standard."""
    matched, rank_order = _matched(query)
    ranked = (
        filtering.readable_matching(user, filtering.chosen_filters(filters, FILTERS))
        .join(matched, matched.c.id == Exemplar.id)
        .with_only_columns(Exemplar.id, Exemplar.code, matched.c.rank, func.count().over().label("total"))
        .order_by(rank_order(matched.c.rank), Exemplar.code)
        .limit(RESULTS_PER_PAGE)
        .offset((max(page_number, 1) - 1) * RESULTS_PER_PAGE)
        .subquery("ranked")
    )
    return (
        select(
            ranked.c.id,
            ranked.c.code,
            ranked.c.total,
            Exemplar.year_group,
            Framework.title,
            Framework.version,
            Standard.code.label("standard_code"),
            Standard.label.label("standard_label"),
        )
        .join(Exemplar, Exemplar.id == ranked.c.id)
        .join(Framework, Framework.id == Exemplar.framework_id)
        .join(Standard, Standard.id == Exemplar.standard_id)
        .order_by(rank_order(ranked.c.rank), ranked.c.code)
    )


def bare(query: Query) -> Select[Any]:
    """The same words as a bare full-text query on the index, best first, a page: what the benchmark compares."""
    matched, rank_order = _matched(query)
    return select(matched.c.id).order_by(rank_order(matched.c.rank)).limit(RESULTS_PER_PAGE)


def _matched(query: Query) -> tuple[Subquery, Callable[[Any], ColumnElement[Any]]]:
    """The index's rows matching ``query`` as (id, rank), and how to order a rank best first."""
    if on_postgresql():
        tsquery = func.to_tsquery(SIMPLE, query.tsquery())
        document = tsvector_table.c.document
        rank = func.ts_rank_cd(literal_column(TS_RANK_WEIGHTS), document, tsquery, 1)
        matched = select(tsvector_table.c.exemplar_id.label("id"), rank.label("rank")).where(document.op("@@")(tsquery))
        return matched.subquery("matched"), desc
    rank = func.bm25(literal_column(TABLE), *BM25_WEIGHTS)  # lower is better
    matched = select(fts_table.c.rowid.label("id"), rank.label("rank")).where(
        literal_column(TABLE).op("MATCH")(query.fts5())
    )
    return matched.subquery("matched"), asc


def _current_texts(ids: list[int]) -> dict[int, Searchable]:
    """The searchable text of each exemplar's current revision: one statement for the page."""
    if not ids:
        return {}
    statement = (
        select(ExemplarRevision.exemplar_id, ExemplarRevision.commentary, ExemplarRevision.content)
        .where(ExemplarRevision.exemplar_id.in_(ids))
        .order_by(ExemplarRevision.exemplar_id, ExemplarRevision.number)
    )
    return {row.exemplar_id: searchable(row) for row in db.session.execute(statement)}


def _found(row: Any, text: Searchable, query: Query) -> Found:
    snippet, column = snippet_of(text, query.words)
    return Found(
        code=row.code,
        title=f"{row.title} (version {row.version})",
        year_label=year_group_label(row.year_group),
        standard_code=row.standard_code,
        standard_label=row.standard_label,
        snippet=snippet,
        snippet_from=COLUMN_NAMES[column],
    )


def snippet_of(text: Searchable, wanted: set[str]) -> tuple[Markup, str]:
    """Some words of the first part of ``text`` holding a word of ``wanted``, from a few before the first such word,
    escaped, with each wanted word marked; and which part it is from. Markup from the database is never trusted:
    the snippet is made here from the revision's text, every character escaped."""
    for column in COLUMNS:
        part = getattr(text, column)[:SNIPPET_SOURCE]
        first = _first_wanted(part, wanted)
        if first is not None:
            return _marked(part, first, wanted), column
    return _marked(text.commentary[:SNIPPET_SOURCE], 0, wanted), "commentary"


def _is_wanted(word: str, wanted: set[str]) -> bool:
    return word.lower() in wanted if word.isascii() else any(part in wanted for part in words(word))


def _first_wanted(text: str, wanted: set[str]) -> int | None:
    """Where the first wanted word of ``text`` starts; None when there is none."""
    if text.isascii():  # the usual case, found by one search (the wanted words are folded, so ASCII too)
        pattern = r"(?<![^\W_])(?:" + "|".join(re.escape(word) for word in wanted if word.isascii()) + r")(?![^\W_])"
        found = re.search(pattern, text, re.IGNORECASE) if any(word.isascii() for word in wanted) else None
        return found.start() if found else None
    return next((run.start() for run in _RUN.finditer(text) if _is_wanted(run.group(), wanted)), None)


def _marked(text: str, first: int, wanted: set[str]) -> Markup:
    """``SNIPPET_WORDS`` runs of ``text`` from a few before the one at ``first``, escaped, wanted ones marked."""
    before = [run.start() for run in _RUN.finditer(text, max(0, first - 200), first)][-SNIPPET_LEAD:]
    start = before[0] if before else first
    runs = list(itertools.islice(_RUN.finditer(text, start), SNIPPET_WORDS + 1))
    if not runs:
        return Markup("")
    end = runs[min(len(runs), SNIPPET_WORDS) - 1].end()
    shown = _INVISIBLE.sub(" ", text[start:end])  # one character for one: positions stay
    parts, position = [Markup("… ") if start > 0 else Markup("")], 0
    for run in runs[:SNIPPET_WORDS]:
        if _is_wanted(run.group(), wanted):
            parts += [
                escape(shown[position : run.start() - start]),
                Markup("<mark>%s</mark>") % shown[run.start() - start : run.end() - start],
            ]
            position = run.end() - start
    parts.append(escape(shown[position:]))
    if len(runs) > SNIPPET_WORDS:
        parts.append(Markup(" …"))
    return Markup("").join(parts)


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """What each filter can be set to, as (value, label), from the frameworks: a few rows whatever the number of
    exemplars."""
    frameworks = db.session.execute(
        select(Framework.id, Framework.title, Framework.version, Framework.subject).order_by(
            Framework.title, Framework.version
        )
    ).all()
    codes = db.session.scalars(select(Standard.code).distinct().order_by(Standard.code))
    return {
        "phase": [(phase.value, phase.label) for phase in Phase],
        "key_stage": [(stage.value, stage.value) for stage in KeyStage],
        "subject": [(subject, subject) for subject in sorted({row.subject for row in frameworks})],
        "year": [(str(year), year_group_label(year)) for year in YEAR_GROUPS],
        "standard": [(code, code) for code in codes],
        "framework": [(str(row.id), f"{row.title} (version {row.version})") for row in frameworks],
    }
