"""The reminder before rule 7: a customer we wait on hears once, a few days before the ticket closes.

"Once per waiting period" needs no column: the history is append-only, so a ticket was already
reminded when it has a `reminder` event written since it last moved into its waiting status
(`Ticket.status_changed_at`). A reply moves it out, and the next wait starts a new period.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, ngettext
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, selectinload

from shared.core.clock import frozen_at
from shared.core.extensions import db
from shared.models import Category, Entry, Status, Ticket, utcnow
from shared.outgoing import outbox
from shared.records.history import post_system_note, record_event
from shared.tickets import rules

EVENT = "reminder"


def days_before() -> int:
    """How many days before the close the reminder goes out (REMINDER_DAYS_BEFORE; 0 turns it off)."""
    return int(current_app.config["REMINDER_DAYS_BEFORE"])


def due_for_reminder(now: datetime) -> list[Ticket]:
    """Waiting tickets with a customer that rule 7 closes within the reminder window and that have
    had no reminder since they started waiting, in one query. Nothing when reminders are off, when
    rule 7 is, or when the window would start before the wait does."""
    expiry = rules.pending_expiry_days()
    before = days_before()
    if not expiry or not 0 < before < expiry[0]:
        return []
    reminder = aliased(Entry)
    already = exists().where(
        reminder.ticket_id == Ticket.id,
        reminder.event == EVENT,
        reminder.created_at >= Ticket.status_changed_at,
    )
    query = (
        select(Ticket)
        .join(Ticket.status)
        .where(
            Status.category == Category.PENDING,
            Ticket.customer_id.is_not(None),
            Ticket.status_changed_at <= now - timedelta(days=expiry[0] - before),
            Ticket.status_changed_at > now - timedelta(days=expiry[0]),  # due to close: rule 7's turn
            ~already,
        )
        .options(selectinload(Ticket.customer))
        .order_by(Ticket.id)
    )
    return list(db.session.scalars(query))


def remind_pending(now: datetime | None = None) -> int:
    """The reminder timer, run with rule 7's: for each ticket due, an internal `reminder` event for
    the agents, a public system note for the customer (as rule 7's close note is) and one mail."""
    now = now or utcnow()
    due = due_for_reminder(now)
    days_left = days_before()
    with frozen_at(now):  # the history records the timer's time, also when a caller passes one
        for ticket in due:
            record_event(ticket, EVENT, {"days_left": days_left}, actor=None)
            note = _post_note(ticket, days_left)
            outbox.enqueue(ticket.customer, "ticket_reminder", ticket=ticket, entry=note, days=days_left)
    return len(due)


def _post_note(ticket: Ticket, days_left: int) -> Entry:
    with force_locale(ticket.customer.locale or "en"):
        text = ngettext(
            "We are still waiting for your reply. If we do not hear from you within %(num)d day, "
            "we will close this request.",
            "We are still waiting for your reply. If we do not hear from you within %(num)d days, "
            "we will close this request.",
            days_left,
        )
    return post_system_note(ticket, text)
