"""source file queued at

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
    # Every file pending before this was queued at its upload: none waits for its school's turn.
    op.execute("UPDATE source_file SET queued_at = created_at WHERE status = 'pending'")


def downgrade() -> None:
    with op.batch_alter_table("source_file", schema=None) as batch_op:
        batch_op.drop_column("queued_at")
