"""Per-reader state: when a customer last opened a ticket's page. Overwritten, not history."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db
from shared.models.base import utcnow


class TicketRead(db.Model):
    __tablename__ = "ticket_reads"

    # One row per reader and ticket: the composite key is also the unique constraint.
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
