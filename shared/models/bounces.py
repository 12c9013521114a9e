"""Addresses the desk's mail cannot reach: a hard bounce (a 5.x.x DSN) stops mail to the address
until an agent clears it. Rows are kept after clearing, as the address's record."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.accounts import Agent
from shared.models.base import utcnow


class MailBounce(db.Model):
    __tablename__ = "mail_bounces"
    __table_args__ = (Index("ix_mail_bounces_address_cleared_at", "address", "cleared_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower case, as mail intake reads addresses.
    address: Mapped[str] = mapped_column(String(254))
    # The DSN's status code ("5.1.1") and what the refusing server said.
    status: Mapped[str] = mapped_column(String(20), default="")
    diagnostic: Mapped[str] = mapped_column(Text, default="")
    # The bounce as received, and the desk's message it reports on.
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    cleared_by: Mapped[Agent | None] = relationship()
