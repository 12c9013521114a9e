"""A ticket's properties, as agents and timers change them: status, priority, department,
product and type, one at a time or several at once (`update`, with the assignee, for the ticket
page's side panel and the queue's bulk bar alike). Each change goes in the history; status moves
go through the rules engine.
"""

from datetime import datetime, timedelta
from typing import TypedDict

from flask_babel import gettext
from sqlalchemy import select

from shared.access import permissions
from shared.core.clock import frozen_at
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import PRIORITIES, TYPES, Agent, Category, Department, Product, Status, Ticket, utcnow
from shared.outgoing import notifications
from shared.records.history import record_event
from shared.sla import tracking
from shared.tickets import assignment, conversation, rules

# Tickets a timer loads at once (see `expire_pending`).
TIMER_BATCH = 200
# The order `update` applies a change of several properties in: assigning first, so an untouched
# status does not undo what the assignment rule just did, and an explicit one still wins over it.
ORDER = ("assignee", "status", "priority", "department", "product", "type")


class Changes(TypedDict, total=False):
    """What to set; a property left out keeps the ticket's value (None: nobody, or no product)."""

    assignee: Agent | None
    status: Status
    priority: str
    department: Department
    product: Product | None
    type: str


def update(ticket: Ticket, changes: Changes, *, actor: Agent) -> list[str]:
    """Set several properties at once, each through its own verb (its history event, its rules and
    notifications, its refusal naming its field), in ORDER. A property the ticket already has when
    its turn comes is left alone: the assignment rule may just have moved the ticket to the status
    asked for. Returns the names of the properties it changed, in the order it changed them."""
    changed = []
    for name in ORDER:
        if name in changes and getattr(ticket, name) != changes[name]:
            _VERBS[name](ticket, changes[name], actor=actor)
            changed.append(name)
    return changed


def change_status(ticket: Ticket, status: Status, *, actor: Agent) -> None:
    """An agent's explicit choice; the rules for the event still run their other actions."""
    if not permissions.can_change_status(actor):
        raise DomainError(gettext("Only agents can change the status."), field="status")
    if ticket.status is status:
        return
    was_closed = ticket.status.category == Category.CLOSED
    rules.fire("ticket.status_changed", ticket, actor=actor, explicit_status=status)
    if ticket.status.category == Category.CLOSED and not was_closed:
        notifications.ticket_closed(ticket)
        conversation.answer_incidents(ticket, actor=actor, closing_reply=None)


def change_priority(ticket: Ticket, priority: str, *, actor: Agent) -> None:
    if priority not in PRIORITIES:
        raise DomainError(gettext("Choose a priority."), field="priority")
    if ticket.priority == priority:
        return
    record_event(ticket, "priority", {"from": ticket.priority, "to": priority}, actor=actor)
    ticket.priority = priority
    tracking.recompute(ticket)


def _check_desk_change(ticket: Ticket, actor: Agent, field: str) -> None:
    if not permissions.can_update_ticket(actor, ticket):
        raise DomainError(gettext("Only agents can change this."), field=field)


def change_department(ticket: Ticket, department: Department, *, actor: Agent) -> None:
    """Move the ticket to another team, whose strategy then picks an agent if nobody has it yet.
    Unchanged is a no-op, so a ticket may keep a retired department."""
    _check_desk_change(ticket, actor, "department")
    if ticket.department is department:
        return
    if not department.is_active:
        raise DomainError(gettext("Choose a department."), field="department")
    record_event(ticket, "department", {"from": ticket.department.id, "to": department.id}, actor=actor)
    ticket.department = department
    tracking.recompute(ticket)
    assignment.assign_automatically(ticket)


def change_product(ticket: Ticket, product: Product | None, *, actor: Agent) -> None:
    """Say which product the ticket is about, or none. Unchanged is a no-op, retired products included."""
    _check_desk_change(ticket, actor, "product")
    old = ticket.product
    if old is product:
        return
    if product is not None and not product.is_active:
        raise DomainError(gettext("Choose a product."), field="product")
    data = {"from": old.id if old else None, "to": product.id if product else None}
    record_event(ticket, "product", data, actor=actor)
    ticket.product = product


def change_type(ticket: Ticket, ticket_type: str, *, actor: Agent) -> None:
    """Reclassify the ticket (question, feature request, bug report)."""
    _check_desk_change(ticket, actor, "type")
    if ticket_type not in TYPES:
        raise DomainError(gettext("Choose a type."), field="type")
    if ticket.type == ticket_type:
        return
    record_event(ticket, "type", {"from": ticket.type, "to": ticket_type}, actor=actor)
    ticket.type = ticket_type


# Each property's own verb, for `update`.
_VERBS = {
    "assignee": assignment.assign_ticket,
    "status": change_status,
    "priority": change_priority,
    "department": change_department,
    "product": change_product,
    "type": change_type,
}


def expire_pending(now: datetime | None = None) -> int:
    """The pending-expiry timer: fire `timer.pending_expired` for tickets waiting too long. Only the
    ids are read at once; the tickets are loaded, moved and flushed a batch at a time, so the
    worker's memory does not grow with the backlog."""
    now = now or utcnow()
    days = rules.pending_expiry_days()
    if not days:
        return 0
    cutoff = now - timedelta(days=days[0])
    due = db.session.scalars(
        select(Ticket.id)
        .join(Ticket.status)
        .where(Status.category == Category.PENDING, Ticket.status_changed_at <= cutoff)
        .order_by(Ticket.id)
    ).all()
    moved = 0
    with frozen_at(now):  # the history records the timer's time, also when a caller passes one
        for start in range(0, len(due), TIMER_BATCH):
            batch = db.session.scalars(
                select(Ticket).where(Ticket.id.in_(due[start : start + TIMER_BATCH])).order_by(Ticket.id)
            ).all()
            for ticket in batch:
                before = ticket.status
                rules.fire("timer.pending_expired", ticket, actor=None, now=now)
                moved += ticket.status is not before
            db.session.flush()  # written: the batch's objects can go
    return moved
