"""Time tracking: minutes an agent spent on a ticket, kept as append-only rows beside the history,
with totals per ticket and a report per agent, customer and organization (also as CSV)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext
from sqlalchemy import func, select

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import MAX_MINUTES, Agent, Customer, Entry, Organization, Ticket, TimeSpent

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def log(ticket: Ticket, agent: Agent, minutes: int, *, entry: Entry | None = None) -> TimeSpent:
    """Record time spent; never edited later, so a mistake is corrected by whoever reads the totals."""
    if not permissions.can_log_time(agent, ticket):
        raise DomainError(gettext("You may not log time on this ticket."))
    if not 1 <= minutes <= MAX_MINUTES:
        raise DomainError(gettext("Enter between 1 and %(max)d minutes.", max=MAX_MINUTES), field="minutes")
    row = TimeSpent(ticket=ticket, agent=agent, minutes=minutes, entry=entry)
    db.session.add(row)
    db.session.flush()
    return row


def ticket_total(ticket: Ticket) -> int:
    """All minutes logged on the ticket, by anyone."""
    query = select(func.coalesce(func.sum(TimeSpent.minutes), 0)).where(TimeSpent.ticket_id == ticket.id)
    return db.session.scalar(query) or 0


@dataclass
class TimeReport:
    """Totals for a date range; each group is (name, minutes), the largest first."""

    start: date
    end: date
    by_agent: list[tuple[str, int]] = field(default_factory=list)
    by_customer: list[tuple[str, int]] = field(default_factory=list)
    by_organization: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(minutes for _, minutes in self.by_agent)


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    """The dates are inclusive days (UTC), as a person reads "from 1 to 31 December"."""
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def _grouped(key, label, start: date, end: date, *, none_label: str) -> list[tuple[str, int]]:
    low, high = _window(start, end)
    query = (
        select(label, func.sum(TimeSpent.minutes))
        .select_from(TimeSpent)
        .join(Ticket, TimeSpent.ticket_id == Ticket.id)
        .join(Agent, TimeSpent.agent_id == Agent.id)
        .outerjoin(Customer, Ticket.customer_id == Customer.id)
        .outerjoin(Organization, Customer.organization_id == Organization.id)
        .where(TimeSpent.created_at >= low, TimeSpent.created_at < high)
        .group_by(*key)
    )
    rows = [(name or none_label, int(minutes)) for name, minutes in db.session.execute(query)]
    return sorted(rows, key=lambda row: (-row[1], row[0].lower()))


def _account_name(model):
    """The display name in SQL: the name, or the e-mail when it is empty (as `display_name` does)."""
    return func.coalesce(func.nullif(model.name, ""), model.email)


def report(start: date, end: date) -> TimeReport:
    """Minutes logged between `start` and `end`, per agent, per customer and per organization."""
    if end < start:
        raise DomainError(gettext("The end date is before the start date."), field="end")
    return TimeReport(
        start=start,
        end=end,
        by_agent=_grouped((Agent.id,), _account_name(Agent), start, end, none_label=""),
        by_customer=_grouped((Customer.id,), _account_name(Customer), start, end, none_label=gettext("Internal tasks")),
        by_organization=_grouped(
            (Organization.id,), Organization.name, start, end, none_label=gettext("No organization")
        ),
    )


def _cell(value: str | int) -> str | int:
    """A spreadsheet runs a cell that starts like a formula; a leading quote keeps it text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def report_csv(time_report: TimeReport) -> str:
    """The report as one CSV table: group, name, minutes."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("Group"), gettext("Name"), gettext("Minutes")])
    groups = (
        (gettext("Agent"), time_report.by_agent),
        (gettext("Customer"), time_report.by_customer),
        (gettext("Organization"), time_report.by_organization),
    )
    for group, rows in groups:
        for name, minutes in rows:
            writer.writerow([_cell(group), _cell(name), minutes])
    return out.getvalue()
