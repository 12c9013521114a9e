"""The SLA clock on tickets: due times kept on the ticket, what the ticket page shows, and breaches.

The clock runs while a ticket's status is in the `new` or `open` category, pauses while the customer
is waited on or the ticket is on hold, and stops on close (a reopen starts it again, with the time
already used). Those spans are read from the ticket's append-only status history, so every
recompute sees the whole life of the ticket; `shared.sla` does the arithmetic.

The verbs call `recompute` at the events that move a due time (creation, a status change, a new
priority or department, the first agent reply). The columns hold a due time only while its clock
runs, so the queues and the breach timer are plain indexed range queries.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from shared.core.clock import frozen_at
from shared.core.extensions import db
from shared.models import (
    ActorKind,
    BusinessCalendar,
    Category,
    Department,
    Entry,
    EntryKind,
    SlaTarget,
    Status,
    Ticket,
    Visibility,
    utcnow,
)
from shared.outgoing import notifications, outbox
from shared.records.history import record_event
from shared.sla import business_time

RUNNING = (Category.NEW, Category.OPEN)
PAUSED = (Category.PENDING, Category.ON_HOLD)
SOON = timedelta(hours=1)  # what *Breaching soon* looks ahead
TARGETS = ("first_response", "resolution")


def default_calendar() -> BusinessCalendar:
    return db.session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.id)).first()


def calendar_for(department: Department) -> BusinessCalendar:
    """The department's calendar, or the desk's first one when it has none."""
    if department.calendar_id is not None:
        return db.session.get(BusinessCalendar, department.calendar_id)
    return default_calendar()


def schedule_of(calendar: BusinessCalendar) -> business_time.Schedule:
    return business_time.Schedule(
        timezone=calendar.timezone,
        work_days=frozenset(calendar.work_days),
        start=calendar.day_start,
        end=calendar.day_end,
        holidays=frozenset(h.day for h in calendar.holidays),
    )


def target_seconds(amount: int, unit: str, schedule: business_time.Schedule) -> int:
    """A target in business seconds: hours as they are, days as the calendar's working day."""
    return amount * (schedule.day_seconds if unit == "days" else 3600)


def _segments(ticket: Ticket) -> list[business_time.Segment]:
    categories = dict(db.session.execute(select(Status.key, Status.category)).all())
    rows = db.session.execute(
        select(Entry.created_at, Entry.data)
        .where(Entry.ticket_id == ticket.id, Entry.event == "status")
        .order_by(Entry.id)
    )
    changes = [(at, categories.get(data.get("to")) in RUNNING) for at, data in rows]
    return business_time.running_segments(ticket.created_at, changes)


@dataclass(frozen=True)
class Clocks:
    first_response: business_time.Clock
    resolution: business_time.Clock
    calendar: BusinessCalendar


def clocks(ticket: Ticket, now: datetime) -> Clocks | None:
    """Both targets' clocks at `now`; None for an internal task (no customer waits) or a priority
    without targets."""
    target = db.session.get(SlaTarget, ticket.priority)
    if ticket.customer_id is None or target is None:
        return None
    calendar = calendar_for(ticket.department)
    schedule = schedule_of(calendar)
    segments = _segments(ticket)
    first = target_seconds(target.first_response, target.first_response_unit, schedule)
    resolution = target_seconds(target.resolution, target.resolution_unit, schedule)
    return Clocks(
        first_response=business_time.clock(
            schedule, business_time.until(segments, ticket.first_response_at), first, now
        ),
        resolution=business_time.clock(schedule, segments, resolution, now),
        calendar=calendar,
    )


def recompute(ticket: Ticket) -> None:
    """Store the due times of the targets whose clocks run now (none for a paused, stopped or met one)."""
    found = clocks(ticket, utcnow())
    first = found.first_response if found else None
    resolution = found.resolution if found else None
    ticket.first_response_due_at = first.due_at if first is not None and first.running else None
    ticket.resolution_due_at = resolution.due_at if resolution is not None and resolution.running else None
    dues = [d for d in (ticket.first_response_due_at, ticket.resolution_due_at) if d is not None]
    ticket.sla_due_at = min(dues, default=None)


