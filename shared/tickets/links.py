"""Links between tickets, the desk's own bookkeeping: related tickets (symmetric), and problems
with their incidents (an incident has at most one problem). Every change is an internal history
event on both tickets; customers never see links.

Closing a problem answers its open incidents: `shared.tickets` calls `incidents_to_answer` and
`answer_text` when an agent closes one, and posts the replies through its own verb.
"""

from dataclasses import dataclass, field

from flask_babel import force_locale, gettext
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import selectinload

from shared.access import parties, permissions
from shared.core import bounds
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, Category, Entry, Status, Ticket, TicketLink
from shared.records.history import record_event

RELATIONS = ("related", "incident", "problem")


@dataclass
class Links:
    """What the console's side panel lists for one ticket."""

    related: list[Ticket] = field(default_factory=list)
    problem: Ticket | None = None
    incidents: list[Ticket] = field(default_factory=list)
    merged_here: list[Ticket] = field(default_factory=list)
    # A merged ticket whose conversation stays on it: merged across customers before merges kept to one.
    kept_apart: bool = False

    @property
    def empty(self) -> bool:
        return not (self.related or self.problem or self.incidents or self.merged_here)


def links_of(ticket: Ticket) -> Links:
    """The ticket's related tickets, its problem or its incidents, and the duplicates merged into it."""
    pairs = db.session.execute(
        select(TicketLink.ticket_id, TicketLink.other_id).where(
            or_(TicketLink.ticket_id == ticket.id, TicketLink.other_id == ticket.id)
        )
    ).all()
    related_ids = {b if a == ticket.id else a for a, b in pairs}
    query = select(Ticket).options(selectinload(Ticket.status))

    def by_number(condition: ColumnElement[bool]) -> list[Ticket]:
        # Sorted here: ORDER BY number would tempt SQLite to walk every ticket in number order.
        return sorted(db.session.scalars(query.where(condition)), key=lambda t: t.number)

    return Links(
        related=by_number(Ticket.id.in_(related_ids)) if related_ids else [],
        problem=ticket.problem,
        incidents=by_number(Ticket.problem_id == ticket.id),
        merged_here=by_number(Ticket.merged_into_id == ticket.id),
        kept_apart=ticket.merged_into is not None and continuation(ticket) is ticket,
    )


def continuation(ticket: Ticket) -> Ticket:
    """Where the conversation of the ticket's people goes on: the ticket itself, or the end of its chain
    of merges, as far as each merge keeps to one party (shared/access/parties.py). A duplicate merged into
    another customer's ticket (older desks hold some) keeps its own conversation, so its customer's
    replies land where they can read them. Merging refuses cycles; the walk stops at a ticket seen
    before all the same, so bad data cannot hang mail intake."""
    seen = {ticket.id}
    while (
        ticket.merged_into is not None
        and ticket.merged_into.id not in seen
        and parties.keeps_party(ticket, ticket.merged_into)
    ):
        ticket = ticket.merged_into
        seen.add(ticket.id)
    return ticket


def find_by_number(actor: Agent, text: str | int, *, field: str = "number") -> Ticket:
    """The ticket an agent typed ("1042" or "#1042"), or a refusal that says what was wrong."""
    raw = str(text or "").strip().removeprefix("#").strip()
    if not raw:
        raise DomainError(gettext("Enter a ticket number."), field=field)
    number = bounds.whole(raw)
    if number is None:
        raise DomainError(gettext("“%(text)s” is not a ticket number.", text=str(text).strip()), field=field)
    ticket = permissions.find_ticket(actor, number)
    if ticket is None:
        raise DomainError(gettext("There is no ticket #%(number)s.", number=raw), field=field)
    return ticket


def _check(ticket: Ticket, other: Ticket, actor: Agent, *, field: str = "number") -> None:
    if not permissions.can_link_tickets(actor, ticket, other):
        raise DomainError(gettext("Only agents can link tickets."), field=field)
    if ticket.id == other.id:
        raise DomainError(gettext("A ticket cannot be linked to itself."), field=field)
    for one in (ticket, other):
        if one.merged_into is not None:
            raise DomainError(
                gettext(
                    "#%(number)s was merged into #%(target)s: link that one instead.",
                    number=one.number,
                    target=one.merged_into.number,
                ),
                field=field,
            )


def _pair(ticket: Ticket, other: Ticket):
    low, high = sorted((ticket.id, other.id))
    return select(TicketLink).where(TicketLink.ticket_id == low, TicketLink.other_id == high)


def link(ticket: Ticket, other: Ticket, relation: str, *, actor: Agent) -> None:
    """Link `other` to `ticket` as `relation`: "related", "incident" (other is an incident of this
    problem) or "problem" (this is an incident of the problem `other`)."""
    if relation == "related":
        link_related(ticket, other, actor=actor)
    elif relation == "incident":
        link_incident(ticket, other, actor=actor)
    elif relation == "problem":
        link_incident(other, ticket, actor=actor)
    else:
        raise DomainError(gettext("Choose how the tickets are linked."), field="relation")


