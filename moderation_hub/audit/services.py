"""Writing to the audit log. Rows are only ever added; nothing in the application updates or deletes them."""

from typing import Any

from moderation_hub.audit.models import AuditEvent
from moderation_hub.db import Base, db


def record(actor_id: int | None, action: str, subject: Base, **details: Any) -> AuditEvent:
    """Add an event about ``subject``; ``details`` hold ids and codes, never names or pupils' work."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,  # type: ignore[attr-defined]
        details=details,
    )
    db.session.add(event)
    return event
