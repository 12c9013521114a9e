"""Domain failures, raised by verbs and turned into form errors by the views."""


class DomainError(Exception):
    """Something the user asked for cannot be done; `message` says why, `field` where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class HistoryError(RuntimeError):
    """Someone tried to change or delete history, which is append-only."""
