"""Merging a duplicate into the ticket the desk goes on with.

Nothing moves between the two histories (they are append-only): the duplicate keeps every entry,
gets the pointer `merged_into`, a public note and an event, and is closed through the rules
engine; the target gets an event naming it. Its customer is told by mail. From then on, replies
to the duplicate by mail or from the portal land in the target (`links.continuation`).

Privacy: a merge keeps to one party (shared/access/parties.py): both tickets are one customer's, or belong to
members of one organization that shares its tickets, or the duplicate has no customer. Anything else
is refused with `AcrossCustomers`, and the console offers to link the tickets instead: a merge across
customers would show the target's customer what the duplicate's customer writes. The people CC'd on
the duplicate join the target as participants, so their mail still reaches it. The desk's answers on
the target reach the duplicate's customer too (`shared.notifications.customers_of`).
"""

from flask_babel import force_locale, gettext
from sqlalchemy import select

from shared.access import parties, permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, Category, Status, Ticket
from shared.outgoing import outbox
from shared.records.history import post_system_note, record_event
from shared.tickets import participants, rules


class AcrossCustomers(DomainError):
    """The two tickets belong to different customers: they may be linked, not merged."""

    def __init__(self, duplicate: Ticket, target: Ticket) -> None:
        name = duplicate.customer.display_name
        if target.customer is None:
            message = gettext(
                "#%(target)s is not %(name)s's ticket, so they could not follow it. "
                "Link the two tickets instead: each keeps its own conversation.",
                target=target.number,
                name=name,
            )
        else:
            message = gettext(
                "#%(target)s is %(other)s's ticket, not %(name)s's: merging would show %(other)s what %(name)s "
                "writes. Link the two tickets instead: each customer keeps their own conversation.",
                target=target.number,
                other=target.customer.display_name,
                name=name,
            )
        super().__init__(message, field="number")
        self.target = target


def check_merge(duplicate: Ticket, target: Ticket, *, actor: Agent) -> None:
    """Refuse a merge that cannot be done, with the reason, before the agent confirms it."""
    if not permissions.can_link_tickets(actor, duplicate, target):
        raise DomainError(gettext("Only agents can merge tickets."), field="number")
    if duplicate.id == target.id:
        raise DomainError(gettext("A ticket cannot be merged into itself."), field="number")
    if duplicate.merged_into is not None:
        raise DomainError(
            gettext("This ticket is already merged into #%(number)s.", number=duplicate.merged_into.number),
            field="number",
        )
    # With no merge into a merged ticket, a chain only grows at its end and can never close a loop.
    if target.merged_into is not None:
        raise DomainError(
            gettext(
                "#%(number)s was itself merged into #%(target)s: merge into that one.",
                number=target.number,
                target=target.merged_into.number,
            ),
            field="number",
        )
    if duplicate.is_problem and db.session.scalar(select(Ticket.id).where(Ticket.problem_id == duplicate.id).limit(1)):
        raise DomainError(gettext("This ticket is a problem with incidents: unlink them first."), field="number")
    if not parties.keeps_party(duplicate, target):
        raise AcrossCustomers(duplicate, target)


def merge_ticket(duplicate: Ticket, target: Ticket, *, actor: Agent) -> None:
    """Merge `duplicate` into `target`: both histories stay as they are, the duplicate points to
    the target and is closed, its customer hears where the request continues."""
    check_merge(duplicate, target, actor=actor)
    duplicate.merged_into = target
    record_event(duplicate, "merged_into", {"ticket": target.number}, actor=actor)
    record_event(target, "merged", {"ticket": duplicate.number, "subject": duplicate.subject}, actor=actor)
    customer = duplicate.customer
    visible = customer is not None and permissions.can_view_ticket(customer, target)  # not when deactivated
    if customer is not None:
        # The customer is in the target's party and reads it; the people CC'd on the duplicate join it.
        for person in participants.customers_on(duplicate):
            if person.is_active and not permissions.can_view_ticket(person, target):
                participants.put_on(target, person.email, actor=actor)
        note = post_system_note(duplicate, _note(duplicate, target, visible), last_public=False)
    _close(duplicate, actor=actor)
    if customer is not None:
        db.session.flush()
        outbox.enqueue(customer, "ticket_merged", ticket=duplicate, entry=note, target=target, visible=visible)
    db.session.flush()


def _note(duplicate: Ticket, target: Ticket, visible: bool) -> str:
    locale = duplicate.customer.locale or "en"
    with force_locale(locale):
        if visible:
            return gettext(
                "We merged this request into #%(number)s, which is about the same thing. "
                "We continue there; your replies here reach it too.",
                number=target.number,
            )
        return gettext(
            "We merged this request with another one about the same thing, and continue there. "
            "Your replies here, or by email, still reach our team."
        )


def _close(ticket: Ticket, *, actor: Agent) -> None:
    """Close the duplicate as an agent's explicit status change would, through the rules engine,
    but without the generic "we closed your ticket" mail: the merge mail says more."""
    if ticket.status.category == Category.CLOSED:
        return
    closed = db.session.scalars(
        select(Status).where(Status.category == Category.CLOSED).order_by(Status.position, Status.id)
    ).first()
    rules.fire("ticket.status_changed", ticket, actor=actor, explicit_status=closed)
