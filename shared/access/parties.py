"""Whose words a customer may read when tickets are merged.

A ticket's *party* is its customer and, while their organization shares its tickets, the
organization's members: the people who read it in the portal. A merge within one party shows nobody
anything they could not read before, so merges are allowed only within one (shared/tickets/merges.py). Desks
merged across customers before that rule, and a merge within an organization turns into one across
customers when the organization stops sharing. For those the reading side keeps the parties apart:
what reached a ticket across such a merge is never shown to its customers (`strangers`), replies to
such a duplicate stay on it (`shared.links.continuation`), and the desk's answers on the target reach
only the target's party (`shared.notifications`).
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shared.core.extensions import db
from shared.models import Customer, Ticket, TicketParticipant


def same_party(one: Customer | None, other: Customer | None) -> bool:
    """The same customer, or two members of one organization that shares its tickets."""
    if one is None or other is None:
        return False
    if one.id == other.id:
        return True
    organization = one.organization
    return organization is not None and organization.sharing and other.organization_id == organization.id


def keeps_party(duplicate: Ticket, target: Ticket) -> bool:
    """Whether a merge of `duplicate` into `target` stays within one party: the duplicate has no
    customer (an internal task), or its customer may read the target and the target's may read what
    they write. Judged now, not when the merge was made."""
    return duplicate.customer_id is None or same_party(duplicate.customer, target.customer)


@dataclass(frozen=True)
class Merged:
    """A ticket merged into another one, directly or along a chain; `apart` when a merge on the way
    crosses parties, so its people's conversation does not go on in the ticket at the top."""

    ticket: Ticket
    apart: bool


def merged_below(ticket: Ticket) -> list[Merged]:
    """Every ticket merged into `ticket`, along chains too, nearest first: one indexed query per level
    of merges, a single one that finds nothing for a ticket nobody merged into."""
    found: list[Merged] = []
    level = {ticket.id: (ticket, False)}
    seen = {ticket.id}
    while level:
        query = (
            select(Ticket)
            .where(Ticket.merged_into_id.in_(list(level)))
            .options(selectinload(Ticket.customer).selectinload(Customer.organization))
            .order_by(Ticket.id)
        )
        below: dict[int, tuple[Ticket, bool]] = {}
        for child in db.session.scalars(query):
            if child.id in seen:  # bad data must not loop
                continue
            parent, apart = level[child.merged_into_id]
            apart = apart or not keeps_party(child, parent)
            found.append(Merged(child, apart))
            below[child.id] = (child, apart)
            seen.add(child.id)
        level = below
    return found


def strangers(ticket: Ticket) -> set[int]:
    """The ids of the customers whose words may have reached `ticket` across a merge between parties
    (the customers of the duplicates kept apart, and the people CC'd on them), except any who belong
    to the ticket's own party. Their entries on it are for agents only."""
    apart = [m.ticket for m in merged_below(ticket) if m.apart]
    if not apart:
        return set()
    ids = {t.customer_id for t in apart if t.customer_id is not None}
    participants = select(TicketParticipant.customer_id).where(TicketParticipant.ticket_id.in_([t.id for t in apart]))
    ids |= set(db.session.scalars(participants))
    people = db.session.scalars(select(Customer).where(Customer.id.in_(ids))) if ids else []
    return {person.id for person in people if not same_party(person, ticket.customer)}
