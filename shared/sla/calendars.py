"""The admin side of the SLA: business calendars and their holidays, each department's calendar, and
the per-priority targets. Each change is audited, and the running clocks it moves are recomputed."""

from datetime import date, time
from zoneinfo import available_timezones

from flask_babel import gettext
from sqlalchemy import func, select

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import PRIORITIES, UNITS, Agent, BusinessCalendar, Department, Holiday, SlaTarget, Ticket
from shared.records import audit
from shared.records.catalog import unique_name
from shared.sla import tracking

MAX_TARGET = 999  # hours or days; anything longer is no promise


def all_calendars() -> list[tuple[BusinessCalendar, int]]:
    """Every calendar with the number of departments that use it."""
    used = select(func.count(Department.id)).where(Department.calendar_id == BusinessCalendar.id).scalar_subquery()
    return list(db.session.execute(select(BusinessCalendar, used).order_by(BusinessCalendar.id)).all())


def timezones() -> list[str]:
    return sorted(available_timezones())


def _calendar_name(name: str, current: BusinessCalendar | None = None) -> str:
    taken = gettext("A calendar with this name already exists.")
    return unique_name(BusinessCalendar, name, taken=taken, current=current)


def create_calendar(name: str, *, actor: Agent | None) -> BusinessCalendar:
    """A new calendar, Monday to Friday 09:00-17:00 in the default calendar's zone, to edit from there."""
    calendar = BusinessCalendar(
        name=_calendar_name(name),
        timezone=tracking.default_calendar().timezone,
        work_days=[0, 1, 2, 3, 4],
        day_start=time(9),
        day_end=time(17),
    )
    db.session.add(calendar)
    audit.record("calendar.created", calendar, actor=actor)
    db.session.flush()
    return calendar


def update_calendar(
    calendar: BusinessCalendar,
    *,
    name: str,
    timezone: str,
    work_days: list[int],
    day_start: time,
    day_end: time,
    actor: Agent | None,
) -> None:
    name = _calendar_name(name, calendar)
    if timezone not in available_timezones():
        raise DomainError(gettext("Choose a time zone from the list, such as Europe/Berlin."), field="timezone")
    days = sorted(set(work_days))
    if not days or not set(days) <= set(range(7)):
        raise DomainError(gettext("Choose at least one working day."), field="work_days")
    if day_end <= day_start:
        raise DomainError(gettext("The working day must end after it starts."), field="day_end")
    found = audit.changes(
        name=(calendar.name, name),
        timezone=(calendar.timezone, timezone),
        work_days=(calendar.work_days, days),
        hours=(_hours(calendar.day_start, calendar.day_end), _hours(day_start, day_end)),
    )
    if found:
        audit.record("calendar.updated", calendar, actor=actor, changes=found)
        calendar.name, calendar.timezone, calendar.work_days = name, timezone, days
        calendar.day_start, calendar.day_end = day_start, day_end
        _recompute(calendar)


def _hours(start: time, end: time) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def add_holiday(calendar: BusinessCalendar, day: date, name: str, *, actor: Agent | None) -> Holiday:
    name = " ".join((name or "").split())[:100]
    if any(h.day == day for h in calendar.holidays):
        raise DomainError(gettext("That day is already a holiday."), field="day")
    holiday = Holiday(day=day, name=name)
    calendar.holidays.append(holiday)
    audit.record("calendar.holiday_added", calendar, actor=actor, day=day.isoformat())
    db.session.flush()
    _recompute(calendar)
    return holiday


def remove_holiday(holiday: Holiday, *, actor: Agent | None) -> None:
    calendar = holiday.calendar
    audit.record("calendar.holiday_removed", calendar, actor=actor, day=holiday.day.isoformat())
    calendar.holidays.remove(holiday)
    db.session.flush()
    _recompute(calendar)


def set_department_calendar(department: Department, calendar: BusinessCalendar, *, actor: Agent | None) -> None:
    if department.calendar_id == calendar.id:
        return
    old = db.session.get(BusinessCalendar, department.calendar_id) if department.calendar_id else None
    changes = audit.changes(calendar=(old.name if old else None, calendar.name))
    audit.record("department.calendar", department, actor=actor, changes=changes)
    department.calendar_id = calendar.id
    db.session.flush()
    _recompute_where(Ticket.department_id == department.id)


def targets() -> list[SlaTarget]:
    """The targets in priority order, most urgent first."""
    found = {t.priority: t for t in db.session.scalars(select(SlaTarget))}
    return [found[p] for p in reversed(PRIORITIES) if p in found]


def update_targets(values: dict[str, tuple[int, str, int, str]], *, actor: Agent | None) -> None:
    """New targets by priority: (first response, its unit, resolution, its unit)."""
    found = {}
    for target in targets():
        first, first_unit, resolution, resolution_unit = values[target.priority]
        for field, amount, unit in (("first_response", first, first_unit), ("resolution", resolution, resolution_unit)):
            if not 1 <= amount <= MAX_TARGET or unit not in UNITS:
                raise DomainError(
                    gettext("Give a whole number from 1 to %(num)d.", num=MAX_TARGET),
                    field=f"{target.priority}-{field}",
                )
        before = f"{target.first_response} {target.first_response_unit} / {target.resolution} {target.resolution_unit}"
        after = f"{first} {first_unit} / {resolution} {resolution_unit}"
        if before != after:
            found[target.priority] = [before, after]
            target.first_response, target.first_response_unit = first, first_unit
            target.resolution, target.resolution_unit = resolution, resolution_unit
    if found:
        audit.record("sla.targets_updated", "SLA", actor=actor, changes=found)
        db.session.flush()
        _recompute_where(Ticket.priority.in_(found))


def _recompute(calendar: BusinessCalendar) -> None:
    """The running clocks of the calendar's departments (the default's also counts for those without one)."""
    departments = select(Department.id).where(Department.calendar_id == calendar.id)
    if calendar.id == tracking.default_calendar().id:
        departments = departments.union(select(Department.id).where(Department.calendar_id.is_(None)))
    _recompute_where(Ticket.department_id.in_(departments))


def _recompute_where(condition) -> None:
    """Recompute the tickets whose clock runs (paused and stopped ones get theirs when they move)."""
    for ticket in db.session.scalars(select(Ticket).where(Ticket.sla_due_at.is_not(None), condition)):
        tracking.recompute(ticket)
    db.session.flush()
