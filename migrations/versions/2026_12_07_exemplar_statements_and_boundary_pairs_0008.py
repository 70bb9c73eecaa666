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


def downgrade() -> None:
    op.drop_index(op.f("ix_exemplar_statement_exemplar_id"), table_name="exemplar_statement")
    op.drop_index("ix_exemplar_statement_criterion_standard", table_name="exemplar_statement")
    op.drop_table("exemplar_statement")
    op.drop_index(op.f("ix_boundary_pair_below_id"), table_name="boundary_pair")
    op.drop_index(op.f("ix_boundary_pair_authority_id"), table_name="boundary_pair")
    op.drop_index(op.f("ix_boundary_pair_at_id"), table_name="boundary_pair")
    op.drop_table("boundary_pair")
