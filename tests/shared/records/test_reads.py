"""The "New reply" marker: per-reader state, set when a customer opens a ticket, read in one query."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from shared.core import paging
from shared.core.extensions import db as _db
from shared.models import TicketRead
from shared.queues import lists
from shared.records import reads
from shared.tickets import conversation, properties
from tests.shared.tickets.rulekit import T0, at


def news(customer, ticket) -> bool:
    return ticket.id in reads.unread_ids(customer, [ticket])


@pytest.fixture
def ticket(customer, make_ticket):
    with at(0):
        return make_ticket(customer)


def test_the_customers_own_message_is_no_news(customer, ticket):
    assert ticket.last_public_by == "customer"
    assert not news(customer, ticket)


def test_an_agent_reply_is_news_until_the_customer_opens_the_ticket(customer, agent, ticket, db):
    with at(1):
        conversation.post_reply(ticket, actor=agent, body="Try turning it off.")
        db.session.commit()
    assert news(customer, ticket)
    with at(2):
        reads.mark_seen(ticket, customer)
        db.session.commit()
    assert not news(customer, ticket)
    with at(3):
        conversation.post_reply(ticket, actor=agent, body="Any luck?")
        db.session.commit()
    assert news(customer, ticket)


def test_the_customers_reply_clears_the_news(customer, agent, ticket, db):
    with at(1):
        conversation.post_reply(ticket, actor=agent, body="Which model?")
    with at(2):
        conversation.post_reply(ticket, actor=customer, body="The X200.")
        db.session.commit()
    assert not news(customer, ticket)


def test_an_internal_note_is_never_news(customer, agent, ticket, db):
    with at(1):
        conversation.add_internal_note(ticket, actor=agent, body="Counterfeit toner again.")
        db.session.commit()
    assert not news(customer, ticket)


def test_a_public_system_note_is_news(customer, agent, ticket, db):
    with at(1):
        conversation.post_reply(ticket, actor=agent, body="Could you send a photo?")
        reads.mark_seen(ticket, customer)
        db.session.commit()
    with at(9):
        assert properties.expire_pending() == 1  # closed by the system, with a public note
        db.session.commit()
    assert ticket.last_public_by == "system"
    assert news(customer, ticket)


def test_seeing_again_overwrites_the_one_row(customer, agent, ticket, db):
    with at(1):
        reads.mark_seen(ticket, customer)
        db.session.commit()
    with at(2):
        reads.mark_seen(ticket, customer)
        db.session.commit()
    [row] = db.session.scalars(select(TicketRead)).all()
    assert row.seen_at == T0 + timedelta(days=2)
    assert reads.seen_times(customer, [ticket.id]) == {ticket.id: row.seen_at}


def test_each_reader_has_their_own_state(make_customer, agent, make_ticket, db):
    alice = make_customer(organization="Acme")
    carol = make_customer(organization="Acme")
    alice.organization.sharing = True
    with at(0):
        ticket = make_ticket(alice)
    with at(1):
        conversation.post_reply(ticket, actor=agent, body="Fixed.")
        db.session.commit()
    with at(2):
        reads.mark_seen(ticket, alice)
        db.session.commit()
    assert not news(alice, ticket)
    assert news(carol, ticket)  # never opened it


def test_no_ids_no_query(customer):
    assert reads.seen_times(customer, []) == {}


def queries_to_list(customer) -> tuple[list[str], paging.Page]:
    """The SQL statements that loading the customer's open tickets runs."""
    _db.session.expire_all()
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        page = lists.customer_tickets(customer, closed=False)
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)
    return statements, page


def test_the_list_loads_the_marker_in_one_query_whatever_its_length(customer, agent, make_ticket, db):
    def add_answered(count: int) -> None:
        for i in range(count):
            ticket = make_ticket(customer, subject=f"Ticket {i}")
            conversation.post_reply(ticket, actor=agent, body="Answered.")
            if i % 2:
                reads.mark_seen(ticket, customer)
        db.session.commit()

    add_answered(2)
    few, page = queries_to_list(customer)
    assert len(page.items) == 2 and len(page.unread) == 1
    add_answered(6)
    many, page = queries_to_list(customer)
    assert len(page.items) == 8 and len(page.unread) == 4
    assert len(many) == len(few)
    assert sum("ticket_reads" in statement for statement in many) == 1


def test_the_count_of_reads_stays_one_row_per_reader_and_ticket(customer, ticket, db):
    for day in range(3):
        with at(day):
            reads.mark_seen(ticket, customer)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(TicketRead)) == 1
