"""Read-side queries for lists: the portal's "My tickets" and the console's queues."""

from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from shared import reads
from shared.extensions import db
from shared.models import Agent, Category, Customer, Organization, Status, Ticket
from shared.permissions import customer_ticket_filter, visible_tickets


@dataclass
class Page:
    items: list[Ticket]
    page: int
    per_page: int
    total: int
    # For a customer's lists: the ids of the tickets with news they have not seen.
    unread: set[int] = field(default_factory=set)

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
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    # A page past the end (an old bookmark, a list that shrank) shows the last one.
    page = min(max(1, page), max(1, -(-total // per_page)))
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


def shared_organization(customer: Customer) -> Organization | None:
    """The customer's organization when it shares its tickets with its members, else None."""
    organization = customer.organization
    return organization if organization is not None and organization.sharing else None


def portal_view(customer: Customer, asked: str | None) -> str:
    """The list the customer asked for, if they may see it: their own, or their organization's."""
    return "organization" if asked == "organization" and shared_organization(customer) else "mine"


def customer_tickets(
    customer: Customer, *, closed: bool, view: str = "mine", page: int = 1, per_page: int = 20
) -> Page:
    """The customer's tickets (or all their organization's), open or closed, most recently active
    first, with the ones that have unseen news marked."""
    category = Status.category == Category.CLOSED if closed else Status.category != Category.CLOSED
    scope = customer_ticket_filter(customer) if view == "organization" else Ticket.customer_id == customer.id
    query = (
        visible_tickets(customer)
        .join(Ticket.status)
        .where(category, scope)
        .order_by(Ticket.last_public_at.desc(), Ticket.id.desc())
    )
    result = paginate(query, page, per_page)
    result.unread = reads.unread_ids(customer, result.items)
    return result


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
