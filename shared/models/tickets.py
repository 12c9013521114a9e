"""The ticket: what a customer asked for, where it stands, and who touched it last in public."""

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.accounts import Agent, Customer
from shared.models.base import utcnow
from shared.models.catalog import Department, Product
from shared.models.statuses import Status

TYPES = ("question", "feature", "bug")
PRIORITIES = ("low", "normal", "high", "urgent")
# How a ticket reached the desk; an agent files phone calls, walk-ins, chats and internal tasks ("agent").
CHANNELS = ("web", "email", "phone", "walk_in", "chat", "agent")
# A note or event this long after the last public message is worth its own time in the queue.
ACTIVITY_SHOWN_AFTER = timedelta(minutes=1)


class ActorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_updated", "status_id", "updated_at"),
        # A queue's page is read per status in the order asked (shared/queues/lists.py).
        Index("ix_tickets_status_created", "status_id", "created_at"),
        Index("ix_tickets_status_number", "status_id", "number"),
        Index("ix_tickets_status_priority_updated", "status_id", "priority", "updated_at"),
        Index("ix_tickets_assignee_updated", "assignee_id", "updated_at"),
        Index("ix_tickets_assignee_status", "assignee_id", "status_id"),  # each agent's open tickets, counted
        Index("ix_tickets_department_updated", "department_id", "updated_at"),
        Index("ix_tickets_customer_updated", "customer_id", "updated_at"),
        # The portal's lists, read in order; the status in it counts them without reading the tickets.
        Index("ix_tickets_customer_public", "customer_id", "last_public_at", "status_id"),
        Index("ix_tickets_last_public_by_updated", "last_public_by", "updated_at"),
        Index("ix_tickets_sla_due_at", "sla_due_at"),
        Index("ix_tickets_first_response_due_at", "first_response_due_at"),
        Index("ix_tickets_resolution_due_at", "resolution_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), default="question")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    channel: Mapped[str] = mapped_column(String(10), default="web")
    # The queue counters' keys (status, assignee, last public writer) load their old value when set, so
    # shared/queues/counters.py always knows which count a change leaves.
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id"), active_history=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), active_history=True)
    # A reply to a ticket closed past the reopen window opens a new one pointing here.
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # Links and merges (shared/tickets/links.py, shared/tickets/merges.py): a problem's incidents point to it; a
    # merged duplicate points to the ticket it continues in.
    is_problem: Mapped[bool] = mapped_column(default=False)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    # The last public message (a reply, or the desk's own note to the customer; never an internal
    # note or event): when, by whom and its first words, kept here so queues never join the history.
    # `updated_at` moves with every entry, these only with a public message (shared/records/history.py).
    last_public_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_public_by: Mapped[str] = mapped_column(String(10), default=ActorKind.CUSTOMER, active_history=True)
    last_public_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    last_public_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    last_public_preview: Mapped[str] = mapped_column(String(200), default="")

    # The SLA clock (shared.sla.tracking keeps these): due times while a target's clock runs, the
    # nearer of the two for the queues, when the first agent reply came, and when each breach was
    # claimed (once per target, ever).
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    sla_due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    first_response_breached_at: Mapped[datetime | None]
    resolution_breached_at: Mapped[datetime | None]

    status: Mapped[Status] = relationship()
    department: Mapped[Department] = relationship()
    product: Mapped[Product | None] = relationship()
    customer: Mapped[Customer | None] = relationship(foreign_keys=[customer_id])
    assignee: Mapped[Agent | None] = relationship(foreign_keys=[assignee_id])
    follows: Mapped["Ticket | None"] = relationship(remote_side=[id], foreign_keys=[follows_id])
    problem: Mapped["Ticket | None"] = relationship(remote_side=[id], foreign_keys=[problem_id])
    merged_into: Mapped["Ticket | None"] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    last_public_customer: Mapped[Customer | None] = relationship(foreign_keys=[last_public_customer_id])
    last_public_agent: Mapped[Agent | None] = relationship(foreign_keys=[last_public_agent_id])
    entries: Mapped[list["Entry"]] = relationship(  # noqa: F821
        back_populates="ticket", order_by="Entry.id", passive_deletes="all"
    )

    @property
    def active_since_message(self) -> bool:
        """Something else happened after the last public message (a note, an event), more than a
        minute later: the queue then shows that activity's time beside the message's."""
        return self.updated_at - self.last_public_at > ACTIVITY_SHOWN_AFTER

    @property
    def last_public_actor(self) -> Customer | Agent | None:
        if self.last_public_by == ActorKind.CUSTOMER:
            return self.last_public_customer
        if self.last_public_by == ActorKind.AGENT:
            return self.last_public_agent
        return None


class Counter(db.Model):
    """Named counters handed out under a row lock, such as the next ticket number."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int]
