"""Writing to the audit log. Rows are only ever added; nothing in the application updates or deletes them."""

from typing import Any

from moderation_hub.audit.models import AuditEvent
from moderation_hub.db import Base, db
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundEntry


def record(actor_id: int | None, action: str, subject: Base, **details: Any) -> AuditEvent:
    """Add an event about ``subject``; ``details`` hold ids and codes, never names or pupils' work."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,  # type: ignore[attr-defined]
        details=details,
        round_id=round_of(subject),
    )
    db.session.add(event)
    return event


def round_of(subject: Base) -> int | None:
    """The round whose log the event belongs in: the subject itself, or the round of the entry or judgement. A
    judgement's entry is nearly always in the session already (found there by its key, without a query)."""
    match subject:
        case ModerationRound():
            return subject.id
        case RoundEntry():
            return subject.round_id
        case Judgement():
            return subject.entry.round_id
        case _:
            return None
