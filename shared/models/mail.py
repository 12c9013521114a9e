"""Every Message-ID the desk sent or received, so a reply finds its ticket by its headers."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.base import utcnow
from shared.models.tickets import Ticket


class MailMessageId(db.Model):
    __tablename__ = "mail_message_ids"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As it appears in the header, angle brackets included.
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    direction: Mapped[str] = mapped_column(String(3))  # "out" (the desk sent it) or "in" (it received it)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()
