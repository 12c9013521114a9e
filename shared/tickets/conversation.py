"""Ticket verbs, shared by the portal, the console, mail intake and the CLI.

Each takes the acting account explicitly, flushes but never commits, and leaves status
changes to the rules engine.
"""

from flask_babel import gettext, ngettext
from sqlalchemy import update

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.markup import render_markdown, render_plain_text
from shared.models import (
    CHANNELS,
    PRIORITIES,
    TYPES,
    Agent,
    Category,
    Counter,
    Customer,
    Department,
    Entry,
    EntryKind,
    Product,
    Status,
    Ticket,
    Visibility,
)
from shared.outgoing import notifications
from shared.people import customers
from shared.records.history import Actor, append, mark_public_change, record_event
from shared.search import index
from shared.sla import tracking
from shared.tickets import assignment, attachments, links, rules
from shared.tickets.attachments import Upload

SUBJECT_MAX = 200
BODY_MAX = 100_000


def next_number() -> int:
    """The next ticket number, handed out under the database's row lock."""
    stmt = update(Counter).where(Counter.name == "ticket_number").values(value=Counter.value + 1)
    return db.session.execute(stmt.returning(Counter.value)).scalar_one()


def _check_message(body: str, uploads: list[Upload]) -> str:
    body = (body or "").strip()
    if not body and not uploads:
        raise DomainError(gettext("Write a message or attach a file."), field="body")
    if len(body) > BODY_MAX:
        raise DomainError(gettext("The message is too long."), field="body")
    attachments.check_uploads(uploads)
    return body


def _post_message(
    ticket: Ticket, *, actor: Actor, body: str, visibility: Visibility, uploads, channel, plain_text: bool = False
) -> Entry:
    entry = append(
        ticket,
        actor=actor,
        kind=EntryKind.MESSAGE,
        visibility=visibility,
        body=body,
        body_html=render_plain_text(body) if plain_text else render_markdown(body),
        channel=channel,
    )
    attachments.attach(entry, uploads)
    if visibility == Visibility.PUBLIC:
        preview = body or ", ".join(u.filename for u in uploads)
        mark_public_change(ticket, actor=actor, preview=preview, at=entry.created_at)
    index.add_message(entry)
    return entry


def open_ticket(
    *,
    actor: Customer | Agent,
    customer: Customer | None,
    subject: str,
    body: str,
    department: Department,
    type: str = "question",
    product: Product | None = None,
    priority: str = "normal",
    channel: str = "web",
    uploads: list[Upload] | None = None,
    follows: Ticket | None = None,
    plain_text: bool = False,
    notify_customer: bool = True,
    auto_assign: bool = True,
) -> Ticket:
    """A new ticket with its first message. `plain_text` bodies (mail) keep their line breaks
    instead of being read as Markdown; `notify_customer=False` keeps the rules from mailing the
    customer (no acknowledgement for auto-replies, bounces and list mail); `auto_assign=False`
    leaves the assignee to the caller instead of the department's strategy."""
    uploads = uploads or []
    subject = " ".join((subject or "").split())
    if not subject:
        raise DomainError(gettext("Give the ticket a subject."), field="subject")
    if len(subject) > SUBJECT_MAX:
        raise DomainError(
            ngettext(
                "Keep the subject under %(num)d character.", "Keep the subject under %(num)d characters.", SUBJECT_MAX
            ),
            field="subject",
        )
    if follows is None and not permissions.can_open_ticket_for(actor, customer):
        raise DomainError(gettext("You cannot file a ticket for someone else."))
    if type not in TYPES:
        raise DomainError(gettext("Choose a type."), field="type")
    if priority not in PRIORITIES:
        raise DomainError(gettext("Choose a priority."), field="priority")
    if channel not in CHANNELS:
        raise DomainError(gettext("Choose how the customer reached us."), field="channel")
    # Fresh choices must be active; a follow-up keeps what the closed ticket was about, retired or not.
    if follows is None and not department.is_active:
        raise DomainError(gettext("Choose a department."), field="department")
    if follows is None and product is not None and not product.is_active:
        raise DomainError(gettext("Choose a product."), field="product")
    body = _check_message(body, uploads)

    ticket = Ticket(
        number=next_number(),
        subject=subject,
        type=type,
        priority=priority,
        channel=channel,
        department=department,
        product=product,
        customer=customer,
        follows=follows,
    )
    rules.place_new_ticket(ticket)
    db.session.add(ticket)
    first = _post_message(
        ticket,
        actor=actor,
        body=body,
        visibility=Visibility.PUBLIC,
        uploads=uploads,
        channel=channel,
        plain_text=plain_text,
    )
    if follows is not None:
        record_event(ticket, "follows", {"ticket": follows.number}, actor=actor)
        record_event(follows, "followed_by", {"ticket": ticket.number}, actor=actor)
    db.session.flush()
    rules.fire("ticket.created", ticket, actor=actor, notify_customer=notify_customer)
    tracking.recompute(ticket)
    notifications.ticket_opened(ticket, first, actor=actor)
    if auto_assign:
        assignment.assign_automatically(ticket)
    return ticket


