"""Refusals of changes to the standards file; the message is safe to show, and ``field`` names the input."""


class StandardsError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
