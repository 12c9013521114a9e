"""Who has a ticket's page open right now, and who is typing: overwritten heartbeats, not history."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db
from shared.models.base import utcnow


class TicketPresence(db.Model):
    __tablename__ = "ticket_presence"

    # One row per ticket and agent: the composite key is also the unique constraint.
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    typing_at: Mapped[datetime | None] = mapped_column()
