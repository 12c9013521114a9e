"""The default rules table (design section 4), rules 1 to 6, event by event (rules 7 and 8 are in
test_rules_timers_and_notes.py).

Time moves with `shared.core.clock.frozen_at`: a ticket is opened or closed at T0 and the
customer answers some days later.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.core.clock import frozen_at
from shared.core.errors import DomainError
from shared.models import Category, Product, Status
from shared.tickets import assignment, conversation, properties
from tests.shared.tickets.rulekit import (
    ALL_STATUSES,
    T0,
    all_rules,
    at,
    closed_ticket,
    mails,
    rule,
    status,
    status_events,
    ticket_count,
)

# The table itself -------------------------------------------------------------------------


def test_the_seeded_table_is_the_designs_eight_rules_with_five_split(db):
    seeded = [(r.name.split(".")[0], r.event, r.enabled) for r in all_rules()]
    assert seeded == [
        ("1", "ticket.created", True),
        ("2", "ticket.assigned", True),
        ("3", "message.public_by_agent", True),
        ("4", "message.public_by_customer", True),
        ("5a", "message.public_by_customer", True),
        ("5b", "message.public_by_customer", True),
        ("6", "message.public_by_customer", True),
        ("7", "timer.pending_expired", True),
        ("8", "message.internal", True),
    ]
    statuses = db.session.scalars(select(Status).order_by(Status.position))
    assert [(s.key, s.category) for s in statuses] == [
        ("new", "new"),
        ("assigned", "open"),
        ("waiting", "pending"),
        ("feature_filed", "on_hold"),
        ("bug_filed", "on_hold"),
        ("closed", "closed"),
    ]


# Rule 1: a new ticket is New and the customer is told ------------------------------------


@pytest.mark.parametrize("channel", ["web", "email"])
def test_rule1_customer_ticket_is_new_and_acknowledged(customer, department, db, outbox, channel):
    ticket = conversation.open_ticket(
        actor=customer, customer=customer, subject="Printer", body="On fire.", department=department, channel=channel
    )
    db.session.commit()

    assert ticket.status.key == "new"
    assert ticket.status.category == Category.NEW
    [ack] = outbox()
    assert ack.template == "ticket_created"
    assert ack.to_addr == "alice@example.com"
    assert ack.ticket_id == ticket.id
    assert f"[#{ticket.number}]" in ack.subject
    assert f"#{ticket.number}" in ack.body_text
    assert re.search(rf"https?://\S+/portal/tickets/{ticket.number}\b", ack.body_text)


def test_rule1_agent_opening_on_behalf_of_a_customer_acknowledges_the_customer(customer, agent, department, outbox):
    ticket = conversation.open_ticket(
        actor=agent, customer=customer, subject="Called in", body="Rang us.", department=department, channel="phone"
    )

    assert ticket.status.key == "new"
    assert [(m.template, m.to_addr) for m in outbox()] == [("ticket_created", customer.email)]


def test_rule1_internal_task_without_customer_sends_no_mail(agent, department, outbox):
    ticket = conversation.open_ticket(
        actor=agent, customer=None, subject="Renew cert", body="Before May.", department=department, channel="agent"
    )

    assert ticket.status.key == "new"
    assert outbox() == []


def test_ticket_numbers_are_sequential(customer, make_ticket):
    first, second = make_ticket(customer), make_ticket(customer)
    assert second.number == first.number + 1


# Rule 2: assigning a New ticket makes it Assigned ----------------------------------------


def test_rule2_assigning_a_new_ticket_makes_it_assigned(customer, agent, make_agent, make_ticket, db):
    ticket = make_ticket(customer)
    other = make_agent()

    assignment.assign_ticket(ticket, other, actor=agent)
    db.session.commit()

    assert ticket.status.key == "assigned"
    assert ticket.assignee is other
    assert status_events(ticket) == [{"from": "new", "to": "assigned", "rule": rule("2").name}]


@pytest.mark.parametrize("key", [k for k in ALL_STATUSES if k != "new"])
def test_rule2_assigning_a_ticket_in_any_other_status_leaves_it(customer, agent, make_ticket, put_in, db, key):
    ticket = put_in(make_ticket(customer), key)
    before = len(status_events(ticket))

    assignment.assign_ticket(ticket, agent, actor=agent)
    db.session.commit()

    assert ticket.status.key == key
    assert len(status_events(ticket)) == before


def test_rule2_assigning_a_waiting_ticket_does_not_move_it(customer, agent, make_ticket, db):
    """The common case: the agent answered first and took the ticket afterwards."""
    ticket = make_ticket(customer)
    conversation.post_reply(ticket, actor=agent, body="Which printer?")
    assert ticket.status.key == "waiting"

    assignment.assign_ticket(ticket, agent, actor=agent)
    db.session.commit()

    assert ticket.status.key == "waiting"


def test_unassigning_never_moves_the_status(customer, agent, make_ticket, db):
    ticket = make_ticket(customer)
    assignment.assign_ticket(ticket, agent, actor=agent)
    assignment.assign_ticket(ticket, None, actor=agent)
    db.session.commit()

    assert ticket.assignee is None
    assert ticket.status.key == "assigned"


# Rule 3: an agent's public reply on New/Assigned waits on the customer --------------------


@pytest.mark.parametrize("assigned", [False, True], ids=["new", "assigned"])
def test_rule3_agent_reply_waits_on_the_customer(customer, agent, make_ticket, db, assigned):
    ticket = make_ticket(customer)
    if assigned:
        assignment.assign_ticket(ticket, agent, actor=agent)
    start = ticket.status.key

    conversation.post_reply(ticket, actor=agent, body="Which printer?")
    db.session.commit()

    assert ticket.status.key == "waiting"
    assert status_events(ticket)[-1] == {"from": start, "to": "waiting", "rule": rule("3").name}


@pytest.mark.parametrize("explicit", ["new", "assigned", "feature_filed", "bug_filed", "closed"])
def test_rule3_an_explicit_status_from_the_agent_wins(customer, agent, make_ticket, db, explicit):
    ticket = make_ticket(customer)

    conversation.post_reply(ticket, actor=agent, body="Done, closing.", status=status(explicit))
    db.session.commit()

    assert ticket.status.key == explicit
    assert "waiting" not in [e["to"] for e in status_events(ticket)]
    assert (ticket.closed_at is not None) == (explicit == "closed")


@pytest.mark.parametrize("key", ["waiting", "feature_filed", "bug_filed", "closed"])
def test_rule3_agent_reply_in_other_statuses_leaves_them(customer, agent, make_ticket, put_in, db, key):
    ticket = put_in(make_ticket(customer), key)

    conversation.post_reply(ticket, actor=agent, body="An update for you.")
    db.session.commit()

    assert ticket.status.key == key


@pytest.mark.parametrize("assigned", [False, True], ids=["new", "assigned"])
def test_a_customer_reply_on_new_or_assigned_does_not_wait_on_them(customer, agent, make_ticket, db, assigned):
    ticket = make_ticket(customer)
    if assigned:
        assignment.assign_ticket(ticket, agent, actor=agent)
    start = ticket.status.key

    conversation.post_reply(ticket, actor=customer, body="Also, it beeps.")
    db.session.commit()

    assert ticket.status.key == start


def test_customers_have_no_status_control(customer, make_ticket, db):
    ticket = make_ticket(customer)

    with pytest.raises(DomainError) as reply_error:
        conversation.post_reply(ticket, actor=customer, body="Closing it myself.", status=status("closed"))
    with pytest.raises(DomainError) as change_error:
        properties.change_status(ticket, status("closed"), actor=customer)
    db.session.rollback()

    assert reply_error.value.field == change_error.value.field == "status"
    assert ticket.status.key == "new"
    assert len(ticket.entries) == 1


# Rule 4: the customer answers while we wait on them ------------------------------------


@pytest.mark.parametrize(("assigned", "expected"), [(True, "assigned"), (False, "new")])
def test_rule4_customer_reply_on_waiting(customer, agent, make_ticket, db, assigned, expected):
    ticket = make_ticket(customer)
    if assigned:
        assignment.assign_ticket(ticket, agent, actor=agent)
    conversation.post_reply(ticket, actor=agent, body="Which printer?")
    db.session.commit()
    assert ticket.status.key == "waiting"

    conversation.post_reply(ticket, actor=customer, body="The big one.")
    db.session.commit()

    assert ticket.status.key == expected
    assert status_events(ticket)[-1] == {"from": "waiting", "to": expected, "rule": rule("4").name}


# Rule 5: the customer writes to a Closed ticket -----------------------------------------


@pytest.mark.parametrize("days", [0, 1, 29, 30])
@pytest.mark.parametrize(("assigned", "expected"), [(True, "assigned"), (False, "new")])
def test_rule5a_reply_within_the_window_reopens(customer, agent, make_ticket, db, outbox, days, assigned, expected):
    ticket = closed_ticket(make_ticket, customer, agent, assigned=assigned)
    count = ticket_count()

    with at(days):
        entry = conversation.post_reply(ticket, actor=customer, body="It is back.")
        db.session.commit()

    assert entry.ticket is ticket
    assert ticket.status.key == expected
    assert ticket.closed_at is None
    assert ticket.status_changed_at == T0 + timedelta(days=days)
    assert ticket.follows is None
    assert ticket_count() == count
    assert status_events(ticket)[-1] == {"from": "closed", "to": expected, "rule": rule("5a").name}
    assert len(mails(outbox, "ticket_created")) == 1  # only the original acknowledgement


@pytest.mark.parametrize("delay", [timedelta(days=30, seconds=1), timedelta(days=31), timedelta(days=400)])
def test_rule5b_reply_after_the_window_opens_a_linked_ticket(customer, agent, make_ticket, db, outbox, delay):
    old = closed_ticket(make_ticket, customer, agent, assigned=True)
    old_entries = [e.id for e in old.entries]

    with frozen_at(T0 + delay):
        entry = conversation.post_reply(old, actor=customer, body="It is back, months later.")
        db.session.commit()
    new = entry.ticket

    # A new ticket, pointing at the old one, which stays closed as it was.
    assert new is not old
    assert new.number == old.number + 1
    assert new.follows is old
    assert new.customer is customer
    assert (new.subject, new.department, new.type) == (old.subject, old.department, old.type)
    assert new.status.key == "new"
    assert new.assignee is None
    assert old.status.key == "closed"
    assert old.closed_at == T0

    # The reply is the new ticket's first entry, not on the old ticket.
    assert new.entries[0] is entry
    assert (entry.body, entry.author, entry.is_public) == ("It is back, months later.", customer, True)
    assert all(e.body != entry.body for e in old.entries)

    # Both histories record the link; the old one gets nothing else.
    assert [e.data for e in new.entries if e.event == "follows"] == [{"ticket": old.number}]
    [linked] = [e for e in old.entries if e.id not in old_entries]
    assert (linked.event, linked.data, linked.is_public) == ("followed_by", {"ticket": new.number}, False)

    # The customer is told about the new number.
    [ack] = [m for m in mails(outbox, "ticket_created") if m.ticket_id == new.id]
    assert ack.to_addr == customer.email
    assert f"[#{new.number}]" in ack.subject
    assert f"#{old.number}" in ack.body_text


def test_rule5b_follow_up_keeps_the_type(customer, agent, make_ticket, db):
    old = make_ticket(customer, type="bug")
    with at(0):
        properties.change_status(old, status("closed"), actor=agent)
    with at(45):
        new = conversation.post_reply(old, actor=customer, body="Still broken.").ticket

    assert (new.type, new.follows) == ("bug", old)


@pytest.mark.parametrize("retired", ["department", "product"])
def test_rule5b_follow_up_keeps_a_department_or_product_retired_since(customer, agent, department, db, retired):
    """The customer cannot choose either in a reply, so a retired one must not refuse their message."""
    product = Product(name="Laser 3000", department=department, is_active=True)
    with at(0):
        old = conversation.open_ticket(
            actor=customer, customer=customer, subject="Jam", body="Jammed.", department=department, product=product
        )
        properties.change_status(old, status("closed"), actor=agent)
    {"department": department, "product": product}[retired].is_active = False
    db.session.commit()

    with at(45):
        new = conversation.post_reply(old, actor=customer, body="Jammed again.").ticket

    assert new.follows is old
    assert (new.department, new.product) == (department, product)


def test_a_new_ticket_still_refuses_a_retired_department_or_product(customer, department, db):
    product = Product(name="Laser 3000", department=department, is_active=False)
    db.session.add(product)

    with pytest.raises(DomainError) as error:
        conversation.open_ticket(
            actor=customer, customer=customer, subject="Jam", body="Jammed.", department=department, product=product
        )
    assert error.value.field == "product"

    department.is_active = False
    with pytest.raises(DomainError) as error:
        conversation.open_ticket(
            actor=customer, customer=customer, subject="Jam", body="Jammed.", department=department
        )
    assert error.value.field == "department"


def test_an_agent_reply_on_a_closed_ticket_neither_reopens_nor_links(customer, agent, make_ticket, db):
    ticket = closed_ticket(make_ticket, customer, agent, assigned=True)

    with at(45):
        entry = conversation.post_reply(ticket, actor=agent, body="One more thing.")

    assert entry.ticket is ticket
    assert ticket.status.key == "closed"


def test_a_reopened_ticket_closes_again_with_a_new_closed_at(customer, agent, make_ticket, db):
    ticket = closed_ticket(make_ticket, customer, agent, assigned=True)
    with at(5):
        conversation.post_reply(ticket, actor=customer, body="Not fixed.")
    with at(6):
        properties.change_status(ticket, status("closed"), actor=agent)
    with at(6 + 31):
        entry = conversation.post_reply(ticket, actor=customer, body="Broken again.")

    assert ticket.closed_at == T0 + timedelta(days=6)
    assert entry.ticket.follows is ticket


# Rule 6: the customer writes on a filed feature request or bug report --------------------


@pytest.mark.parametrize("key", ["feature_filed", "bug_filed"])
def test_rule6_customer_reply_keeps_the_status_and_shows_who(customer, agent, make_ticket, put_in, db, key):
    with at(0):
        ticket = put_in(make_ticket(customer), key)
        conversation.post_reply(ticket, actor=agent, body="Filed it.", status=status(key))
    assert ticket.last_public_by == "agent"
    events = len(status_events(ticket))

    with at(3):
        conversation.post_reply(ticket, actor=customer, body="Any news?")
        db.session.commit()

    assert ticket.status.key == key
    assert ticket.status_changed_at == T0
    assert len(status_events(ticket)) == events
    assert ticket.last_public_by == "customer"
    assert ticket.last_public_actor is customer
    assert ticket.last_public_at == T0 + timedelta(days=3)


# Rule 7: waiting on the customer too long closes the ticket ------------------------------
