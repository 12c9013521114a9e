"""The append-only history of a ticket: messages (public or internal) and system events."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.accounts import Agent, Customer
from shared.models.base import utcnow
from shared.models.tickets import ActorKind, Ticket


class EntryKind(StrEnum):
    MESSAGE = "message"
    EVENT = "event"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Entry(db.Model):
    __tablename__ = "entries"
    __table_args__ = (Index("ix_entries_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(String(10))
    visibility: Mapped[str] = mapped_column(String(10))
    author_kind: Mapped[str] = mapped_column(String(10))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # For events: what happened ("status", "assignment", "linked", ...) and its details.
    event: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    channel: Mapped[str] = mapped_column(String(10), default="web")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="entries")
    customer: Mapped[Customer | None] = relationship()
    agent: Mapped[Agent | None] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821
        back_populates="entry", order_by="Attachment.id", passive_deletes="all"
    )

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_note(self) -> bool:
        return self.kind == EntryKind.MESSAGE and self.visibility == Visibility.INTERNAL

    @property
    def is_event(self) -> bool:
        return self.kind == EntryKind.EVENT

    @property
    def author(self) -> Customer | Agent | None:
        if self.author_kind == ActorKind.CUSTOMER:
            return self.customer
        if self.author_kind == ActorKind.AGENT:
            return self.agent
        return None
