"""prepared downloads: files built by the worker with progress, kept in storage until they expire

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-07 23:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "prepared_download",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "building",
                "ready",
                "failed",
                name="downloadstate",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=32), nullable=True),
        sa.Column("byte_size", sa.Integer(), nullable=True),
        sa.Column("failure", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "done >= 0 AND (total IS NULL OR done <= total)", name=op.f("ck_prepared_download_progress_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_prepared_download_requested_by_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_download")),
    )
    op.create_index(op.f("ix_prepared_download_expires_at"), "prepared_download", ["expires_at"], unique=False)
    op.create_index("ix_prepared_download_requester", "prepared_download", ["requested_by_id", "created_at"])
    op.create_index("ix_prepared_download_reuse", "prepared_download", ["kind", "data_version"])
    op.create_index(op.f("ix_prepared_download_storage_key"), "prepared_download", ["storage_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_prepared_download_storage_key"), table_name="prepared_download")
    op.drop_index("ix_prepared_download_reuse", table_name="prepared_download")
    op.drop_index("ix_prepared_download_requester", table_name="prepared_download")
    op.drop_index(op.f("ix_prepared_download_expires_at"), table_name="prepared_download")
    op.drop_table("prepared_download")