# How a customer reached an agent who files the ticket for them; an internal task is channel "agent".
AGENT_CHANNELS = ("phone", "walk_in", "chat", "email")


def open_ticket_by_agent(
    *,
    actor: Agent,
    customer_email: str | None,
    customer_name: str = "",
    channel: str = "phone",
    assignee: Agent | None = None,
    subject: str,
    body: str,
    department: Department,
    type: str = "question",
    product: Product | None = None,
    priority: str = "normal",
    uploads: list[Upload] | None = None,
) -> Ticket:
    """A ticket an agent files: for a customer found or added by address there and then (a call, a
    visit, a chat), who gets the usual acknowledgement; or, with no address, an internal task with
    no customer. Either may go straight to a colleague."""
    if not permissions.can_file_for_others(actor):
        raise DomainError(gettext("Only agents can file tickets for others."))
    customer = None
    if customer_email is None:
        channel = "agent"
    elif channel not in AGENT_CHANNELS:
        raise DomainError(gettext("Choose how the customer reached us."), field="channel")
    else:
        customer = customers.find_or_add(customer_email, name=customer_name, actor=actor)
    ticket = open_ticket(
        actor=actor,
        customer=customer,
        subject=subject,
        body=body,
        department=department,
        type=type,
        product=product,
        priority=priority,
        channel=channel,
        uploads=uploads,
        auto_assign=assignee is None,  # the agent's explicit choice wins over the department's strategy
    )
    if assignee is not None:
        assignment.assign_ticket(ticket, assignee, actor=actor)
    return ticket


def post_reply(
    ticket: Ticket,
    *,
    actor: Customer | Agent,
    body: str,
    uploads: list[Upload] | None = None,
    status: Status | None = None,
    channel: str = "web",
    plain_text: bool = False,
) -> Entry:
    """A public message. A customer's reply to a ticket closed too long ago opens a linked one
    instead; the returned entry's ticket says which. `plain_text`: as for `open_ticket`."""
    uploads = uploads or []
    if not permissions.can_reply(actor, ticket):
        raise DomainError(gettext("You cannot reply to this ticket."))
    if status is not None and not permissions.can_change_status(actor):
        raise DomainError(gettext("Only agents can change the status."), field="status")
    body = _check_message(body, uploads)
    if isinstance(actor, Customer):
        event = "message.public_by_customer"
        if rules.wants_linked_ticket(rules.matching(event, ticket, actor=actor)):
            follow_up = open_ticket(
                actor=actor,
                customer=ticket.customer,
                subject=ticket.subject,
                body=body,
                department=ticket.department,
                type=ticket.type,
                product=ticket.product,
                channel=channel,
                uploads=uploads,
                follows=ticket,
                plain_text=plain_text,
            )
            return follow_up.entries[0]
    else:
        event = "message.public_by_agent"
    was_closed = ticket.status.category == Category.CLOSED
    entry = _post_message(
        ticket,
        actor=actor,
        body=body,
        visibility=Visibility.PUBLIC,
        uploads=uploads,
        channel=channel,
        plain_text=plain_text,
    )
    db.session.flush()
    rules.fire(event, ticket, actor=actor, explicit_status=status)
    if isinstance(actor, Agent):
        tracking.responded(ticket)
        notifications.agent_replied(entry)
        if not was_closed and ticket.status.category == Category.CLOSED:
            answer_incidents(ticket, actor=actor, closing_reply=entry)
    else:
        notifications.customer_replied(entry)
    return entry


def answer_incidents(problem: Ticket, *, actor: Agent, closing_reply: Entry | None) -> None:
    """An agent just closed `problem`: one public reply from them on each of its open incidents,
    through `post_reply`, so the rules move each incident and its customer gets the mail. A
    closing happens once per move into a closed status, so each incident hears once per closing."""
    answered = links.incidents_to_answer(problem)
    for incident in answered:
        post_reply(incident, actor=actor, body=links.answer_text(incident, closing_reply))
    links.record_answered(problem, answered, actor=actor)


def add_internal_note(ticket: Ticket, *, actor: Agent, body: str, uploads: list[Upload] | None = None) -> Entry:
    if not permissions.can_add_internal_note(actor, ticket):
        raise DomainError(gettext("Only agents can write internal notes."))
    uploads = uploads or []
    body = _check_message(body, uploads)
    entry = _post_message(
        ticket, actor=actor, body=body, visibility=Visibility.INTERNAL, uploads=uploads, channel="web"
    )
    db.session.flush()
    rules.fire("message.internal", ticket, actor=actor)
    return entry
