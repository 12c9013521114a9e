"""The SLA clock on tickets: due times kept through the verbs with frozen time, and breaches recorded once.

The default department counts in the seeded "Standard hours" (Monday to Friday, 09:00 to 17:00 UTC); the
default targets are urgent 1 h / 4 h and normal 1 / 3 business days.
"""

from datetime import date, datetime, time

import pytest

from shared import worker
from shared.core.clock import frozen_at
from shared.core.errors import DomainError
from shared.models import BusinessCalendar, Department, Holiday, Ticket
from shared.sla import calendars, tracking
from shared.tickets import assignment, conversation, properties
from shared.tickets.rules import status_by_key

FRIDAY_4PM = datetime(2026, 12, 4, 16, 0)
MONDAY_9AM = datetime(2026, 12, 7, 9, 0)


@pytest.fixture
def urgent(make_ticket, customer):
    with frozen_at(FRIDAY_4PM):
        return make_ticket(customer, priority="urgent")


def dues(ticket: Ticket) -> tuple:
    return ticket.first_response_due_at, ticket.resolution_due_at, ticket.sla_due_at


def test_creation_starts_the_clock_in_business_hours(urgent):
    # 1 h left on Friday; the 4 h resolution runs into Monday morning.
    assert dues(urgent) == (datetime(2026, 12, 4, 17, 0), datetime(2026, 12, 7, 12, 0), datetime(2026, 12, 4, 17, 0))


def test_first_agent_reply_meets_the_first_response_and_waiting_pauses_the_clock(urgent, agent, customer, db):
    with frozen_at(datetime(2026, 12, 4, 16, 30)):
        conversation.post_reply(urgent, actor=agent, body="Looking into it, which model is it?")
        db.session.commit()
    assert urgent.status.key == "waiting"
    assert urgent.first_response_at == datetime(2026, 12, 4, 16, 30)
    assert dues(urgent) == (None, None, None)  # met, and paused while we wait on the customer

    with frozen_at(datetime(2026, 12, 7, 10, 0)):  # the customer answers on Monday
        conversation.post_reply(urgent, actor=customer, body="The X200.")
        db.session.commit()
    # 30 min used on Friday, 3 h 30 left from Monday 10:00.
    assert urgent.status.key == "new" and dues(urgent) == (
        None,
        datetime(2026, 12, 7, 13, 30),
        datetime(2026, 12, 7, 13, 30),
    )
    with frozen_at(datetime(2026, 12, 7, 10, 30)):  # read while the clock runs, not at today's real time
        summary = tracking.summary(urgent)
    assert [(t.name, t.state, t.late) for t in summary.targets] == [
        ("first_response", "met", False),
        ("resolution", "running", False),
    ]


def test_on_hold_pauses_and_shows_the_time_left(urgent, agent, put_in, db):
    with frozen_at(datetime(2026, 12, 7, 10, 0)):
        put_in(urgent, "bug_filed")
    assert dues(urgent) == (None, None, None)
    with frozen_at(datetime(2026, 12, 9, 10, 0)):
        first, resolution = tracking.summary(urgent).targets
    assert first.state == "paused" and first.late  # its hour ran out on Friday before the pause
    assert resolution.state == "paused" and resolution.remaining == 2 * 3600
    with frozen_at(datetime(2026, 12, 9, 10, 0)):
        put_in(urgent, "assigned")
    assert urgent.resolution_due_at == datetime(2026, 12, 9, 12, 0)


def test_priority_change_moves_the_due_times(make_ticket, customer, agent, db):
    with frozen_at(MONDAY_9AM):
        ticket = make_ticket(customer)  # normal: 1 and 3 business days
    # A business day from the opening ends at that day's close.
    assert dues(ticket)[:2] == (datetime(2026, 12, 7, 17, 0), datetime(2026, 12, 9, 17, 0))
    with frozen_at(datetime(2026, 12, 7, 10, 0)):
        properties.change_priority(ticket, "urgent", actor=agent)
        db.session.commit()
    assert dues(ticket)[:2] == (datetime(2026, 12, 7, 10, 0), datetime(2026, 12, 7, 13, 0))


def test_close_stops_and_reopen_resumes(urgent, customer, put_in, db):
    with frozen_at(datetime(2026, 12, 7, 10, 0)):
        put_in(urgent, "closed")
    assert dues(urgent) == (None, None, None)
    assert [t.state for t in tracking.summary(urgent).targets] == ["stopped", "met"]
    with frozen_at(datetime(2026, 12, 8, 9, 0)):  # rule 5a reopens it: 2 h used of 4
        conversation.post_reply(urgent, actor=customer, body="It is burning again.")
        db.session.commit()
    assert urgent.status.key == "new"
    assert urgent.resolution_due_at == datetime(2026, 12, 8, 11, 0)


def test_department_calendar_with_holiday_and_dst(make_ticket, customer, agent, db):
    berlin = BusinessCalendar(
        name="Berlin office", timezone="Europe/Berlin", work_days=[0, 1, 2, 3, 4], day_start=time(9), day_end=time(17)
    )
    berlin.holidays.append(Holiday(day=date(2026, 3, 30), name="Office closed"))
    sales = Department(name="Sales")
    db.session.add_all([berlin, sales])
    db.session.flush()
    sales.calendar_id = berlin.id
    db.session.commit()
    with frozen_at(datetime(2026, 3, 27, 15, 0)):  # Friday 16:00 in Berlin, before the spring change
        ticket = make_ticket(customer, priority="urgent")
        properties.change_department(ticket, sales, actor=agent)
        db.session.commit()
    # 1 h on Friday; Monday is a holiday; Tuesday opens at 09:00 CEST (07:00 UTC): 3 h more.
    assert ticket.resolution_due_at == datetime(2026, 3, 31, 10, 0)
    assert ticket.first_response_due_at == datetime(2026, 3, 27, 16, 0)