def link_related(ticket: Ticket, other: Ticket, *, actor: Agent) -> TicketLink:
    """Say two tickets are about related things; the link reads the same from either side."""
    _check(ticket, other, actor)
    if db.session.scalar(_pair(ticket, other)) is not None:
        raise DomainError(gettext("#%(number)s is already linked.", number=other.number), field="number")
    low, high = sorted((ticket.id, other.id))
    row = TicketLink(ticket_id=low, other_id=high, agent_id=actor.id)
    db.session.add(row)
    record_event(ticket, "linked", {"ticket": other.number, "as": "related"}, actor=actor)
    record_event(other, "linked", {"ticket": ticket.number, "as": "related"}, actor=actor)
    db.session.flush()
    return row


def link_incident(problem: Ticket, incident: Ticket, *, actor: Agent) -> None:
    """Make `incident` one of `problem`'s incidents, marking `problem` as a problem if it was not."""
    _check(problem, incident, actor)
    if incident.problem_id == problem.id:
        raise DomainError(
            gettext(
                "#%(number)s is already an incident of #%(problem)s.", number=incident.number, problem=problem.number
            ),
            field="number",
        )
    if incident.problem is not None:
        raise DomainError(
            gettext(
                "#%(number)s is already an incident of #%(problem)s; unlink it there first.",
                number=incident.number,
                problem=incident.problem.number,
            ),
            field="number",
        )
    if incident.is_problem:
        raise DomainError(
            gettext("#%(number)s is a problem itself, so it cannot be an incident.", number=incident.number),
            field="number",
        )
    if problem.problem is not None:
        raise DomainError(
            gettext("#%(number)s is an incident, so it cannot be a problem.", number=problem.number), field="number"
        )
    if not problem.is_problem:
        mark_problem(problem, True, actor=actor)
    incident.problem = problem
    record_event(problem, "linked", {"ticket": incident.number, "as": "incident"}, actor=actor)
    record_event(incident, "linked", {"ticket": problem.number, "as": "problem"}, actor=actor)
    db.session.flush()


def unlink(ticket: Ticket, other: Ticket, *, actor: Agent) -> None:
    """Remove whatever link joins the two tickets (related, or problem and incident)."""
    if not permissions.can_link_tickets(actor, ticket, other):
        raise DomainError(gettext("Only agents can link tickets."))
    row = db.session.scalar(_pair(ticket, other))
    if row is not None:
        db.session.delete(row)
        relation = ("related", "related")
    elif other.problem_id == ticket.id:
        other.problem = None
        relation = ("incident", "problem")
    elif ticket.problem_id == other.id:
        ticket.problem = None
        relation = ("problem", "incident")
    else:
        raise DomainError(gettext("#%(number)s is not linked to this ticket.", number=other.number))
    record_event(ticket, "unlinked", {"ticket": other.number, "as": relation[0]}, actor=actor)
    record_event(other, "unlinked", {"ticket": ticket.number, "as": relation[1]}, actor=actor)
    db.session.flush()


def mark_problem(ticket: Ticket, on: bool, *, actor: Agent) -> None:
    """Mark a ticket as a problem that incidents can be linked to, or take the mark off (once it
    has no incidents left)."""
    if not permissions.can_update_ticket(actor, ticket):
        raise DomainError(gettext("Only agents can change this."))
    if ticket.is_problem == on:
        return
    if on and ticket.problem is not None:
        raise DomainError(gettext("An incident cannot be a problem too; unlink it from its problem first."))
    if on and ticket.merged_into is not None:
        raise DomainError(gettext("A merged ticket cannot be a problem."))
    if not on and db.session.scalar(select(Ticket.id).where(Ticket.problem_id == ticket.id).limit(1)) is not None:
        raise DomainError(gettext("Unlink its incidents first."))
    ticket.is_problem = on
    record_event(ticket, "problem", {"on": on}, actor=actor)


# --- Closing a problem ----------------------------------------------------------------------


def incidents_to_answer(problem: Ticket) -> list[Ticket]:
    """The problem's incidents that are still open, in number order."""
    if not problem.is_problem:
        return []
    return list(
        db.session.scalars(
            select(Ticket)
            .join(Ticket.status)
            .where(Ticket.problem_id == problem.id, Status.category != Category.CLOSED)
            .order_by(Ticket.number)
        )
    )


def answer_text(incident: Ticket, closing_reply: Entry | None) -> str:
    """What an incident's customer is told when its problem is closed: the agent's closing public
    reply if there was one, else a standard text in the customer's language. The standard text
    names neither the problem's number nor its subject: the problem may be another customer's ticket."""
    if closing_reply is not None and closing_reply.body.strip():
        return closing_reply.body
    locale = incident.customer.locale if incident.customer and incident.customer.locale else "en"
    with force_locale(locale):
        return gettext(
            "Good news: we have fixed the underlying problem that caused this. "
            "If you still see it, reply here and we will look into it again."
        )


def record_answered(problem: Ticket, answered: list[Ticket], *, actor: Agent) -> None:
    """Say on the problem which incidents its closing answered."""
    if answered:
        record_event(problem, "incidents_answered", {"tickets": [t.number for t in answered]}, actor=actor)
