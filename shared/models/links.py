"""Related tickets: a symmetric link between two tickets, stored once with the lower id first."""

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db
from shared.models.base import utcnow


class TicketLink(db.Model):
    __tablename__ = "ticket_links"
    # One row per pair, whichever side linked it: ticket_id < other_id (shared/tickets/links.py sees to it).
    __table_args__ = (UniqueConstraint("ticket_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    other_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