def backfill() -> int:
    """Recompute every open ticket with a customer: for a desk upgraded with tickets already open.
    A scan, so the command line runs it once, never a request."""
    query = (
        select(Ticket)
        .join(Ticket.status)
        .where(Status.category != Category.CLOSED, Ticket.customer_id.is_not(None))
        .order_by(Ticket.id)
    )
    found = 0
    for ticket in db.session.scalars(query):
        ticket.first_response_at = ticket.first_response_at or _first_agent_reply(ticket)
        recompute(ticket)
        found += 1
    return found


def _first_agent_reply(ticket: Ticket) -> datetime | None:
    """When an agent first answered in public, from the history (the opening message does not count)."""
    opening = select(func.min(Entry.id)).where(Entry.ticket_id == ticket.id).scalar_subquery()
    return db.session.scalar(
        select(func.min(Entry.created_at)).where(
            Entry.ticket_id == ticket.id,
            Entry.id > opening,
            Entry.kind == EntryKind.MESSAGE,
            Entry.visibility == Visibility.PUBLIC,
            Entry.author_kind == ActorKind.AGENT,
        )
    )


def responded(ticket: Ticket) -> None:
    """An agent's public reply: the first one meets the first-response target."""
    if ticket.first_response_at is None:
        ticket.first_response_at = utcnow()
        recompute(ticket)


# --- What the ticket page shows -----------------------------------------------------------------


@dataclass(frozen=True)
class TargetState:
    """One target as an agent reads it: `state` is met, running, paused or stopped (closed unmet)."""

    name: str
    state: str
    due_at: datetime | None
    done_at: datetime | None  # when it was met
    remaining: float  # business seconds; negative: overdue
    late: bool


@dataclass(frozen=True)
class Summary:
    targets: list[TargetState]
    calendar: BusinessCalendar


def summary(ticket: Ticket) -> Summary | None:
    """Both targets for the ticket page, or None when the ticket has no SLA."""
    found = clocks(ticket, utcnow())
    if found is None:
        return None
    category = ticket.status.category
    first_met = ticket.first_response_at
    resolved = ticket.closed_at if category == Category.CLOSED else None
    return Summary(
        [
            _state("first_response", found.first_response, first_met, category),
            _state("resolution", found.resolution, resolved, category),
        ],
        found.calendar,
    )


def _state(name: str, clock: business_time.Clock, done_at: datetime | None, category: str) -> TargetState:
    if done_at is not None:
        state = "met"
    elif clock.running:
        state = "running"
    elif category in PAUSED:
        state = "paused"
    else:
        state = "stopped"
    late = clock.due_at is not None and (done_at or utcnow()) > clock.due_at
    return TargetState(name, state, clock.due_at, done_at, clock.remaining, late)


# --- Breaches: the worker's timer ---------------------------------------------------------------


def _columns(target: str):
    return getattr(Ticket, f"{target}_due_at"), getattr(Ticket, f"{target}_breached_at")


def claim_breach(ticket_id: int, target: str, now: datetime) -> bool:
    """Mark the target breached unless someone already did: the conditional update lets exactly one
    worker win, however many look at the same ticket at once."""
    due, breached = _columns(target)
    claimed = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, breached.is_(None), due.is_not(None), due <= now)
        .values({breached: now})
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def record_breaches(now: datetime | None = None, *, limit: int | None = None) -> int:
    """For each running target whose due time has passed and that was never breached: an internal
    `sla_breach` event and one mail to the assignee (or the department's agents). Once per target
    per ticket, ever. At most `limit` tickets per target, so a caller can commit between batches."""
    now = now or utcnow()
    done = 0
    with frozen_at(now):  # the history records the timer's time, also when a caller passes one
        for target in TARGETS:
            due, breached = _columns(target)
            candidates = db.session.scalars(
                select(Ticket.id).where(due <= now, breached.is_(None)).order_by(due, Ticket.id).limit(limit)
            ).all()
            for ticket_id in candidates:
                if not claim_breach(ticket_id, target, now):
                    continue
                ticket = db.session.get(Ticket, ticket_id)
                db.session.refresh(ticket)
                due_at = getattr(ticket, f"{target}_due_at")
                event = record_event(ticket, "sla_breach", {"target": target, "due": due_at.isoformat()}, actor=None)
                recipients = notifications.breach_recipients(ticket)
                outbox.enqueue_each(recipients, "sla_breach", ticket=ticket, entry=event, target=target, due_at=due_at)
                done += 1
    return done
