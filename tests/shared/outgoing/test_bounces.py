"""Hard bounces: a 5.x.x DSN of the desk's own mail stops mail to that address until an agent
clears it; the worker holds what would have gone, with the reason, and sends it once cleared."""

import pytest
from sqlalchemy import select

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, InboundMessage, InboundState, MailBounce, OutboxMessage, Ticket
from shared.outgoing import bounces
from shared.people import accounts
from shared.tickets import conversation
from tests.conftest import PASSWORD
from tests.shared.mail.eml import ingest, run_worker
from tests.shared.mail.inbound import compose, dsn

ALICE = "alice@example.com"


def header_block(message) -> bytes:
    raw = message.as_bytes()
    return raw[: raw.index(b"\n\n") if b"\n\n" in raw else len(raw)].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.fixture
def desk_agent(agent, db):
    """The agent, found again whenever asked: the worker ends the session the test's objects are in."""
    agent_id = agent.id
    return lambda: db.session.get(Agent, agent_id)


@pytest.fixture
def bounced(runner, smtp_server, desk_agent, db):
    """Alice's mail opened a ticket, the worker sent her the acknowledgement, and it bounced."""
    desk_agent()
    ingest(runner, compose(message_id="<first@example.com>"))
    run_worker(runner)
    [ack] = [m for m in smtp_server.messages if m["To"] == ALICE]
    ingest(runner, dsn(header_block(ack)))
    ticket = db.session.scalar(select(Ticket))
    return ticket, ack


def test_a_hard_bounce_holds_further_mail_until_an_agent_clears_it(runner, smtp_server, desk_agent, bounced, login_as):
    ticket, _ack = bounced
    agent = desk_agent()
    [bounce] = db.session.scalars(select(MailBounce)).all()
    assert (bounce.address, bounce.status, bounce.cleared_at) == (ALICE, "5.1.1", None)
    assert "User unknown" in bounce.diagnostic
    bounce_id = bounce.id
    [note] = [e for e in ticket.entries if e.event == "mail_bounce"]
    assert not note.is_public and "no more mail goes to that address" in note.body

    conversation.post_reply(ticket, actor=agent, body="Did you mean another address?")
    db.session.commit()
    number = ticket.number
    sent_before = len(smtp_server.messages)
    output = run_worker(runner)
    assert "1 held (bounced)" in output
    assert [m for m in smtp_server.messages[sent_before:] if m["To"] == ALICE] == []
    db.session.expire_all()
    agent = desk_agent()
    [held] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "agent_reply")).all()
    assert held.state == "held" and "bounced (5.1.1" in held.last_error and held.sent_at is None

    # The outbox log says why it waits.
    agent.is_admin = True
    db.session.commit()
    console = login_as(agent)
    log = console.get("/console/admin/mail/outbox?state=held").get_data(as_text=True)
    assert "Held (address bounced)" in log and "Not sent: mail to alice@example.com bounced (5.1.1" in log

    # The agent sees it on the customer's card and clears it; the held reply goes out.
    page = console.get(f"/console/tickets/{number}").get_data(as_text=True)
    assert "Mail to this address bounced" in page and "5.1.1" in page
    response = console.post(f"/console/tickets/{number}/bounce/clear")
    assert response.status_code == 303
    db.session.expire_all()
    assert bounces.active(ALICE) is None
    assert db.session.get(MailBounce, bounce_id).cleared_by_id == agent.id
    held_id = held.id
    assert db.session.get(OutboxMessage, held_id).state == "pending"
    assert "Mail to this address bounced" not in console.get(f"/console/tickets/{number}").get_data(True)
    run_worker(runner)
    [reply] = [m for m in smtp_server.messages[sent_before:] if m["To"] == ALICE]
    assert "another address" in reply.get_body(("plain",)).get_content()
    assert db.session.get(OutboxMessage, held_id).state == "sent"
    # Cleared once: a second post finds nothing to clear.
    assert console.post(f"/console/tickets/{number}/bounce/clear").status_code == 404


def test_the_card_and_the_clearing_are_the_desks_alone(client, desk_agent, bounced, make_customer, login_as, db):
    ticket, _ack = bounced
    agent = desk_agent()
    alice = db.session.scalar(select(MailBounce)).address
    customer = ticket.customer
    accounts.set_password(customer, PASSWORD)
    db.session.commit()
    portal = login_as(customer)
    page = portal.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert "bounced" not in page.lower()
    response = portal.post(f"/console/tickets/{ticket.number}/bounce/clear")
    assert response.status_code in (302, 303, 404) and bounces.active(alice) is not None
    portal.post("/portal/logout")
    console = login_as(agent)
    for number in ("999999", "0", "-1", "x"):
        assert console.post(f"/console/tickets/{number}/bounce/clear").status_code == 404
    other = conversation.open_ticket(
        actor=agent, customer=make_customer("carl@example.com"), subject="x", body="y", department=ticket.department
    )
    db.session.commit()
    assert console.post(f"/console/tickets/{other.number}/bounce/clear").status_code == 404
    assert bounces.active(alice) is not None


def test_soft_bounces_and_bounces_of_mail_the_desk_never_sent_stop_nothing(runner, smtp_server, db):
    ingest(runner, compose(message_id="<first@example.com>"))
    run_worker(runner)
    [ack] = [m for m in smtp_server.messages if m["To"] == ALICE]
    ingest(runner, dsn(header_block(ack), status="4.2.2", action="delayed"))
    forged = b"From: x@y\r\nTo: alice@example.com\r\nSubject: hi\r\nMessage-ID: <not-ours@example.com>"
    ingest(runner, dsn(forged, recipient="alice@example.com", status="5.1.1"))
    assert db.session.scalars(select(MailBounce)).all() == []


def test_a_bounce_of_the_agents_notice_stops_mail_to_the_agent(runner, smtp_server, agent, db):
    agent_email = agent.email
    ingest(runner, compose(message_id="<first@example.com>"))
    run_worker(runner)
    [notice] = [m for m in smtp_server.messages if m["To"] == agent_email]
    ingest(runner, dsn(header_block(notice), recipient=agent_email))
    assert bounces.active(agent_email).status == "5.1.1"
    assert bounces.active(ALICE) is None


def test_clearing_is_for_agents(bounced, make_customer, db):
    bounce = db.session.scalar(select(MailBounce))
    with pytest.raises(DomainError):
        bounces.clear(bounce, actor=make_customer("zoe@example.com"))
    assert bounce.cleared_at is None


def test_the_bounce_is_processed_as_an_automatic_message(bounced, db):
    last = db.session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())).first()
    assert last.state == InboundState.PROCESSED and last.reason == "bounce"
