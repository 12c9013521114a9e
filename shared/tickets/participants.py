"""Who is in a ticket's conversation besides its customer: the rows themselves (`put_on`,
`customers_on`), and adding someone by address and removing them as agents do on the console, each
written to the history.

Mail puts the people it was CC'd to on the ticket (shared/mail/routing.py), and the desk's public
replies reach them, each a copy of their own (shared/outgoing/notifications.py). A removal keeps the row with
`removed_at`: the person's later mail is held like a stranger's, a later CC does not bring them
back (only an agent does), and a merge's privacy rules (shared/access/parties.py) still know them.
"""

import re

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, Customer, Ticket, TicketParticipant, utcnow
from shared.outgoing.desk_addresses import is_desk_address
from shared.people import accounts, customers
from shared.records.history import record_event

# One mailbox, written plainly: no name, comma, quote, bracket or space, which the outbox's To would
# read as something else.
_PLAIN = r"[^\s@<>()\[\],;:\\\"]+"
_ADDRESS = re.compile(rf"{_PLAIN}@{_PLAIN}\.{_PLAIN}")


def current(ticket: Ticket) -> list[TicketParticipant]:
    """The ticket's participants now, in the order they joined, their customers loaded."""
    query = (
        select(TicketParticipant)
        .where(TicketParticipant.ticket_id == ticket.id, TicketParticipant.removed_at.is_(None))
        .options(selectinload(TicketParticipant.customer))
        .order_by(TicketParticipant.id)
    )
    return list(db.session.scalars(query))


def find(ticket: Ticket, participant_id: int) -> TicketParticipant | None:
    """A participant of this very ticket by id (not one removed), else None: the view answers 404."""
    row = db.session.get(TicketParticipant, participant_id)
    return row if row is not None and row.ticket_id == ticket.id and row.removed_at is None else None


def add(ticket: Ticket, address: str, *, actor: Agent) -> Customer:
    """Put the person with `address` in the conversation (a new customer without a password if the
    desk does not know them): they get the desk's public replies by mail, and their mail is posted."""
    _check(ticket, actor)
    email = accounts.normalize_email(address)
    if not _ADDRESS.fullmatch(email):
        raise DomainError(gettext("Enter one email address, such as ann@example.com."), field="email")
    if is_desk_address(email):
        raise DomainError(gettext("That is the desk's own address."), field="email")
    if accounts.find_agent(email) is not None:
        raise DomainError(
            gettext("That is an agent's address: agents follow tickets here, not by mail."), field="email"
        )
    if ticket.customer is not None and ticket.customer.email == email:
        raise DomainError(gettext("That is the ticket's customer."), field="email")
    known = accounts.find_customer(email)
    if known is not None and permissions.is_participant(known, ticket):
        raise DomainError(gettext("%(name)s is in the conversation already.", name=known.display_name), field="email")
    customer = put_on(ticket, email, actor=actor)
    record_event(ticket, "participants_added", {"addresses": [customer.email], "via": "agent"}, actor=actor)
    db.session.flush()
    return customer


def remove(ticket: Ticket, participant: TicketParticipant, *, actor: Agent) -> Customer:
    """Take someone out of the conversation: no more replies reach them, and their mail is held."""
    _check(ticket, actor)
    if participant.ticket_id != ticket.id or participant.removed_at is not None:
        raise DomainError(gettext("They are not in this conversation."))
    participant.removed_at = utcnow()
    record_event(ticket, "participant_removed", {"address": participant.customer.email}, actor=actor)
    db.session.flush()
    return participant.customer


def _check(ticket: Ticket, actor: Agent) -> None:
    if not permissions.can_manage_participants(actor, ticket):
        raise DomainError(gettext("Only agents can change who is in the conversation."))
    if ticket.customer_id is None:
        raise DomainError(gettext("An internal task has no conversation: nobody is mailed its replies."))
    if ticket.merged_into is not None:
        text = gettext("This ticket is merged into #%(number)s: its conversation goes on there.")
        raise DomainError(text % {"number": ticket.merged_into.number})


def put_on(ticket: Ticket, address: str, *, name: str = "", actor: Agent | None) -> Customer:
    """Put the customer with this address (added without a password if new) on the ticket. Someone
    an agent removed comes back only by an agent's hand (`actor`), never by a mail's CC."""
    customer = customers.find_or_add(address, name=name, actor=actor)
    if customer.id == ticket.customer_id:
        return customer
    row = row_of(ticket, customer)
    if row is None:
        db.session.add(TicketParticipant(ticket=ticket, customer=customer))
        db.session.flush()
    elif row.removed_at is not None and permissions.can_bring_back_participant(actor):
        row.removed_at = None
        db.session.flush()
    return customer


def row_of(ticket: Ticket, customer: Customer) -> TicketParticipant | None:
    query = select(TicketParticipant).where(
        TicketParticipant.ticket_id == ticket.id, TicketParticipant.customer_id == customer.id
    )
    return db.session.scalar(query)


def customers_on(ticket: Ticket) -> list[Customer]:
    """Who is on the ticket besides its customer, in the order they joined (not those removed)."""
    query = (
        select(Customer)
        .join(TicketParticipant, TicketParticipant.customer_id == Customer.id)
        .where(TicketParticipant.ticket_id == ticket.id, TicketParticipant.removed_at.is_(None))
        .order_by(TicketParticipant.id)
    )
    return list(db.session.scalars(query))
