"""Refusals of changes to a round, and the optimistic locking every versioned change goes through."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from moderation_hub.db import Base, db


class RoundError(ValueError):
    """A change to a round that cannot be made; the message is safe to show. ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ChangedMeanwhileError(RoundError):
    def __init__(self, what: str = "this") -> None:
        super().__init__(
            f"Someone else changed {what} while you were looking at it (perhaps in another tab). "
            "Reload the page to see the latest version, then make your change again."
        )


def require_version(row: Base, seen_version: int, what: str = "this") -> None:
    if row.version != seen_version:  # type: ignore[attr-defined]
        raise ChangedMeanwhileError(what)


@contextmanager
def versioned_write(what: str = "this") -> Iterator[None]:
    """Flush inside a savepoint; a concurrent writer that committed first turns into a clear refusal.

    On PostgreSQL two requests can both pass ``require_version``; the second UPDATE then matches no row
    (its ``version`` moved on) and SQLAlchemy raises ``StaleDataError``.
    """
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except StaleDataError as error:
        raise ChangedMeanwhileError(what) from error
