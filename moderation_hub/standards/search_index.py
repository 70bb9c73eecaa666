"""The standards file's full-text index: one row per published exemplar, holding its current revision's words.

SQLite keeps them in an FTS5 table, PostgreSQL in a weighted ``tsvector`` column with a GIN index; both are fed the
same words, folded by ``words`` here (case and accents folded, split on anything not a letter or digit), so the two
databases find the same exemplars for the same query (docs/decisions.md, "Standards search").

The index follows publication: a new revision replaces its exemplar's row, a withdrawn copy (permission withdrawn,
expired, or the pupil flagged) removes it. Readers never depend on that alone: every search also passes through
``permissions.readable_exemplars``, so an expiry hides an exemplar before the hourly sweep removes its row.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from moderation_hub.db import db
from moderation_hub.standards.models import Exemplar, ExemplarRevision

TABLE = "exemplar_search"
# What each column holds, in the order of the FTS5 table's columns and of PostgreSQL's weights A to D.
COLUMNS = ("commentary", "statements", "annotations", "page_text")
WEIGHTS = "ABCD"
# Longer runs of letters are not words anyone searches for; PostgreSQL refuses to index words over 2,047 bytes.
LONGEST_WORD = 60
# A part's text indexed, in characters: far more than a collection's pages hold, and well inside PostgreSQL's 1 MB
# limit on a tsvector (so a publication never fails on it).
LONGEST_PART = 200_000

# The tables as the migration makes them; under create_all they ride on the exemplar table's creation.
CREATE = {
    "sqlite": [
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({', '.join(COLUMNS)}, tokenize = 'unicode61 remove_diacritics 0')"
    ],
    "postgresql": [
        f"CREATE TABLE {TABLE} (exemplar_id INTEGER NOT NULL PRIMARY KEY REFERENCES exemplar (id) ON DELETE CASCADE,"
        " document TSVECTOR NOT NULL)",
        f"CREATE INDEX ix_{TABLE}_document ON {TABLE} USING gin (document)",
    ],
}
DROP = {"sqlite": [f"DROP TABLE IF EXISTS {TABLE}"], "postgresql": [f"DROP TABLE IF EXISTS {TABLE}"]}
_UNDECLARED_TABLES = re.compile(rf"^{TABLE}(_data|_idx|_content|_docsize|_config)?$")


def declared(name: str | None, type_: str, _parent_names: object) -> bool:
    """Whether Alembic compares ``name`` with the models: not this index, made by DDL (with FTS5's shadow tables),
    so autogenerate never drops it and the schema test does not count it as a difference."""
    return not (type_ == "table" and name is not None and _UNDECLARED_TABLES.match(name))


for _dialect, _statements in CREATE.items():
    for _statement in _statements:
        sa.event.listen(Exemplar.__table__, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))
for _dialect, _statements in DROP.items():
    for _statement in _statements:
        sa.event.listen(Exemplar.__table__, "before_drop", sa.DDL(_statement).execute_if(dialect=_dialect))


_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """``text`` as the index and the query see it: case folded, accents removed, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return [word[:LONGEST_WORD] for word in _WORD.findall(plain)]


@dataclass(frozen=True)
class Searchable:
    """A revision's searchable text, by column, as written (the index holds it folded by ``words``)."""

    commentary: str
    statements: str
    annotations: str
    page_text: str

    def folded(self) -> dict[str, str]:
        """Each part's words as the index holds them, at most ``LONGEST_PART`` characters of each part."""
        return {column: " ".join(words(getattr(self, column)[:LONGEST_PART])) for column in COLUMNS}


class Revision(Protocol):
    """What ``searchable`` reads of a revision: the ORM object, or a row of these two columns."""

    commentary: str
    content: dict[str, Any]


def searchable(revision: Revision) -> Searchable:
    """Everything a reader can read in ``revision``: the one place that knows where its text lives."""
    content = revision.content or {}
    written = content.get("commentary") or {}
    commented = [item for item in written.get("statements", []) if isinstance(item, dict)]
    pages = content.get("pages", [])
    return Searchable(
        commentary=_joined(
            [revision.commentary, *(item.get("text") for item in commented), written.get("why_not_next")]
        ),
        statements=_joined(
            f"{row.get('code', '')} {row.get('statement', '')}"
            for row in [*(content.get("grid") or {}).get("rows", []), *commented]
        ),
        annotations=_joined(annotation.get("comment") for page in pages for annotation in page.get("annotations", [])),
        page_text=_joined(
            [*(piece.get("title") for piece in content.get("pieces", [])), *(page.get("text") for page in pages)]
        ),
    )


def _joined(parts: Iterable[Any]) -> str:
    return "\n".join(part for part in parts if isinstance(part, str) and part)


def on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# The index as queries name it: the FTS5 table (its rowid is the exemplar's id), or PostgreSQL's table.
fts_table = sa.table(TABLE, sa.column("rowid", sa.Integer), *(sa.column(column, sa.Text) for column in COLUMNS))
tsvector_table = sa.table(TABLE, sa.column("exemplar_id", sa.Integer), sa.column("document"))
SIMPLE = sa.literal_column("'simple'")  # PostgreSQL's configuration without stemming or stop words


def index_insert(dialect: str) -> sa.Insert:
    """The insert of index rows (from ``index_row``), one or many, on ``dialect``'s database."""
    if dialect == "postgresql":
        weighted = [
            sa.func.setweight(
                sa.func.to_tsvector(SIMPLE, sa.bindparam(f"text_{column}")), sa.literal_column(f"'{weight}'")
            )
            for column, weight in zip(COLUMNS, WEIGHTS, strict=True)
        ]
        document = functools.reduce(lambda left, right: left.op("||")(right), weighted)
        return sa.insert(tsvector_table).values(exemplar_id=sa.bindparam("exemplar"), document=document)
    values = {column: sa.bindparam(f"text_{column}") for column in COLUMNS}
    return sa.insert(fts_table).values(rowid=sa.bindparam("exemplar"), **values)


def index_row(exemplar_id: int, text: Searchable) -> dict[str, Any]:
    return {"exemplar": exemplar_id, **{f"text_{column}": words for column, words in text.folded().items()}}


def index_revision(exemplar: Exemplar, revision: ExemplarRevision) -> None:
    """``revision`` is now what readers of ``exemplar`` see: its words replace the exemplar's row."""
    forget(exemplar)
    dialect = db.session.get_bind().dialect.name
    db.session.execute(index_insert(dialect), [index_row(exemplar.id, searchable(revision))])


def forget(exemplar: Exemplar) -> None:
    """``exemplar`` has no published copy any more: nothing of it is found."""
    if on_postgresql():
        db.session.execute(sa.delete(tsvector_table).where(tsvector_table.c.exemplar_id == exemplar.id))
    else:
        db.session.execute(sa.delete(fts_table).where(fts_table.c.rowid == exemplar.id))
