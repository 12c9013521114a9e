"""Bounces in words (Exim, Postfix without a delivery-status part, qmail, Exchange, Gmail, Yandex,
Mail.ru): the desk sends a real reply through aiosmtpd, each server's notice is written around the
message as it was sent (tests/shared/mail/messages/bounces/*.eml), piped to `flask mail ingest`, and the
ticket shows the bounce exactly as for a DSN. A notice that quotes none of the desk's signed IDs
stops nothing and opens nothing."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.core.extensions import db
from shared.models import Agent, Customer, InboundMessage, InboundState, MailBounce, OutboxMessage, Ticket
from shared.outgoing import bounces
from shared.tickets import conversation
from tests.shared.mail.eml import ingest, run_worker
from tests.shared.mail.inbound import compose

MESSAGES = Path(__file__).parent / "messages" / "bounces"
ALICE = "alice@example.com"


def notice(name: str, sent, **extra: str) -> bytes:
    """The server's notice in `name`, reporting on `sent` (the message as aiosmtpd received it)."""
    raw = sent.as_bytes().replace(b"\r\n", b"\n")
    headers = raw.split(b"\n\n", 1)[0]
    values = {
        b"{{RECIPIENT}}": str(sent["To"]).encode(),
        b"{{SUBJECT}}": str(sent["Subject"]).encode(),
        b"{{RETURNED}}": raw,
        b"{{HEADERS}}": headers,
        **{f"{{{{{k}}}}}".encode(): v.encode() for k, v in extra.items()},
    }
    text = (MESSAGES / name).read_bytes()
    for token, value in values.items():
        text = text.replace(token, value)
    return text


def last_inbound() -> InboundMessage:
    return db.session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())).first()


@pytest.fixture
def desk_agent(agent, db):
    agent_id = agent.id
    return lambda: db.session.get(Agent, agent_id)


@pytest.fixture
def replied(runner, smtp_server, desk_agent, db):
    """Alice's mail opened a ticket and an agent's reply went out to her through SMTP: (ticket
    number, the reply as sent)."""
    desk_agent()
    ingest(runner, compose(message_id="<first@example.com>"))
    ticket = db.session.scalar(select(Ticket))
    conversation.post_reply(ticket, actor=desk_agent(), body="Please try turning it off first.")
    db.session.commit()
    number = ticket.number
    run_worker(runner)
    [reply] = [m for m in smtp_server.messages if m["To"] == ALICE and "turning it off" in m.as_string()]
    assert str(reply["Message-ID"]).startswith("<dbr.")
    return number, reply


CASES = {
    "exim.eml": ("5.1.1", "User unknown in virtual mailbox table"),
    "postfix.eml": ("5.1.1", "host mail.example.com[192.0.2.26] said: 550 5.1.1"),
    "qmail.eml": ("5.1.1", "Sorry, no mailbox here by that name. (#5.1.1)"),
    "exchange.eml": ("5.1.1", "#550 5.1.1 RESOLVER.ADR.RecipNotFound"),
    "gmail.eml": ("5.1.1", "550 5.1.1 The email account that you tried to reach does not exist"),
    "yandex.eml": ("5.1.1", "said: 550 5.1.1"),
    "mailru.eml": ("5.0.0", "Это неустранимая ошибка"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_bounce_in_words_stops_mail_to_the_address_like_a_dsn(
    name, runner, smtp_server, replied, desk_agent, login_as, db
):
    number, reply = replied
    tickets_before = db.session.scalar(select(func.count(Ticket.id)))
    customers_before = db.session.scalar(select(func.count(Customer.id)))
    ingest(runner, notice(name, reply))

    status, said = CASES[name]
    inbound = last_inbound()
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
    assert (inbound.state, inbound.reason, inbound.ticket_id) == (InboundState.PROCESSED, "bounce", ticket.id)
    [bounce] = db.session.scalars(select(MailBounce)).all()
    assert (bounce.address, bounce.status, bounce.cleared_at) == (ALICE, status, None)
    assert said in bounce.diagnostic
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == str(reply["Message-ID"])))
    assert bounce.outbox_id == sent.id
    # Never a ticket, a customer or a reply from the notice.
    assert db.session.scalar(select(func.count(Ticket.id))) == tickets_before
    assert db.session.scalar(select(func.count(Customer.id))) == customers_before
    [note] = [e for e in ticket.entries if e.event == "mail_bounce"]
    assert not note.is_public and "no more mail goes to that address" in note.body
    assert [e for e in ticket.entries if e.is_public and e.customer_id is not None][1:] == []

    # The next reply is held, and the agent sees the banner on the customer's card.
    conversation.post_reply(ticket, actor=desk_agent(), body="Did you mean another address?")
    db.session.commit()
    sent_before = len(smtp_server.messages)
    assert "1 held (bounced)" in run_worker(runner)
    assert [m for m in smtp_server.messages[sent_before:] if m["To"] == ALICE] == []
    held = db.session.scalars(select(OutboxMessage).where(OutboxMessage.state == "held")).one()
    assert f"bounced ({status}" in held.last_error
    console = login_as(desk_agent())
    page = console.get(f"/console/tickets/{number}").get_data(as_text=True)
    assert "Mail to this address bounced" in page and status in page


