"""Who hears about what: the mail a ticket change queues, called by the verbs in `shared.tickets`
in the same transaction. (The acknowledgement and the auto-close mail are rules' actions.)

The desk's public replies and an agent's closing reach the ticket's customers and its participants
(people CC'd on its mail or added by an agent), each in a message of their own: every Message-ID is
signed for its one recipient (shared/outgoing/message_ids.py), so a participant's reply-all threads and speaks
for them alone, and nobody reads another's address in the headers.

Internal notes queue nothing here, for anyone.
"""

from flask import current_app
from sqlalchemy import select

from shared.access import parties, permissions
from shared.core.extensions import db
from shared.models import Agent, Category, Customer, Entry, Ticket, TicketParticipant
from shared.outgoing import outbox
from shared.records.history import Actor, last_entry_id


def _agents_for(ticket: Ticket, *, actor: Actor) -> list[Agent]:
    """The agents who work the ticket's department. Agents have no department membership yet, so
    that is every active agent, except whoever made the change."""
    query = select(Agent).where(Agent.is_active.is_(True)).order_by(Agent.id)
    if isinstance(actor, Agent):
        query = query.where(Agent.id != actor.id)
    return list(db.session.scalars(query))


def ticket_opened(ticket: Ticket, entry: Entry, *, actor: Actor) -> None:
    """Tell the department's agents a ticket came in (the customer's acknowledgement is rule 1's)."""
    outbox.enqueue_each(_agents_for(ticket, actor=actor), "agent_new_ticket", ticket=ticket, entry=entry, message=entry)


def customers_of(ticket: Ticket) -> list[Customer]:
    """Who hears the desk's answers on a ticket: its customer, then each customer whose ticket was
    merged into it (a merge keeps to one customer or one sharing organization, so they read it in the
    portal too), once each. A duplicate merged across customers before that rule, or whose
    organization stopped sharing, keeps its own conversation (shared/access/parties.py): not them."""
    found = [ticket.customer] if ticket.customer is not None else []
    for merged in parties.merged_below(ticket):
        person = merged.ticket.customer
        if merged.apart or person is None or person in found or not permissions.can_view_ticket(person, ticket):
            continue
        found.append(person)
    return found


def participants_of(ticket: Ticket) -> list[Customer]:
    """The ticket's participants who hear the desk's answers, in the order they joined: not those an
    agent removed, not deactivated customers, and never someone whose words came across a merge
    between customers (shared/access/parties.py): that conversation is kept apart."""
    query = (
        select(Customer)
        .join(TicketParticipant, TicketParticipant.customer_id == Customer.id)
        .where(
            TicketParticipant.ticket_id == ticket.id,
            TicketParticipant.removed_at.is_(None),
            Customer.is_active.is_(True),
        )
        .order_by(TicketParticipant.id)
    )
    people = list(db.session.scalars(query))
    strangers = parties.strangers(ticket) if people else set()
    return [person for person in people if person.id not in strangers]


def _conversation(ticket: Ticket) -> list[Customer]:
    """Everyone the desk's public answers on the ticket go to, once each."""
    found = customers_of(ticket)
    return found + [person for person in participants_of(ticket) if person not in found]


def agent_replied(entry: Entry) -> None:
    """The customers and participants get the agent's public reply, with its files, each a message of
    their own. It is the agent's own message, so it is not marked automatic. (Internal notes never
    come here.)"""
    ticket = entry.ticket
    for customer in _conversation(ticket):
        outbox.enqueue(
            customer,
            "agent_reply",
            ticket=ticket,
            entry=entry,
            automatic=False,
            with_attachments=True,
            message=entry,
            closed=ticket.status.category == Category.CLOSED,
        )


# A rule's mail that tells of a closing reaches the participants too; the acknowledgement and the
# reminder speak to the customer who asked (their request, their silence), so they go to them alone.
_RULE_MAIL_TO_PARTICIPANTS = {"ticket_auto_closed", "ticket_closed"}


def rule_mail(ticket: Ticket, template: str) -> None:
    """A rule's `notify_customer` action: the customer (if the ticket has one) hears about its latest
    entry; a closing is told to the participants as well, each a message of their own."""
    message = outbox.notify_customer(ticket, template)
    if message is None or template not in _RULE_MAIL_TO_PARTICIPANTS:
        return
    entry = db.session.get(Entry, message.entry_id) if message.entry_id else None
    for person in participants_of(ticket):
        if person.id != ticket.customer_id:
            outbox.enqueue(person, template, ticket=ticket, entry=entry)


def customer_replied(entry: Entry) -> None:
    """The ticket's assignee hears of the customer's reply; an unassigned ticket waits in the queue."""
    assignee = entry.ticket.assignee
    if assignee is None or not assignee.is_active:
        return
    outbox.enqueue(assignee, "agent_customer_reply", ticket=entry.ticket, entry=entry, message=entry)


def ticket_closed(ticket: Ticket) -> None:
    """An agent closed the ticket without a reply (a reply that closes it says so itself): its
    customers and participants hear it."""
    recipients = _conversation(ticket)
    if not recipients:
        return
    entry = db.session.get(Entry, last_entry_id(ticket))
    for customer in recipients:
        outbox.enqueue(customer, "ticket_closed", ticket=ticket, entry=entry)


def breach_recipients(ticket: Ticket) -> list[Agent]:
    """Who hears of an SLA breach: the assignee, or the department's agents when nobody has it."""
    if ticket.assignee is not None and ticket.assignee.is_active:
        return [ticket.assignee]
    return _agents_for(ticket, actor=None)


def mail_files_refused(entry: Entry, sender: Customer | Agent, *, too_big: list[str], too_many: list[str]) -> None:
    """Tell whoever mailed `entry` which of their files the ticket did not take, and why (the size
    limit, or the number of files one message may add); the rest of their mail is on the ticket."""
    outbox.enqueue(
        sender,
        "mail_files_refused",
        ticket=entry.ticket,
        entry=entry,
        too_big=too_big,
        too_many=too_many,
        limit_mb=int(current_app.config["MAX_ATTACHMENT_MB"]),
        room=int(current_app.config["MAX_ATTACHMENTS_PER_MESSAGE"]),
    )
