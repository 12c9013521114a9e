"""Small helpers every model module uses."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, the form stored in every timestamp column (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)
