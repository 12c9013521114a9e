"""What a customer has read: the portal's "New reply" marker.

Per-reader state, not history: one row per customer and ticket, overwritten each time the
customer opens the ticket's page.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from shared.core.extensions import db
from shared.models import ActorKind, Customer, Ticket, TicketRead, utcnow

# Changes by these count as news for the customer; their own messages never do.
NEWS_FROM = (ActorKind.AGENT, ActorKind.SYSTEM)


def mark_seen(ticket: Ticket, customer: Customer) -> None:
    """Remember that `customer` has seen `ticket` as it is now: one upsert, flushed by the database."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TicketRead).values(customer_id=customer.id, ticket_id=ticket.id, seen_at=utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=[TicketRead.customer_id, TicketRead.ticket_id],
        set_={"seen_at": statement.excluded.seen_at},
    )
    db.session.execute(statement)


def seen_times(customer: Customer, ticket_ids: Iterable[int]) -> dict[int, datetime]:
    """When `customer` last opened each of these tickets, in one query; unopened ones are absent."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(TicketRead.ticket_id, TicketRead.seen_at).where(
            TicketRead.customer_id == customer.id, TicketRead.ticket_id.in_(ids)
        )
    )
    return {ticket_id: seen_at for ticket_id, seen_at in rows}


def has_news(ticket: Ticket, seen_at: datetime | None) -> bool:
    """The desk changed something in public since the reader last looked (or they never did)."""
    if ticket.last_public_by not in NEWS_FROM:
        return False
    return seen_at is None or ticket.last_public_at > seen_at


def unread_ids(customer: Customer, tickets: Iterable[Ticket]) -> set[int]:
    """The ids of the tickets with news for `customer`."""
    tickets = list(tickets)
    seen = seen_times(customer, (t.id for t in tickets))
    return {t.id for t in tickets if has_news(t, seen.get(t.id))}
