"""Helpers for the rules tests: a fixed start time, tickets at a known point, lookups of statuses, rules and mail."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from shared.core.clock import frozen_at
from shared.core.extensions import db
from shared.models import Rule, Status, Ticket
from shared.tickets import assignment, conversation, properties, rules

T0 = datetime(2026, 3, 2, 9, 0)
ALL_STATUSES = ("new", "assigned", "waiting", "feature_filed", "bug_filed", "closed")


def at(days: float = 0, **delta):
    """Freeze the clock `days` (and any other timedelta parts) after T0."""
    return frozen_at(T0 + timedelta(days=days, **delta))


def status(key: str) -> Status:
    return rules.status_by_key(key)


def all_rules() -> list[Rule]:
    return list(db.session.scalars(select(Rule).order_by(Rule.position, Rule.id)))


def rule(number: str) -> Rule:
    """A seeded rule by the number its name starts with ("2", "5a", ...)."""
    return next(r for r in all_rules() if r.name.startswith(f"{number}. "))


def ticket_count() -> int:
    return db.session.scalar(select(func.count(Ticket.id)))


def status_events(ticket: Ticket) -> list[dict]:
    return [e.data for e in ticket.entries if e.event == "status"]


def mails(outbox, template: str) -> list:
    return [m for m in outbox() if m.template == template]


def closed_ticket(make_ticket, customer, agent, *, assigned: bool) -> Ticket:
    """A ticket closed by the agent at T0."""
    with at(-2):
        ticket = make_ticket(customer)
        if assigned:
            assignment.assign_ticket(ticket, agent, actor=agent)
    with at(0):
        properties.change_status(ticket, status("closed"), actor=agent)
        db.session.commit()
    assert ticket.closed_at == T0
    return ticket


def waiting_ticket(make_ticket, customer, agent, days: float = 0) -> Ticket:
    """A ticket the agent answered (so it waits on the customer) `days` after T0."""
    with at(days):
        ticket = make_ticket(customer)
        conversation.post_reply(ticket, actor=agent, body="Which printer?")
        db.session.commit()
    assert ticket.status.key == "waiting"
    return ticket
