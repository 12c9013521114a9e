"""Mail as it arrived, before and after the desk made something of it; and who else is on a ticket."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.accounts import Agent, Customer
from shared.models.base import utcnow
from shared.models.entries import Entry
from shared.models.tickets import Ticket


class InboundState(StrEnum):
    PENDING = "pending"  # stored, not yet processed
    PROCESSED = "processed"  # on a ticket (a message, or an internal event for automatic mail)
    HELD = "held"  # matched a ticket, but the sender is not on it: an agent accepts or splits it
    IGNORED = "ignored"  # automatic mail (a bounce, an auto-reply) that belongs to no ticket
    QUARANTINED = "quarantined"  # could not be processed, or over the sender's rate limit: see `error`


class InboundMessage(db.Model):
    """One received message. The raw bytes are stored (content-addressed, like attachments) and
    this row committed before anything else happens to it; `dedupe_key` records it only once."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        Index("ix_inbound_messages_state_id", "state", "id"),
        Index("ix_inbound_messages_from_addr_received_at", "from_addr", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "mail:" and the digest of its Message-ID, sender and content (`mail.dedupe`); rows stored before
    # that have the Message-ID, or "sha256:<digest>" of the raw bytes for a message without one.
    dedupe_key: Mapped[str] = mapped_column(String(500), unique=True)
    # Indexed: a Message-ID that different messages reuse threads nothing (`outgoing.message_ids.find`).
    message_id: Mapped[str | None] = mapped_column(String(500), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    source: Mapped[str] = mapped_column(String(10))  # "pipe" (an MTA), "imap"
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Read from the headers when stored, for the inbound log and the rate limit.
    from_addr: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(12), default=InboundState.PENDING)
    # Why it is held, ignored or quarantined, or what it was ("bounce", "auto_reply"), for people.
    reason: Mapped[str] = mapped_column(String(40), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    processed_at: Mapped[datetime | None]
    # The agent who accepted, split or retried it.
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    ticket: Mapped[Ticket | None] = relationship()
    entry: Mapped[Entry | None] = relationship()
    resolved_by: Mapped[Agent | None] = relationship()


class TicketParticipant(db.Model):
    """A customer who is on a ticket besides its owner (CC'd on the mail that opened or answered it,
    added by an agent, or accepted from held mail): their mail to the ticket is posted, not held, and
    the desk's public replies reach them. An agent's removal sets `removed_at` and keeps the row
    (shared/tickets/participants.py)."""

    __tablename__ = "ticket_participants"
    __table_args__ = (UniqueConstraint("ticket_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint's index serves lookups by ticket.
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship()
    customer: Mapped[Customer] = relationship()
