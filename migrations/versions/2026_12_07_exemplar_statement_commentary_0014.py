"""exemplar statement commentary: a draft's commentary on each framework statement and why not the next standard

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing drafts have neither: an empty object and an empty text, which the models give new rows.
    with op.batch_alter_table("exemplar", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_statements", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("draft_why_not_next", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("exemplar", schema=None) as batch_op:
        batch_op.alter_column("draft_statements", server_default=None)
        batch_op.alter_column("draft_why_not_next", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("exemplar", schema=None) as batch_op:
        batch_op.drop_column("draft_why_not_next")
        batch_op.drop_column("draft_statements")
