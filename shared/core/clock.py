"""The one source of "now", so tests and demo data can move through time."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_frozen: ContextVar[datetime | None] = ContextVar("deskbell_frozen_now", default=None)


def utcnow() -> datetime:
    """Naive UTC, the form stored in every timestamp column (SQLite keeps no zone)."""
    return _frozen.get() or datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make `utcnow()` answer `moment` inside the block (naive UTC)."""
    token = _frozen.set(moment.replace(tzinfo=None))
    try:
        yield
    finally:
        _frozen.reset(token)
