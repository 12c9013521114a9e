"""Time tracking in the domain: logging checks, ticket totals, the report and its CSV."""

import csv
import io
from datetime import date, datetime

import pytest

from shared.core.clock import frozen_at
from shared.core.errors import DomainError
from shared.models import TimeSpent
from shared.tickets import time_tracking


def test_minutes_are_logged_and_summed_per_ticket(db, agent, customer, make_ticket):
    ticket, other = make_ticket(customer), make_ticket(customer)
    time_tracking.log(ticket, agent, 15, entry=ticket.entries[0])
    time_tracking.log(ticket, agent, 30)
    time_tracking.log(other, agent, 5)
    db.session.commit()
    assert (time_tracking.ticket_total(ticket), time_tracking.ticket_total(other)) == (45, 5)
    assert db.session.scalars(db.select(TimeSpent.entry_id).order_by(TimeSpent.id)).all() == [
        ticket.entries[0].id,
        None,
        None,
    ]


@pytest.mark.parametrize("minutes", [0, -5, 1441])
def test_minutes_outside_a_day_are_refused(db, agent, customer, make_ticket, minutes):
    ticket = make_ticket(customer)
    with pytest.raises(DomainError) as refused:
        time_tracking.log(ticket, agent, minutes)
    assert refused.value.field == "minutes"
    assert time_tracking.ticket_total(ticket) == 0


def test_customers_and_deactivated_agents_may_not_log_time(db, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    with pytest.raises(DomainError):
        time_tracking.log(ticket, customer, 10)
    agent.is_active = False
    with pytest.raises(DomainError):
        time_tracking.log(ticket, agent, 10)


def test_the_report_groups_the_range_per_agent_customer_and_organization(
    db, agent, make_agent, make_customer, make_ticket
):
    acme = make_customer("ann@acme.example", name="Ann", organization="Acme")
    loner = make_customer("lou@example.com", name="")  # shown by e-mail
    colleague = make_agent("cy@desk.example", name="=Cy")
    acme_ticket, loner_ticket = make_ticket(acme), make_ticket(loner)
    with frozen_at(datetime(2026, 11, 30, 23, 59)):
        time_tracking.log(acme_ticket, agent, 100)  # the day before: left out
    with frozen_at(datetime(2026, 12, 1, 0, 0)):
        time_tracking.log(acme_ticket, agent, 20)
        time_tracking.log(loner_ticket, colleague, 40)
    with frozen_at(datetime(2026, 12, 31, 23, 59)):
        time_tracking.log(acme_ticket, colleague, 5)
    db.session.commit()

    report = time_tracking.report(date(2026, 12, 1), date(2026, 12, 31))
    assert report.by_agent == [("=Cy", 45), ("Bob Baker", 20)]
    assert report.by_customer == [("lou@example.com", 40), ("Ann", 25)]
    assert report.by_organization == [("No organization", 40), ("Acme", 25)]
    assert report.total == 65

    rows = list(csv.reader(io.StringIO(time_tracking.report_csv(report))))
    assert rows[0] == ["Group", "Name", "Minutes"]
    assert ["Agent", "'=Cy", "45"] in rows  # a formula-looking name stays text in a spreadsheet
    assert ["Organization", "Acme", "25"] in rows and len(rows) == 7


def test_a_range_that_ends_before_it_starts_is_refused(db):
    with pytest.raises(DomainError) as refused:
        time_tracking.report(date(2026, 12, 2), date(2026, 12, 1))
    assert refused.value.field == "end"
