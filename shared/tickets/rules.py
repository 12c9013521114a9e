"""The status rules engine: the only code that sets a ticket's status.

Rules are rows (see `shared.models.Rule`): on an event, when every condition holds for the
ticket, the actions run. Verbs in `shared.tickets` fire events; nothing else moves a status.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale, lazy_gettext
from sqlalchemy import select

from shared.core.extensions import db
from shared.models import Category, Rule, Status, Ticket, utcnow
from shared.outgoing import notifications
from shared.records.history import Actor, actor_kind, post_system_note, record_event
from shared.sla import tracking

EVENTS = (
    "ticket.created",
    "message.public_by_customer",
    "message.public_by_agent",
    "message.internal",
    "ticket.assigned",
    "ticket.status_changed",
    "timer.pending_expired",
)

# Texts a rule may post as a public system note, by key, translated for the customer.
PUBLIC_NOTES = {
    "auto_closed": lazy_gettext(
        "We closed this request because we have not heard back from you for a while. "
        "Reply at any time if you still need help."
    ),
}

Condition = Callable[[Ticket, Any, Actor, datetime], bool]


def _days_ago(now: datetime, days: Any) -> datetime:
    return now - timedelta(days=int(days))


CONDITIONS: dict[str, Condition] = {
    "status": lambda t, keys, actor, now: t.status.key in keys,
    "category": lambda t, cats, actor, now: t.status.category in cats,
    "assigned": lambda t, want, actor, now: (t.assignee is not None) == bool(want),
    "actor": lambda t, kinds, actor, now: actor_kind(actor) in kinds,
    "closed_within_days": lambda t, d, actor, now: t.closed_at is not None and t.closed_at >= _days_ago(now, d),
    "closed_over_days": lambda t, d, actor, now: t.closed_at is not None and t.closed_at < _days_ago(now, d),
    "pending_over_days": lambda t, d, actor, now: t.status_changed_at <= _days_ago(now, d),
}
ACTIONS = ("set_status", "notify_customer", "public_note", "open_linked_ticket")


def validate(rule: Rule) -> None:
    """Refuse a rule the engine could not run, so an admin's typo fails on save, not later."""
    if rule.event not in EVENTS:
        raise ValueError(f"unknown event {rule.event!r}")
    for name in rule.conditions:
        if name not in CONDITIONS:
            raise ValueError(f"unknown condition {name!r}")
        if name.endswith("_days") and not (isinstance(rule.conditions[name], int) and rule.conditions[name] >= 0):
            raise ValueError(f"{name} needs a whole number of days")
    for action in rule.actions:
        unknown = set(action) - {*ACTIONS, "if_unassigned"}
        if unknown or not set(action) & set(ACTIONS):
            raise ValueError(f"unknown action {action!r}")
        for key in (action.get("set_status"), action.get("if_unassigned")):
            if key is not None and db.session.scalar(select(Status.id).where(Status.key == key)) is None:
                raise ValueError(f"unknown status {key!r}")


def matching(event: str, ticket: Ticket, *, actor: Actor, now: datetime | None = None) -> list[Rule]:
    """The enabled rules for `event` whose every condition holds, in their order."""
    now = now or utcnow()
    rules = db.session.scalars(
        select(Rule).where(Rule.event == event, Rule.enabled.is_(True)).order_by(Rule.position, Rule.id)
    )
    return [
        rule
        for rule in rules
        if all(CONDITIONS[name](ticket, value, actor, now) for name, value in rule.conditions.items())
    ]


def wants_linked_ticket(rules: list[Rule]) -> bool:
    return any(action.get("open_linked_ticket") for rule in rules for action in rule.actions)


def fire(
    event: str,
    ticket: Ticket,
    *,
    actor: Actor,
    explicit_status: Status | None = None,
    now: datetime | None = None,
    notify_customer: bool = True,
) -> list[Rule]:
    """Run the matching rules' actions. An explicit status from the actor wins over the rules'.
    `notify_customer=False` skips the actions that mail the customer (mail that must not be answered)."""
    matched = matching(event, ticket, actor=actor, now=now)
    status_done = False
    if explicit_status is not None:
        status_done = _set_status(ticket, explicit_status, actor=actor, rule=None)
    for rule in matched:
        for action in rule.actions:
            if "set_status" in action and not status_done:
                key = action["set_status"]
                if ticket.assignee is None and action.get("if_unassigned"):
                    key = action["if_unassigned"]
                _set_status(ticket, status_by_key(key), actor=actor, rule=rule)
                status_done = True
            elif "public_note" in action:
                _post_public_note(ticket, action["public_note"])
            elif "notify_customer" in action and notify_customer:
                notifications.rule_mail(ticket, action["notify_customer"])
    return matched


def place_new_ticket(ticket: Ticket) -> None:
    """Give a new ticket a starting status in the `new` category; rule 1 may then move it."""
    ticket.status = _first_of_category(Category.NEW)
    ticket.status_changed_at = utcnow()


def status_by_key(key: str) -> Status:
    status = db.session.scalar(select(Status).where(Status.key == key))
    if status is None:
        raise LookupError(f"a rule names status {key!r}, which does not exist")
    return status


def pending_expiry_days() -> list[int]:
    """How long tickets may wait on the customer, from the enabled timer rules."""
    rules = db.session.scalars(select(Rule).where(Rule.event == "timer.pending_expired", Rule.enabled.is_(True)))
    return sorted(int(r.conditions["pending_over_days"]) for r in rules if "pending_over_days" in r.conditions)


def _first_of_category(category: Category) -> Status:
    return db.session.scalars(
        select(Status).where(Status.category == category).order_by(Status.position, Status.id)
    ).first()


def _set_status(ticket: Ticket, status: Status, *, actor: Actor, rule: Rule | None) -> bool:
    """Move the ticket and write the history event; the one place a status is assigned."""
    old = ticket.status
    if old is not None and old.id == status.id:
        return True
    now = utcnow()
    ticket.status = status
    ticket.status_changed_at = now
    if status.category == Category.CLOSED:
        ticket.closed_at = now
    elif old is not None and old.category == Category.CLOSED:
        ticket.closed_at = None
    data = {"from": old.key if old else None, "to": status.key, "rule": rule.name if rule else None}
    record_event(ticket, "status", data, actor=actor)
    tracking.recompute(ticket)
    return True


def _post_public_note(ticket: Ticket, key: str) -> None:
    locale = ticket.customer.locale if ticket.customer and ticket.customer.locale else "en"
    with force_locale(locale):
        text = str(PUBLIC_NOTES[key]) if key in PUBLIC_NOTES else key
    post_system_note(ticket, text)
