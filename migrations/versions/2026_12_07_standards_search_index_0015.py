"""the standards file's search index: an FTS5 table on SQLite, a weighted tsvector with a GIN index on PostgreSQL

Made as moderation_hub/standards/search_index.py makes it under create_all (CREATE). Exemplars published before it
are indexed by ``search_index.reindex_all()`` (none in a live database yet: the standards file came the same day).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:50:00.000000+00:00
"""

from collections.abc import Sequence

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


def upgrade() -> None:
    for statement in CREATE[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS exemplar_search")
