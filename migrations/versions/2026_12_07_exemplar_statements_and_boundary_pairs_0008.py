"""the standards file's statement index (each published annotation that evidences a statement) and boundary pairs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boundary_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("at_id", sa.Integer(), nullable=False),
        sa.Column("below_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("at_id <> below_id", name=op.f("ck_boundary_pair_two_exemplars")),
        sa.ForeignKeyConstraint(
            ["at_id"], ["exemplar.id"], name=op.f("fk_boundary_pair_at_id_exemplar"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["local_authority.id"],
            name=op.f("fk_boundary_pair_authority_id_local_authority"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["below_id"], ["exemplar.id"], name=op.f("fk_boundary_pair_below_id_exemplar"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["user_account.id"],
            name=op.f("fk_boundary_pair_marked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boundary_pair")),
        sa.UniqueConstraint("at_id", "below_id", name=op.f("uq_boundary_pair_at_id_below_id")),
    )
    op.create_index(op.f("ix_boundary_pair_at_id"), "boundary_pair", ["at_id"], unique=False)
    op.create_index(op.f("ix_boundary_pair_authority_id"), "boundary_pair", ["authority_id"], unique=False)
    op.create_index(op.f("ix_boundary_pair_below_id"), "boundary_pair", ["below_id"], unique=False)
    op.create_table(
        "exemplar_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exemplar_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("piece", sa.String(length=8), nullable=True),
        sa.Column("page_position", sa.Integer(), nullable=False),
        sa.Column("annotation_number", sa.Integer(), nullable=False),
        sa.Column("annotation_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["framework_criterion.id"],
            name=op.f("fk_exemplar_statement_criterion_id_framework_criterion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exemplar_id"],
            ["exemplar.id"],
            name=op.f("fk_exemplar_statement_exemplar_id_exemplar"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["framework_standard.id"],
            name=op.f("fk_exemplar_statement_standard_id_framework_standard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplar_statement")),
        sa.UniqueConstraint(
            "exemplar_id",
            "criterion_id",
            "annotation_number",
            name=op.f("uq_exemplar_statement_exemplar_id_criterion_id_annotation_number"),
        ),
    )
    op.create_index(
        "ix_exemplar_statement_criterion_standard", "exemplar_statement", ["criterion_id", "standard_id"], unique=False
    )
    op.create_index(op.f("ix_exemplar_statement_exemplar_id"), "exemplar_statement", ["exemplar_id"], unique=False)
    _index_published_exemplars()


def _index_published_exemplars() -> None:
    """Exemplars published before this migration: their statement index, from their current revision's evidence
    grid, as ``standards.statements.index_statements`` writes it at publication (copied: migrations never import
    the app)."""
    exemplar = sa.table(
        "exemplar",
        sa.column("id", sa.Integer),
        sa.column("framework_id", sa.Integer),
        sa.column("standard_id", sa.Integer),
        sa.column("state", sa.String),
    )
    revision = sa.table(
        "exemplar_revision",
        sa.column("exemplar_id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("content", sa.JSON),
    )
    criterion = sa.table(
        "framework_criterion",
        sa.column("id", sa.Integer),
        sa.column("framework_id", sa.Integer),
        sa.column("code", sa.String),
    )
    statement = sa.table(
        "exemplar_statement",
        *(
            sa.column(name, sa.Integer)
            for name in ("exemplar_id", "criterion_id", "standard_id", "page_position", "annotation_number")
        ),
        sa.column("piece", sa.String),
        sa.column("annotation_text", sa.Text),
    )
    bind = op.get_bind()
    later = revision.alias("later")
    latest = sa.select(sa.func.max(later.c.number)).where(later.c.exemplar_id == exemplar.c.id).scalar_subquery()
    published = bind.execute(
        sa.select(exemplar.c.id, exemplar.c.framework_id, exemplar.c.standard_id, revision.c.content)
        .select_from(exemplar)
        .join(revision, (revision.c.exemplar_id == exemplar.c.id) & (revision.c.number == latest))
        .where(exemplar.c.state == "published")
    ).all()
    codes: dict[int, dict[str, int]] = {}
    for exemplar_id, framework_id, standard_id, content in published:
        if framework_id not in codes:
            codes[framework_id] = dict(
                bind.execute(
                    sa.select(criterion.c.code, criterion.c.id).where(criterion.c.framework_id == framework_id)
                ).all()
            )
        where = {
            annotation["number"]: (page.get("piece"), page["position"], annotation.get("comment", ""))
            for page in content.get("pages", [])
            for annotation in page.get("annotations", [])
        }
        rows = [
            {
                "exemplar_id": exemplar_id,
                "criterion_id": codes[framework_id][row["code"]],
                "standard_id": standard_id,
                "piece": where[number][0],
                "page_position": where[number][1],
                "annotation_number": number,
                "annotation_text": where[number][2],
            }
            for row in content.get("grid", {}).get("rows", [])
            if row["code"] in codes[framework_id]
            for number in sorted({number for cell in row["cells"] for number in cell})
            if number in where
        ]
        if rows:
            bind.execute(statement.insert(), rows)


def downgrade() -> None:
    op.drop_index(op.f("ix_exemplar_statement_exemplar_id"), table_name="exemplar_statement")
    op.drop_index("ix_exemplar_statement_criterion_standard", table_name="exemplar_statement")
    op.drop_table("exemplar_statement")
    op.drop_index(op.f("ix_boundary_pair_below_id"), table_name="boundary_pair")
    op.drop_index(op.f("ix_boundary_pair_authority_id"), table_name="boundary_pair")
    op.drop_index(op.f("ix_boundary_pair_at_id"), table_name="boundary_pair")
    op.drop_table("boundary_pair")
