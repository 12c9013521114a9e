"""The desk's own addresses (MAIL_FROM, the IMAP login, the aliases in MAIL_DESK_ADDRESSES and any
plus-address of them) never become customers or participants and are never mailed: mail from them
is the desk's own coming back, recorded and left alone. Each case is a message written here
(tests/shared/mail/messages/desk_addresses/*.eml) piped to `flask mail ingest`; the loop case sends the
desk's real acknowledgement through aiosmtpd and feeds it back in."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.core.extensions import db
from shared.models import Agent, Customer, InboundMessage, InboundState, OutboxMessage, Ticket
from shared.outgoing.desk_addresses import is_desk_address
from shared.tickets import conversation
from shared.tickets.participants import customers_on
from tests.shared.mail.inbound import compose

MESSAGES = Path(__file__).parent / "messages" / "desk_addresses"
ALIASES = "help@example.com, Sales Team <sales@example.com>"


@pytest.fixture
def app_config() -> dict:
    return {"MAIL_DESK_ADDRESSES": ALIASES}


def ingest(runner, raw: bytes) -> InboundMessage:
    result = runner.invoke(args=["mail", "ingest"], input=raw)
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())).first()


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.mark.parametrize(
    "value",
    [
        "support@deskbell.localhost",
        "SUPPORT@Deskbell.Localhost",
        "support+billing@deskbell.localhost",
        '"Deskbell Support" <Support+Re.1042@DESKBELL.localhost>',
        "help@example.com",
        "Help <HELP+x@example.com>",
        "sales@example.com",
        "=?utf-8?q?Sales?= <sales+eu@example.com>",
    ],
)
def test_the_desks_addresses_in_every_form(app, value):
    assert is_desk_address(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "support",
        "alice@example.com",
        "supports@deskbell.localhost",
        "support-team@deskbell.localhost",
        "support@deskbell.localhost.evil.example",
        "support@evil.deskbell.localhost",
        "helpdesk@example.com",
        '"support@deskbell.localhost" <mallory@evil.example>',
    ],
)
def test_lookalikes_are_not_the_desk(app, value):
    assert not is_desk_address(value)


@pytest.mark.parametrize("name", ["from_plus_address.eml", "from_alias.eml"])
def test_mail_from_a_desk_address_is_left_alone(name, runner, smtp_server, agent, db):
    inbound = ingest(runner, (MESSAGES / name).read_bytes())
    assert (inbound.state, inbound.reason, inbound.ticket_id) == (InboundState.IGNORED, "own_address", None)
    assert count(Ticket) == 0 and count(Customer) == 0 and count(OutboxMessage) == 0


def test_mail_from_the_mailbox_the_desk_reads_is_left_alone(app, runner, smtp_server, db):
    app.config["IMAP_URL"] = "imap://inbox%40mail.example.net:secret@127.0.0.1:1143/INBOX"
    inbound = ingest(runner, (MESSAGES / "from_mailbox_login.eml").read_bytes())
    assert (inbound.state, inbound.reason) == (InboundState.IGNORED, "own_address")
    assert count(Customer) == 0 and count(OutboxMessage) == 0


def test_desk_addresses_copied_on_a_mail_do_not_join_the_ticket(runner, smtp_server, agent, db):
    inbound = ingest(runner, (MESSAGES / "cc_desk_addresses.eml").read_bytes())
    assert (inbound.state, inbound.reason) == (InboundState.PROCESSED, "new_ticket")
    ticket = db.session.scalar(select(Ticket))
    assert ticket.customer.email == "alice@example.com"
    assert [c.email for c in customers_on(ticket)] == ["carol@example.com"]
    assert sorted(db.session.scalars(select(Customer.email))) == ["alice@example.com", "carol@example.com"]
    assert not any(is_desk_address(m.to_addr) for m in db.session.scalars(select(OutboxMessage)))


def test_the_desks_own_mail_coming_back_makes_no_loop(runner, smtp_server, agent, db):
    """The acknowledgement the desk really sent, returned to it (a forwarding rule, a list), is
    recorded and ignored: no ticket, no customer, nothing more mailed."""
    ingest(runner, compose(message_id="<first@example.com>"))
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    [ack] = [m for m in smtp_server.messages if m["To"] == "alice@example.com"]
    queued, people = count(OutboxMessage), count(Customer)
    for sender in (None, '"Deskbell" <support+loop@deskbell.localhost>'):
        if sender:
            del ack["Message-ID"], ack["From"]
            ack["Message-ID"], ack["From"] = "<loop-2@deskbell.localhost>", sender
        inbound = ingest(runner, ack.as_bytes())
        assert (inbound.state, inbound.reason) == (InboundState.IGNORED, "own_address")
    assert count(Ticket) == 1 and count(OutboxMessage) == queued and count(Customer) == people


def test_an_agent_cannot_make_a_desk_address_a_customer(client, agent, login_as, make_agent, db):
    admin = make_agent("admin@desk.example", is_admin=True)
    console = login_as(admin)
    for address in ("Support+vip@Deskbell.localhost", "sales@example.com"):
        response = console.post(
            "/console/admin/customers/new", data={"name": "Desk", "email": address, "organization": 0}
        )
        assert response.status_code == 422
        assert "one of the desk&#39;s own addresses" in response.get_data(as_text=True)
        response = console.post(
            "/console/tickets/new",
            data={
                "requester": "customer",
                "customer_email": address,
                "customer_name": "Desk",
                "channel": "phone",
                "department": 1,
                "type": "bug",
                "product": 0,
                "priority": "high",
                "assignee": 0,
                "subject": "Loop",
                "body": "Would answer itself.",
            },
        )
        assert response.status_code == 422
    assert count(Customer) == 0 and count(Ticket) == 0


def test_a_customer_made_before_with_a_desk_address_is_never_mailed(runner, smtp_server, agent, make_ticket, db):
    """A customer row with a desk address from before this rule: replies to them are not sent (the
    mail would come straight back), and the outbox log says why."""
    legacy = Customer(email="support+old@deskbell.localhost", name="Old import")
    db.session.add(legacy)
    db.session.flush()
    ticket = make_ticket(legacy)
    conversation.post_reply(ticket, actor=db.session.get(Agent, agent.id), body="Answer")
    db.session.commit()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert [m for m in smtp_server.messages if "deskbell.localhost" in str(m["To"])] == []
    query = select(OutboxMessage).where(OutboxMessage.to_addr == "support+old@deskbell.localhost")
    refused = db.session.scalars(query).all()
    assert {m.template for m in refused} >= {"agent_reply"}
    assert all(m.state == "failed" and "one of the desk's own addresses" in m.last_error for m in refused)