def test_an_internal_task_has_no_sla(db, agent, department):
    with frozen_at(MONDAY_9AM):
        task = conversation.open_ticket_by_agent(
            actor=agent,
            customer_email=None,
            subject="Renew the certificate",
            body="Before Friday.",
            department=department,
        )
        db.session.commit()
    assert dues(task) == (None, None, None) and tracking.summary(task) is None


def test_the_worker_records_a_backlog_of_breaches_a_committed_batch_at_a_time(make_ticket, customer, db, monkeypatch):
    with frozen_at(FRIDAY_4PM):
        late = [make_ticket(customer, priority="urgent") for _ in range(3)]
    monkeypatch.setattr(worker, "BREACH_BATCH", 2)
    assert tracking.record_breaches(datetime(2026, 12, 4, 17, 1), limit=2) == 2
    db.session.rollback()
    committed = []
    monkeypatch.setattr(db.session, "commit", lambda real=db.session.commit: committed.append(real()))
    with frozen_at(datetime(2026, 12, 4, 17, 1)):
        assert worker.record_breaches() == "3 SLA breach(es) recorded"
    assert len(committed) == 3  # two batches, and the round that found nothing more
    assert all(ticket.first_response_breached_at for ticket in late)


def test_a_breach_is_recorded_and_mailed_once(urgent, agent, make_agent, db, outbox):
    other = make_agent("carol@desk.example", name="Carol")
    with frozen_at(datetime(2026, 12, 4, 16, 59)):
        assert tracking.record_breaches() == 0
    assert tracking.record_breaches(datetime(2026, 12, 4, 17, 1)) == 1
    db.session.commit()
    assert tracking.record_breaches(datetime(2026, 12, 4, 17, 2)) == 0  # never twice
    assert not tracking.claim_breach(urgent.id, "first_response", datetime(2026, 12, 4, 17, 3))
    db.session.commit()

    [event] = [e for e in urgent.entries if e.event == "sla_breach"]
    assert event.data["target"] == "first_response" and not event.is_public
    mails = [m for m in outbox() if m.template == "sla_breach"]
    assert sorted(m.to_addr for m in mails) == sorted([agent.email, other.email])  # unassigned: every agent
    assert "First response overdue" in mails[0].subject

    assignment.assign_ticket(urgent, other, actor=agent)
    db.session.commit()
    assert tracking.record_breaches(datetime(2026, 12, 7, 12, 1)) == 1  # the resolution, to the assignee
    db.session.commit()
    assert [m.to_addr for m in outbox() if m.template == "sla_breach"][2:] == [other.email]
    assert urgent.first_response_breached_at == datetime(2026, 12, 4, 17, 1)


def test_a_claimed_breach_is_not_claimed_again_by_a_second_worker(urgent, db):
    """Two workers that both listed the ticket: the conditional update lets only the first one on."""
    moment = datetime(2026, 12, 4, 17, 30)
    assert tracking.claim_breach(urgent.id, "first_response", moment)
    assert not tracking.claim_breach(urgent.id, "first_response", moment)


def test_a_calendar_edit_rejects_nonsense(db):
    calendar = tracking.default_calendar()
    with pytest.raises(DomainError) as refused:
        calendars.update_calendar(
            calendar,
            name="Standard hours",
            timezone="Mars/Olympus",
            work_days=[0],
            day_start=time(9),
            day_end=time(17),
            actor=None,
        )
    assert refused.value.field == "timezone"
    with pytest.raises(DomainError) as refused:
        calendars.update_calendar(
            calendar,
            name="Standard hours",
            timezone="UTC",
            work_days=[0],
            day_start=time(17),
            day_end=time(9),
            actor=None,
        )
    assert refused.value.field == "day_end"


def test_backfill_gives_tickets_from_before_the_upgrade_their_clock(make_ticket, customer, agent, db, runner):
    with frozen_at(MONDAY_9AM):
        replied = make_ticket(customer, priority="urgent")
        silent = make_ticket(customer, priority="urgent")
    with frozen_at(datetime(2026, 12, 7, 9, 20)):
        conversation.post_reply(replied, actor=agent, body="On it.")
        properties.change_status(replied, status_by_key("assigned"), actor=agent)
        db.session.commit()
    for ticket in (replied, silent):  # as the migration leaves tickets that were already open
        ticket.first_response_at = ticket.first_response_due_at = ticket.resolution_due_at = ticket.sla_due_at = None
    db.session.commit()

    with frozen_at(datetime(2026, 12, 7, 10, 0)):
        result = runner.invoke(args=["timers", "sla-backfill"])
    assert "2 open ticket(s) given SLA due times" in result.output
    assert replied.first_response_at == datetime(2026, 12, 7, 9, 20) and replied.first_response_due_at is None
    assert replied.resolution_due_at == datetime(2026, 12, 7, 13, 0)
    assert silent.first_response_due_at == datetime(2026, 12, 7, 10, 0)

    with frozen_at(datetime(2026, 12, 7, 10, 30)):
        result = runner.invoke(args=["timers", "run"])
    assert "1 SLA breach(es) recorded" in result.output
