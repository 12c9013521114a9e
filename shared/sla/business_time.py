"""The SLA clock's arithmetic: business time in a calendar's time zone, and when a target falls due.

Pure functions over plain values (no database, no "now" of its own), so the clock can be tested
across weekends, holidays and DST changes with nothing but datetimes. `shared.sla.tracking` feeds it
a ticket's history and stores what it answers.

All datetimes in and out are naive UTC, the form every timestamp column holds.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Days in a row without working time after which a calendar is taken to have none at all.
_HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class Schedule:
    """When the desk works: days of the week (0 = Monday), one span of hours, holidays, in a zone."""

    timezone: str
    work_days: frozenset[int]
    start: time
    end: time
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def day_seconds(self) -> int:
        """The length of one business day: what "1 business day" of a target means."""
        return int((datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)).total_seconds())

    def windows(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working spans (naive UTC) from the day holding `since` on, in order, for as long as
        asked. Each day's hours are read in local time, so a DST change moves them in UTC, as the
        office clock does. A calendar with no working day for years on end has no working time."""
        zone = ZoneInfo(self.timezone)
        day = since.replace(tzinfo=UTC).astimezone(zone).date()
        idle = 0
        while idle < _HORIZON_DAYS:
            current, day = day, day + timedelta(days=1)
            if current.weekday() not in self.work_days or current in self.holidays:
                idle += 1
                continue
            idle = 0
            opens = _to_utc(datetime.combine(current, self.start, zone))
            closes = _to_utc(datetime.combine(current, self.end, zone))
            if closes > since:
                yield opens, closes
        raise ValueError("the calendar has no working time")


def _to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def add_business(schedule: Schedule, start: datetime, seconds: float) -> datetime:
    """The moment `seconds` of business time after `start` (at the next opening when it is 0 and
    the desk is closed)."""
    left = max(0.0, seconds)
    for opens, closes in schedule.windows(start):
        begin = max(opens, start)
        span = (closes - begin).total_seconds()
        if left <= span:
            return begin + timedelta(seconds=left)
        left -= span
    raise AssertionError("unreachable: windows() ends by raising")


def business_seconds(schedule: Schedule, start: datetime, end: datetime) -> float:
    """How much business time lies between `start` and `end`."""
    total = 0.0
    if end <= start:
        return total
    for opens, closes in schedule.windows(start):
        if opens >= end:
            break
        total += (min(closes, end) - max(opens, start)).total_seconds()
    return total


# --- The clock over a ticket's life -------------------------------------------------------------

Segment = tuple[datetime, datetime | None]  # a span while the clock ran; None: it runs still


def running_segments(created_at: datetime, changes: Sequence[tuple[datetime, bool]]) -> list[Segment]:
    """The spans the clock ran, from the ticket's creation (running) and its later changes, each a
    moment and whether the clock runs from then on (it pauses while the customer is waited on or the
    ticket is on hold, and stops on close; a reopen starts it again)."""
    segments: list[Segment] = []
    since: datetime | None = created_at
    for moment, runs in changes:
        if runs and since is None:
            since = moment
        elif not runs and since is not None:
            segments.append((since, moment))
            since = None
    if since is not None:
        segments.append((since, None))
    return segments


def until(segments: list[Segment], moment: datetime | None) -> list[Segment]:
    """The segments cut off at `moment` (a target met then stops its clock); as they are for None."""
    if moment is None:
        return segments
    cut: list[Segment] = []
    for start, end in segments:
        if start >= moment:
            break
        cut.append((start, moment if end is None or end > moment else end))
    return cut


@dataclass(frozen=True)
class Clock:
    """One target's clock: when it falls (or fell) due, and whether it runs now."""

    due_at: datetime | None  # None: not reached and not running (paused or stopped)
    running: bool
    remaining: float  # business seconds left at `now`; negative when overdue


def clock(schedule: Schedule, segments: list[Segment], target_seconds: float, now: datetime) -> Clock:
    """Walk the spans the clock ran: the target falls due where their business time adds up to it,
    in a past span (it was missed then) or in the running one; a paused clock that has not reached
    it has no due time."""
    used, due = 0.0, None
    for start, end in segments:
        span = business_seconds(schedule, start, end or now)
        if due is None and (end is None or used + span >= target_seconds):
            due = add_business(schedule, start, target_seconds - used)
        used += span
    running = bool(segments) and segments[-1][1] is None
    return Clock(due, running, target_seconds - used)
