"""audit event round: each event names the round it concerns, indexed for reading a round's log in time order

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:40:00.000000+00:00

The events already kept are given their round (an event on a round, on one of its entries or on one of its
judgements) before the append-only trigger is made again to protect the new column too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = [
    "UPDATE audit_event SET round_id = subject_id WHERE subject_type = 'moderation_round'",
    "UPDATE audit_event SET round_id = (SELECT round_entry.round_id FROM round_entry "
    "WHERE round_entry.id = audit_event.subject_id) WHERE subject_type = 'round_entry'",
    "UPDATE audit_event SET round_id = (SELECT round_entry.round_id FROM judgement "
    "JOIN round_entry ON round_entry.id = judgement.entry_id "
    "WHERE judgement.id = audit_event.subject_id) WHERE subject_type = 'judgement'",
]


def _no_update_trigger(dialect: str, columns: str) -> list[str]:
    """The trigger refusing to change the protected columns, as moderation_hub/audit/models.py declares it for new
    databases (copied: a migration is a snapshot)."""
    if dialect == "sqlite":
        return [
            "DROP TRIGGER audit_event_no_update",
            f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {columns} ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        ]
    return [
        "DROP TRIGGER audit_event_no_update ON audit_event",
        f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {columns} ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ]


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("round_id", sa.Integer(), nullable=True))
    for statement in BACKFILL:  # round_id is not yet one of the columns the trigger protects
        op.execute(statement)
    op.create_index(op.f("ix_audit_event_round"), "audit_event", ["round_id", "occurred_at", "id"], unique=False)
    columns = "occurred_at, action, subject_type, subject_id, details, round_id"
    for statement in _no_update_trigger(op.get_bind().dialect.name, columns):
        op.execute(statement)


def downgrade() -> None:
    columns = "occurred_at, action, subject_type, subject_id, details"
    for statement in _no_update_trigger(op.get_bind().dialect.name, columns):
        op.execute(statement)
    op.drop_index(op.f("ix_audit_event_round"), table_name="audit_event")
    op.drop_column("audit_event", "round_id")
