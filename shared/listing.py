"""Read-side queries for lists: the portal's "My tickets" and the console's queues."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from shared.extensions import db
from shared.models import Agent, Category, Customer, Status, Ticket
from shared.permissions import visible_tickets


@dataclass
class Page:
    items: list[Ticket]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(query: Select, page: int, per_page: int) -> Page:
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = db.session.scalars(
        query.options(
            selectinload(Ticket.status),
            selectinload(Ticket.customer).selectinload(Customer.organization),
            selectinload(Ticket.assignee),
            selectinload(Ticket.department),
            selectinload(Ticket.last_public_customer),
            selectinload(Ticket.last_public_agent),
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(items), page, per_page, total)


def customer_tickets(customer: Customer, *, closed: bool, page: int = 1, per_page: int = 20) -> Page:
    """The customer's tickets, open or closed, most recently active first."""
    category = Status.category == Category.CLOSED if closed else Status.category != Category.CLOSED
    query = (
        visible_tickets(customer)
        .join(Ticket.status)
        .where(category, Ticket.customer_id == customer.id)
        .order_by(Ticket.last_public_at.desc(), Ticket.id.desc())
    )
    return paginate(query, page, per_page)


QUEUES = ("all_open", "needs_reply", "mine", "unassigned")


def queue_tickets(agent: Agent, queue: str, *, page: int = 1, per_page: int = 50) -> Page:
    """An agent's queue: open work by default, or one status by its key."""
    query = visible_tickets(agent).join(Ticket.status)
    if queue.startswith("status:"):
        query = query.where(Status.key == queue.partition(":")[2])
    else:
        query = query.where(Status.category != Category.CLOSED)
        if queue == "needs_reply":
            query = query.where(Ticket.last_public_by == "customer")
        elif queue == "mine":
            query = query.where(Ticket.assignee_id == agent.id)
        elif queue == "unassigned":
            query = query.where(Ticket.assignee_id.is_(None))
    return paginate(query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()), page, per_page)
