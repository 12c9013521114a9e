"""The reminder before rule 7: one mail and one history event per waiting period, N - 2 days in.

A ticket starts waiting at T0 (`waiting_ticket`); rule 7 closes it at T0 + 7 days, so the
reminder is due from T0 + 5 days.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from shared.core.clock import frozen_at
from shared.core.extensions import db as _db
from shared.models import EntryKind, Visibility
from shared.tickets import conversation, properties, reminders
from tests.shared.tickets.rulekit import ALL_STATUSES, T0, at, mails, rule, status, status_events, waiting_ticket


def reminder_events(ticket) -> list:
    return [e for e in ticket.entries if e.event == reminders.EVENT]


def run_timers() -> tuple[int, int]:
    """What one turn of the timers job does: remind, then close."""
    reminded = reminders.remind_pending()
    closed = properties.expire_pending()
    _db.session.commit()
    return reminded, closed


def test_reminder_goes_out_at_n_minus_two_days_with_event_note_and_mail(customer, agent, make_ticket, db, outbox):
    ticket = waiting_ticket(make_ticket, customer, agent)
    entries = len(ticket.entries)

    with at(5):
        assert run_timers() == (1, 0)

    assert ticket.status.key == "waiting"
    event, note = ticket.entries[entries:]
    # For the agents: an internal one-line event.
    assert (event.event, event.kind, event.visibility) == ("reminder", EntryKind.EVENT, Visibility.INTERNAL)
    assert (event.author_kind, event.data, event.created_at) == ("system", {"days_left": 2}, T0 + timedelta(days=5))
    # For the customer: a public system note, as rule 7's close note is.
    assert (note.kind, note.visibility, note.author_kind, note.event) == (EntryKind.EVENT, "public", "system", "note")
    assert "within 2 days, we will close this request" in note.body
    assert ticket.last_public_by == "system"
    # And one automatic mail, threaded on the ticket.
    [mail] = mails(outbox, "ticket_reminder")
    assert (mail.to_addr, mail.ticket_id, mail.entry_id) == (customer.email, ticket.id, note.id)
    assert mail.subject == f"[#{ticket.number}] Waiting for your reply: The printer is on fire"
    assert mail.headers["Auto-Submitted"] == "auto-generated"
    assert mail.headers["X-Auto-Response-Suppress"] == "All"
    assert "within 2 days, we will close it" in mail.body_text
    assert re.search(rf"https?://\S+/portal/tickets/{ticket.number}\b", mail.body_text)
    assert f"#{ticket.number}" in mail.body_html and "Alice Archer" in mail.body_html


@pytest.mark.parametrize("delay", [timedelta(days=0), timedelta(days=4), timedelta(days=5) - timedelta(seconds=1)])
def test_no_reminder_before_n_minus_two_days(customer, agent, make_ticket, db, outbox, delay):
    ticket = waiting_ticket(make_ticket, customer, agent)
    entries = len(ticket.entries)

    with frozen_at(T0 + delay):
        assert run_timers() == (0, 0)

    assert len(ticket.entries) == entries
    assert mails(outbox, "ticket_reminder") == []


def test_exactly_one_reminder_per_waiting_period(customer, agent, make_ticket, db, outbox):
    ticket = waiting_ticket(make_ticket, customer, agent)

    for delay in (timedelta(days=5), timedelta(days=5, hours=1), timedelta(days=6), timedelta(days=7, seconds=-1)):
        with frozen_at(T0 + delay):
            run_timers()

    assert len(reminder_events(ticket)) == 1
    assert len(mails(outbox, "ticket_reminder")) == 1


def test_reminder_then_close_at_n_days_both_in_the_history(customer, agent, make_ticket, db, outbox):
    ticket = waiting_ticket(make_ticket, customer, agent)
    entries = len(ticket.entries)

    with at(5):
        assert run_timers() == (1, 0)
    with at(7):
        assert run_timers() == (0, 1)

    assert ticket.status.key == "closed"
    assert ticket.closed_at == T0 + timedelta(days=7)
    assert [(e.event, e.visibility) for e in ticket.entries[entries:]] == [
        ("reminder", "internal"),
        ("note", "public"),
        ("status", "internal"),
        ("note", "public"),
    ]
    assert status_events(ticket)[-1] == {"from": "waiting", "to": "closed", "rule": rule("7").name}
    assert [m.template for m in outbox()][-2:] == ["ticket_reminder", "ticket_auto_closed"]


def test_a_ticket_already_due_to_close_is_closed_without_a_late_reminder(customer, agent, make_ticket, db, outbox):
    """The timers were down for days: rule 7 closes it; a reminder now would only be noise."""
    ticket = waiting_ticket(make_ticket, customer, agent)

    with at(9):
        assert run_timers() == (0, 1)

    assert ticket.status.key == "closed"
    assert reminder_events(ticket) == []
    assert mails(outbox, "ticket_reminder") == []


def test_no_reminder_once_the_customer_answered(customer, agent, make_ticket, db, outbox):
    ticket = waiting_ticket(make_ticket, customer, agent)
    with at(3):
        conversation.post_reply(ticket, actor=customer, body="It is the big one.")  # rule 4: out of waiting
        db.session.commit()

    for days in (5, 6, 30):
        with at(days):
            assert run_timers() == (0, 0)

    assert ticket.status.key == "new"
    assert reminder_events(ticket) == []
    assert mails(outbox, "ticket_reminder") == []


@pytest.mark.parametrize("key", [k for k in ALL_STATUSES if k != "waiting"])
def test_no_reminder_in_any_other_status(customer, make_ticket, put_in, db, outbox, key):
    with at(0):
        ticket = put_in(make_ticket(customer), key)

    with at(5):
        assert reminders.remind_pending() == 0

    assert reminder_events(ticket) == []
    assert mails(outbox, "ticket_reminder") == []


def test_a_new_waiting_period_gets_a_new_reminder(customer, agent, make_ticket, db, outbox):
    ticket = waiting_ticket(make_ticket, customer, agent)
    with at(5):
        assert run_timers() == (1, 0)
    with at(6):
        conversation.post_reply(ticket, actor=customer, body="Let me check.")  # rule 4: out of waiting
        conversation.post_reply(ticket, actor=agent, body="Sure.")  # rule 3: waiting again, a new period
        db.session.commit()
    assert ticket.status.key == "waiting"

    with at(10):
        assert run_timers() == (0, 0)  # only four days into the new period
    with at(11):
        assert run_timers() == (1, 0)
    with at(12):
        assert run_timers() == (0, 0)

    assert [e.created_at for e in reminder_events(ticket)] == [T0 + timedelta(days=d) for d in (5, 11)]
    assert len(mails(outbox, "ticket_reminder")) == 2


@pytest.mark.parametrize("days_before", [0, 7, 9], ids=["off", "whole-wait", "longer-than-wait"])
def test_zero_or_a_window_as_long_as_the_wait_sends_none_and_rule7_still_closes(
    app, customer, agent, make_ticket, db, outbox, days_before
):
    app.config["REMINDER_DAYS_BEFORE"] = days_before
    ticket = waiting_ticket(make_ticket, customer, agent)

    for days in (0, 1, 5, 6):
        with at(days):
            assert run_timers() == (0, 0)
    with at(7):
        assert run_timers() == (0, 1)

    assert reminder_events(ticket) == []
    assert mails(outbox, "ticket_reminder") == []
    assert len(mails(outbox, "ticket_auto_closed")) == 1


def test_days_before_is_configurable(app, customer, agent, make_ticket, db, outbox):
    app.config["REMINDER_DAYS_BEFORE"] = 4
    ticket = waiting_ticket(make_ticket, customer, agent)

    with at(2):
        assert run_timers() == (0, 0)
    with at(3):
        assert run_timers() == (1, 0)

    assert reminder_events(ticket)[0].data == {"days_left": 4}
    [mail] = mails(outbox, "ticket_reminder")
    assert "within 4 days" in mail.body_text


def test_n_comes_from_rule7s_data(customer, agent, make_ticket, db):
    seven = rule("7")
    seven.conditions = {**seven.conditions, "pending_over_days": 10}
    db.session.commit()
    ticket = waiting_ticket(make_ticket, customer, agent)

    with at(7):
        assert run_timers() == (0, 0)
    with at(8):
        assert run_timers() == (1, 0)

    assert ticket.status.key == "waiting"


def test_no_reminder_when_rule7_is_off(customer, agent, make_ticket, db, outbox):
    rule("7").enabled = False
    db.session.commit()
    waiting_ticket(make_ticket, customer, agent)

    with at(5):
        assert run_timers() == (0, 0)

    assert mails(outbox, "ticket_reminder") == []


def test_an_internal_task_has_nobody_to_remind(agent, department, db, outbox):
    with at(0):
        task = conversation.open_ticket(
            actor=agent, customer=None, subject="Audit", body="Yearly.", department=department
        )
        properties.change_status(task, status("waiting"), actor=agent)
        db.session.commit()

    with at(5):
        assert run_timers() == (0, 0)

    assert reminder_events(task) == []


def test_finding_candidates_is_one_query_however_many_tickets(customer, agent, make_ticket, db):
    """The reminder lookup must not grow with the queue: count the statements it issues."""

    def statements_for_lookup() -> tuple[int, int]:
        seen: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany) -> None:
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = reminders.due_for_reminder(T0 + timedelta(days=5))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        db.session.rollback()
        return len(seen), len(found)

    waiting_ticket(make_ticket, customer, agent)
    one_query_count, one_found = statements_for_lookup()
    for _ in range(4):
        waiting_ticket(make_ticket, customer, agent)
    many_query_count, many_found = statements_for_lookup()

    assert (one_found, many_found) == (1, 5)
    assert one_query_count == many_query_count


def test_the_timers_command_reminds_and_closes(runner, customer, agent, make_ticket, db, outbox):
    waiting_ticket(make_ticket, customer, agent)

    with at(5):
        first = runner.invoke(args=["timers", "run"])
    with at(7):
        second = runner.invoke(args=["timers", "run"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "1 reminder(s) sent, 0 ticket(s) closed" in first.output
    assert "0 reminder(s) sent, 1 ticket(s) closed" in second.output
    assert [m.template for m in outbox()][-2:] == ["ticket_reminder", "ticket_auto_closed"]
