"""round change counter: one row per round, raised by every write its board or reports show

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:10:00.000000+00:00

A round without a row has counted no change yet (its row is made at its first change), so nothing is backfilled.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_change_counter",
        sa.Column("round_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["moderation_round.id"],
            name=op.f("fk_round_change_counter_round_id_moderation_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_round_change_counter")),
    )


def downgrade() -> None:
    op.drop_table("round_change_counter")
