"""The default rules table (design section 4), rules 7 and 8: the seven-day waiting timer that
closes a ticket, and internal notes that never move a status; and every change in the history.

Time moves with `shared.core.clock.frozen_at`, as in test_rules.py.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.core.clock import frozen_at
from shared.models import Entry, EntryKind, Visibility
from shared.tickets import assignment, conversation, properties
from tests.shared.tickets.rulekit import (
    ALL_STATUSES,
    T0,
    at,
    mails,
    rule,
    status,
    status_events,
    waiting_ticket,
)

# The table itself -------------------------------------------------------------------------


@pytest.mark.parametrize("days", [7, 8, 60])
def test_rule7_seven_days_waiting_closes_with_a_public_note_and_mail(customer, agent, make_ticket, db, outbox, days):
    ticket = waiting_ticket(make_ticket, customer, agent)
    entries = len(ticket.entries)

    with at(days):
        moved = properties.expire_pending()
        db.session.commit()

    assert moved == 1
    assert ticket.status.key == "closed"
    assert ticket.closed_at == T0 + timedelta(days=days)
    assert status_events(ticket)[-1] == {"from": "waiting", "to": "closed", "rule": rule("7").name}
    [note] = [e for e in ticket.entries[entries:] if e.is_public]
    assert (note.kind, note.author_kind, note.author) == (EntryKind.EVENT, "system", None)
    assert "not heard back from you" in note.body
    assert ticket.last_public_by == "system"
    [mail] = mails(outbox, "ticket_auto_closed")
    assert (mail.to_addr, mail.ticket_id) == (customer.email, ticket.id)
    assert f"#{ticket.number}" in mail.body_text


@pytest.mark.parametrize("delay", [timedelta(days=6), timedelta(days=7) - timedelta(seconds=1)])
def test_rule7_before_seven_days_nothing_happens(customer, agent, make_ticket, db, outbox, delay):
    ticket = waiting_ticket(make_ticket, customer, agent)
    entries = len(ticket.entries)

    with frozen_at(T0 + delay):
        assert properties.expire_pending() == 0
        db.session.commit()

    assert ticket.status.key == "waiting"
    assert len(ticket.entries) == entries
    assert mails(outbox, "ticket_auto_closed") == []


@pytest.mark.parametrize("key", [k for k in ALL_STATUSES if k != "waiting"])
def test_rule7_leaves_every_other_status_alone(customer, make_ticket, put_in, db, outbox, key):
    with at(0):
        ticket = put_in(make_ticket(customer), key)
    entries = len(ticket.entries)

    with at(90):
        assert properties.expire_pending() == 0
        db.session.commit()

    assert ticket.status.key == key
    assert len(ticket.entries) == entries
    assert mails(outbox, "ticket_auto_closed") == []


def test_rule7_is_idempotent(customer, agent, make_ticket, db, outbox):
    ticket = waiting_ticket(make_ticket, customer, agent)

    with at(8):
        assert properties.expire_pending() == 1
        db.session.commit()
    entries = len(ticket.entries)
    with at(8, hours=1):
        assert properties.expire_pending() == 0
        db.session.commit()
    with at(30):
        assert properties.expire_pending() == 0
        db.session.commit()

    assert ticket.status.key == "closed"
    assert len(ticket.entries) == entries
    assert len(mails(outbox, "ticket_auto_closed")) == 1


def test_rule7_counts_from_when_the_ticket_last_started_waiting(customer, agent, make_ticket, db):
    ticket = waiting_ticket(make_ticket, customer, agent)
    with at(5):
        conversation.post_reply(ticket, actor=customer, body="Hm, let me check.")  # rule 4: back to New
        conversation.post_reply(ticket, actor=agent, body="Sure, take your time.")  # rule 3: waiting again
    assert ticket.status.key == "waiting"

    with at(8):
        assert properties.expire_pending() == 0
    with at(12):
        assert properties.expire_pending() == 1
    assert ticket.status.key == "closed"


def test_rule7_picks_only_the_tickets_that_are_due(customer, agent, make_ticket, db, outbox):
    due = waiting_ticket(make_ticket, customer, agent, days=0)
    fresh = waiting_ticket(make_ticket, customer, agent, days=3)

    with at(8):
        assert properties.expire_pending() == 1

    assert (due.status.key, fresh.status.key) == ("closed", "waiting")
    assert [m.ticket_id for m in mails(outbox, "ticket_auto_closed")] == [due.id]


def test_rule7_closes_an_internal_task_without_mailing_anyone(agent, department, db, outbox):
    with at(0):
        task = conversation.open_ticket(
            actor=agent, customer=None, subject="Audit", body="Yearly.", department=department
        )
        properties.change_status(task, status("waiting"), actor=agent)
    with at(7):
        assert properties.expire_pending() == 1

    assert task.status.key == "closed"
    assert outbox() == []


# Rule 8: internal notes never change the status -----------------------------------------


@pytest.mark.parametrize("assigned", [False, True], ids=["unassigned", "assigned"])
@pytest.mark.parametrize("key", ALL_STATUSES)
def test_rule8_internal_notes_never_change_the_status(customer, agent, make_ticket, put_in, db, outbox, key, assigned):
    with at(0):
        ticket = make_ticket(customer)
        if assigned:
            assignment.assign_ticket(ticket, agent, actor=agent)
        put_in(ticket, key)
    events, mail = len(status_events(ticket)), len(outbox())

    with at(40):
        note = conversation.add_internal_note(ticket, actor=agent, body="Customer is on the old firmware.")
        db.session.commit()

    assert note.ticket is ticket
    assert note.visibility == Visibility.INTERNAL
    assert ticket.status.key == key
    assert ticket.status_changed_at <= T0
    assert len(status_events(ticket)) == events
    assert len(outbox()) == mail


def test_rule8_notes_do_not_restart_the_waiting_clock(customer, agent, make_ticket, db):
    ticket = waiting_ticket(make_ticket, customer, agent)
    with at(6):
        conversation.add_internal_note(ticket, actor=agent, body="Chase them tomorrow.")
    with at(7):
        assert properties.expire_pending() == 1


def test_every_status_change_is_in_the_history(customer, agent, make_ticket, db):
    """Walk one ticket through its life; each move has its own history event, in order."""
    with at(0):
        ticket = make_ticket(customer)
    with at(1):
        assignment.assign_ticket(ticket, agent, actor=agent)
    with at(2):
        conversation.post_reply(ticket, actor=agent, body="Which printer?")
    with at(3):
        conversation.post_reply(ticket, actor=customer, body="The big one.")
    with at(4):
        properties.change_status(ticket, status("closed"), actor=agent)
    with at(5):
        conversation.post_reply(ticket, actor=customer, body="It is back.")
    db.session.commit()

    moves = [(e["from"], e["to"]) for e in status_events(ticket)]
    assert moves == [
        ("new", "assigned"),
        ("assigned", "waiting"),
        ("waiting", "assigned"),
        ("assigned", "closed"),
        ("closed", "assigned"),
    ]
    recorded = db.session.scalars(
        select(Entry).where(Entry.ticket_id == ticket.id, Entry.event == "status").order_by(Entry.id)
    ).all()
    assert [e.created_at for e in recorded] == [T0 + timedelta(days=d) for d in (1, 2, 3, 4, 5)]
    assert all(not e.is_public for e in recorded)
