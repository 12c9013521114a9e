"""Small helpers every model module uses."""

from shared.core.clock import utcnow

__all__ = ["utcnow"]
