"""the standards file's search index: an FTS5 table on SQLite, a weighted tsvector with a GIN index on PostgreSQL

Made as moderation_hub/standards/search_index.py makes it under create_all (CREATE), then filled with the exemplars
already published, from each one's current revision as publication indexes it (``searchable`` and ``words``, copied
here: a migration never imports the app).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:50:00.000000+00:00
"""

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE = {
    "sqlite": [
        "CREATE VIRTUAL TABLE exemplar_search USING fts5(commentary, statements, annotations, page_text,"
        " tokenize = 'unicode61 remove_diacritics 0')"
    ],
    "postgresql": [
        "CREATE TABLE exemplar_search (exemplar_id INTEGER NOT NULL PRIMARY KEY REFERENCES exemplar (id)"
        " ON DELETE CASCADE, document TSVECTOR NOT NULL)",
        "CREATE INDEX ix_exemplar_search_document ON exemplar_search USING gin (document)",
    ],
}


INSERT = {
    "sqlite": "INSERT INTO exemplar_search (rowid, commentary, statements, annotations, page_text)"
    " VALUES (:exemplar, :commentary, :statements, :annotations, :page_text)",
    "postgresql": "INSERT INTO exemplar_search (exemplar_id, document) VALUES (:exemplar,"
    " setweight(to_tsvector('simple', :commentary), 'A') || setweight(to_tsvector('simple', :statements), 'B')"
    " || setweight(to_tsvector('simple', :annotations), 'C') || setweight(to_tsvector('simple', :page_text), 'D'))",
}
CURRENT = (
    "SELECT exemplar.id, exemplar_revision.commentary, exemplar_revision.content FROM exemplar"
    " JOIN exemplar_revision ON exemplar_revision.exemplar_id = exemplar.id"
    " WHERE exemplar.state = 'published' AND exemplar_revision.number ="
    " (SELECT max(number) FROM exemplar_revision WHERE exemplar_revision.exemplar_id = exemplar.id)"
)
_WORD = re.compile(r"[^\W_]+")


def upgrade() -> None:
    connection = op.get_bind()
    for statement in CREATE[connection.dialect.name]:
        op.execute(statement)
    rows = [_row(row.id, row.commentary, row.content) for row in connection.execute(sa.text(CURRENT))]
    if rows:
        connection.execute(sa.text(INSERT[connection.dialect.name]), rows)


def _row(exemplar_id: int, commentary: str, content: Any) -> dict[str, Any]:
    content = (json.loads(content) if isinstance(content, str) else content) or {}
    written = content.get("commentary") or {}
    commented = [item for item in written.get("statements", []) if isinstance(item, dict)]
    pages = content.get("pages", [])
    parts = {
        "commentary": [commentary, *(item.get("text") for item in commented), written.get("why_not_next")],
        "statements": [
            f"{row.get('code', '')} {row.get('statement', '')}"
            for row in [*(content.get("grid") or {}).get("rows", []), *commented]
        ],
        "annotations": [annotation.get("comment") for page in pages for annotation in page.get("annotations", [])],
        "page_text": [
            *(piece.get("title") for piece in content.get("pieces", [])),
            *(page.get("text") for page in pages),
        ],
    }
    return {"exemplar": exemplar_id, **{name: _folded(_joined(texts)) for name, texts in parts.items()}}


def _joined(parts: Iterable[Any]) -> str:
    return "\n".join(part for part in parts if isinstance(part, str) and part)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text[:200_000].casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(word[:60] for word in _WORD.findall(plain))


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS exemplar_search")
