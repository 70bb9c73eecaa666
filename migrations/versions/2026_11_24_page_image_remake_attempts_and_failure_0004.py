"""page image remake attempts and failure

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 02:08:12.436083+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_page", schema=None) as batch_op:
        # The server default gives existing pages no attempts yet; a page waiting for its images is queued
        # again by the worker's sweep with a full set.
        batch_op.add_column(sa.Column("remake_attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("remake_failure", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_page", schema=None) as batch_op:
        batch_op.drop_column("remake_failure")
        batch_op.drop_column("remake_attempts")