def test_clearing_a_bounce_in_words_sends_what_was_held(runner, smtp_server, replied, desk_agent, login_as, db):
    number, reply = replied
    ingest(runner, notice("qmail.eml", reply))
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
    conversation.post_reply(ticket, actor=desk_agent(), body="Second try.")
    db.session.commit()
    run_worker(runner)
    console = login_as(desk_agent())
    assert console.post(f"/console/tickets/{number}/bounce/clear").status_code == 303
    sent_before = len(smtp_server.messages)
    run_worker(runner)
    [again] = [m for m in smtp_server.messages[sent_before:] if m["To"] == ALICE]
    assert "Second try." in again.get_body(("plain",)).get_content()
    assert bounces.active(ALICE) is None


def test_a_forged_bounce_marks_no_address(runner, smtp_server, replied, desk_agent, db):
    """A stranger's mail that looks like a bounce, quoting the desk's reply with a signature that
    is not the desk's (or an ID the desk never sent), stops nothing and lands nowhere."""
    number, reply = replied
    real = str(reply["Message-ID"])
    tampered = real[: real.index("@") - 4] + ("aaaa" if not real[real.index("@") - 4 :].startswith("aaaa") else "bbbb")
    tampered += real[real.index("@") :]
    tickets_before = db.session.scalar(select(func.count(Ticket.id)))
    for forged_id in (tampered, "<dbr.1.1.abcdefgh.abcdefghijklmnop@deskbell.localhost>", "<spoof@example.net>"):
        raw = notice("forged.eml", reply, FORGED_ID=forged_id).replace(
            b"forged-bounce-1", forged_id.strip("<>").split("@")[0].encode() + b"-bounce"
        )
        ingest(runner, raw)
        inbound = last_inbound()
        assert (inbound.state, inbound.reason, inbound.ticket_id) == (InboundState.IGNORED, "bounce", None)
    assert db.session.scalars(select(MailBounce)).all() == []
    assert db.session.scalar(select(func.count(Ticket.id))) == tickets_before
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
    assert [e for e in ticket.entries if e.event == "mail_bounce"] == []
    # Mail to Alice still goes.
    conversation.post_reply(ticket, actor=desk_agent(), body="Still here.")
    db.session.commit()
    sent_before = len(smtp_server.messages)
    run_worker(runner)
    assert [m["To"] for m in smtp_server.messages[sent_before:]] == [ALICE]


def test_backscatter_of_mail_the_desk_never_sent_is_only_logged(runner, smtp_server, db, login_as, make_agent):
    ingest(runner, (MESSAGES / "backscatter.eml").read_bytes())
    inbound = last_inbound()
    assert (inbound.state, inbound.reason, inbound.ticket_id) == (InboundState.IGNORED, "bounce", None)
    assert db.session.scalar(select(func.count(Ticket.id))) == 0
    assert db.session.scalars(select(Customer)).all() == []
    assert db.session.scalars(select(MailBounce)).all() == []
    assert db.session.scalars(select(OutboxMessage)).all() == []
    admin = make_agent("admin@desk.example", is_admin=True)
    log = login_as(admin).get("/console/admin/mail/inbound").get_data(as_text=True)
    assert "Mail delivery failed: returning message to sender" in log and "Bounce" in log


def test_a_delay_warning_stops_nothing(runner, smtp_server, replied, db):
    _number, reply = replied
    ingest(runner, notice("postfix_delay.eml", reply))
    inbound = last_inbound()
    assert inbound.state in (InboundState.PROCESSED, InboundState.IGNORED) and inbound.reason == "auto_reply"
    assert db.session.scalars(select(MailBounce)).all() == []
    assert db.session.scalar(select(func.count(Ticket.id))) == 1


def test_a_customer_forwarding_a_bounce_they_got_is_a_person_asking(runner, smtp_server, db):
    ingest(runner, (MESSAGES / "forwarded_by_customer.eml").read_bytes())
    inbound = last_inbound()
    assert (inbound.state, inbound.reason) == (InboundState.PROCESSED, "new_ticket")
    ticket = db.session.scalar(select(Ticket))
    assert ticket.customer.email == ALICE and "keeps bouncing" in ticket.entries[0].body
    assert db.session.scalars(select(MailBounce)).all() == []


def test_a_notice_stops_only_the_address_the_desk_mailed(runner, smtp_server, replied, db):
    """Mallory, who got the desk's mail herself, writes a notice naming Alice around it: the desk's
    message went to Mallory, so only Mallory's address could stop; Alice's never."""
    ingest(runner, compose(sender="Mallory <mallory@example.org>", message_id="<m1@example.org>", subject="Hi"))
    run_worker(runner)
    [to_mallory] = [m for m in smtp_server.messages if m["To"] == "mallory@example.org"]
    words, copy = notice("exim.eml", to_mallory).split(b"------ This is a copy")
    raw = words.replace(b"mallory@example.org", ALICE.encode()) + b"------ This is a copy" + copy
    assert b"mallory" not in raw.split(b"------ This is a copy")[0]
    ingest(runner, raw)
    assert bounces.active(ALICE) is None
    assert [b.address for b in db.session.scalars(select(MailBounce))] == ["mallory@example.org"]
