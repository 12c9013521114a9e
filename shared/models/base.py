"""Small helpers every model module uses."""

from shared.clock import utcnow

__all__ = ["utcnow"]
