"""What a received message costs stays the same as the desk grows (issue 7): the lookups it makes
use indexes, it runs as many statements with many tickets and agents as with few, and a notice to
many agents is what each would have got alone, rendered once per language."""

import os
import re

import pytest
from sqlalchemy import inspect, select

from shared.core.extensions import db
from shared.models import MailMessageId, OutboxMessage, Ticket
from shared.outgoing import outbox
from shared.people import accounts
from shared.tickets import properties
from tests.querycount import recorded
from tests.shared.mail.inbound import compose, deliver
from tests.shared.tickets.rulekit import at, waiting_ticket

DIALECT = "postgresql" if os.environ.get("DESKBELL_TEST_DB") == "postgresql" else "sqlite"
# The tables that grow with the desk; the settings tables (statuses, rules, agents...) stay small.
GROWING = ("tickets", "entries", "customers", "mail_message_ids", "inbound_messages", "outbox", "attachments")
FULL_SCAN = re.compile(rf"\bSCAN ({'|'.join(GROWING)})\b(?! USING (?:COVERING )?INDEX)")


def sqlite_plans(statements: list[tuple[str, object]]) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of each SELECT, one line per statement."""
    with db.engine.connect() as connection:
        cursor = connection.connection.cursor()
        explained = []
        for statement, parameters in statements:
            if statement.lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                explained.append(" | ".join(row[3] for row in cursor.fetchall()) + "  <-  " + statement)
    return explained


@pytest.mark.database("sqlite", reason="SQLite's plans; PostgreSQL scans tiny tables whatever the indexes")
def test_threading_a_reply_and_opening_a_ticket_never_scan_a_growing_table(db, agent):
    first = deliver(compose(message_id="<first@alice.example>", cc="carol@example.com"))
    ticket = first.ticket
    reply = compose(
        sender="Carol <Carol@Example.com>",
        subject=f"Re: [#{ticket.number}] The printer is on fire",
        in_reply_to="<first@alice.example>",
        message_id="<second@carol.example>",
    )
    with recorded(db.engine) as statements:
        assert deliver(reply).reason == "reply"
        assert deliver(compose(sender="dana@example.com", message_id="<third@dana.example>")).reason == "new_ticket"
    scans = [plan for plan in sqlite_plans(statements) if FULL_SCAN.search(plan)]
    assert not scans, scans


def test_an_account_is_found_by_address_through_the_lower_email_index(db, customer, agent):
    if DIALECT == "postgresql":
        for table in ("customers", "agents"):
            assert f"ix_{table}_email_lower" in {ix["name"] for ix in inspect(db.engine).get_indexes(table)}
        return
    with recorded(db.engine) as statements:
        assert accounts.find_customer(" Alice@Example.COM ") is customer
        assert accounts.find_agent("BOB@desk.example") is agent
    plans = sqlite_plans(statements)
    assert "ix_customers_email_lower" in plans[0] and "ix_agents_email_lower" in plans[1], plans


def test_processing_a_message_runs_as_many_statements_with_many_tickets_and_agents(db, make_agent, customer):
    def statements_for_one(n: int) -> list[str]:
        raw = compose(sender=f"new{n}@example.com", cc=f"copy{n}@example.com", message_id=f"<m{n}@example.com>")
        with recorded(db.engine) as statements:
            assert deliver(raw).reason == "new_ticket"
        return [statement for statement, _parameters in statements]

    make_agent(password=None)
    statements_for_one(0)  # warm: what runs once per process
    few = statements_for_one(1)
    for _ in range(8):
        make_agent(password=None)
    for n in range(10):
        deliver(compose(subject=f"Printer {n}", message_id=f"<old{n}@example.com>"))
    many = statements_for_one(2)

    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "agent_new_ticket")).all()) > 9
    assert len(many) == len(few), sorted(set(many) - set(few))


def test_a_notice_to_many_agents_is_what_each_would_get_alone(db, make_agent, customer, make_ticket):
    agents = [make_agent(password=None), make_agent(password=None, name="Rita"), make_agent(password=None)]
    agents[1].locale = "ru"
    ticket = make_ticket(customer)
    entry = ticket.entries[0]

    alone = [outbox.enqueue(a, "agent_new_ticket", ticket=ticket, entry=entry, message=entry) for a in agents]
    db.session.flush()
    outbox.enqueue_each(agents, "agent_new_ticket", ticket=ticket, entry=entry, message=entry)
    together = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id > alone[-1].id).order_by(OutboxMessage.id)
    ).all()

    def content(m: OutboxMessage) -> tuple:
        return m.to_addr, m.subject, m.body_text, m.body_html, m.headers, m.template, m.entry_id, m.state, m.attempts

    assert [content(m) for m in together] == [content(m) for m in alone]
    assert together[0].body_text != together[1].body_text  # Russian for Rita
    assert together[0].next_attempt_at is not None and together[0].with_attachments is False
    stored = {m.message_id: (m.ticket_id, m.entry_id, m.direction) for m in db.session.scalars(select(MailMessageId))}
    assert all(stored[m.message_id] == (ticket.id, entry.id, "out") for m in together)
    assert len({m.message_id for m in [*alone, *together]}) == 6


def test_the_pending_expiry_timer_loads_tickets_a_batch_at_a_time(db, customer, agent, make_ticket, monkeypatch):
    monkeypatch.setattr(properties, "TIMER_BATCH", 2)
    waiting = [waiting_ticket(make_ticket, customer, agent) for _ in range(5)]
    with at(30), recorded(db.engine) as statements:
        assert properties.expire_pending() == 5
        db.session.commit()
    reads = [s for s, _p in statements if re.match(r"SELECT tickets\.\w+, ", s) and "FROM tickets" in s]
    assert len(reads) == 3 and all("tickets.id IN" in s for s in reads), reads
    closed = select(Ticket.id).where(Ticket.id.in_([t.id for t in waiting]), Ticket.closed_at.is_not(None))
    assert len(db.session.scalars(closed).all()) == 5
