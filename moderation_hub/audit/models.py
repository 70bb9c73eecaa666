"""The append-only audit log: who did what to which object, and when (UTC). Never pupil data."""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from moderation_hub.db import Base, int_pk, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int_pk]
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(64))
    subject_id: Mapped[int]
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The round the event concerns (it, one of its entries or judgements), for reading a round's log in time order
    # a page at a time from one index. No foreign key: the log outlives what it names, as subject_id does.
    round_id: Mapped[int | None]

    __table_args__ = (
        sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),
        sa.Index("ix_audit_event_round", "round_id", "occurred_at", "id"),
    )


# The database itself refuses to change or remove an event, whatever code or console asks. Only actor_id
# may change: deleting a person sets it to NULL (the event stays, without a name).
PROTECTED_COLUMNS = "occurred_at, action, subject_type, subject_id, details, round_id"
APPEND_ONLY_DDL = {
    "sqlite": [
        f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {PROTECTED_COLUMNS} ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP; END $$",
        f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {PROTECTED_COLUMNS} ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}

for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        _ddl = sa.DDL(_statement.replace("%", "%%"))  # DDL formats with %; the function's message has one
        sa.event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect=_dialect))
