"""Minutes an agent spent on a ticket: append-only rows, optionally tied to the reply they went into."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.accounts import Agent
from shared.models.base import utcnow
from shared.models.entries import Entry
from shared.models.tickets import Ticket

MAX_MINUTES = 24 * 60


class TimeSpent(db.Model):
    __tablename__ = "time_spent"
    __table_args__ = (CheckConstraint("minutes BETWEEN 1 AND 1440", name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    minutes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    ticket: Mapped[Ticket] = relationship()
    entry: Mapped[Entry | None] = relationship()
    agent: Mapped[Agent] = relationship()
