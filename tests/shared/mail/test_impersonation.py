"""Mail cannot speak for an agent: a desk Message-ID proves only who the desk sent it to, and the
From header is read by the standard library's rules, not by what a display name claims."""

import pytest
from sqlalchemy import select

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.delivery import sending
from shared.mail import intake, parse
from shared.models import ActorKind, Agent, Customer, InboundState, MailMessageId, OutboxMessage
from shared.people import accounts
from shared.tickets import conversation
from tests.conftest import PASSWORD
from tests.shared.mail.inbound import DESK, compose, deliver, history, outbox_ids

ALICE = "alice@example.com"


@pytest.fixture
def answered(db, agent):
    """A ticket Alice opened by mail, Bob's notice of it, and the agent's reply she received."""
    ticket = deliver(compose(message_id="<first@example.com>")).ticket
    conversation.post_reply(ticket, actor=agent, body="Unplug it, please.")
    db.session.commit()
    [notice] = outbox_ids(ticket, agent.email, "agent_new_ticket")
    [reply] = outbox_ids(ticket, ALICE, "agent_reply")
    return ticket, notice, reply


def status_of(client, url: str) -> int:
    response = client.get(url)
    response.close()  # a file download holds its file open until closed
    return response.status_code


def queued() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_customer_forging_the_agents_from_with_their_own_reply_id_is_held_never_posted_as_the_agent(
    db, agent, answered
):
    ticket, _notice, reply = answered
    before = queued()
    forged = compose(sender=f"Bob <{agent.email}>", in_reply_to=reply, subject="Re: refund", body="Refund approved.")
    inbound = deliver(forged)
    assert inbound.state == InboundState.HELD and inbound.reason == "unverified_agent"
    assert inbound.ticket is ticket
    public = [e for e in history(ticket) if e.is_public and e.kind == "message"]
    assert [e.author_kind for e in public] == [ActorKind.CUSTOMER, ActorKind.AGENT]  # nothing new posted
    assert "Refund approved." not in [e.body for e in public]
    note = inbound.entry
    assert not note.is_public and note.event == "mail_held_agent" and agent.email in note.body
    assert queued() == before  # nobody is mailed anything about it, least of all a customer
    assert ticket.status.key == "waiting"  # and the status did not move


def test_the_agent_answering_their_own_notice_is_posted_as_the_agent(db, agent, answered):
    _ticket, notice, _reply = answered
    inbound = deliver(compose(sender=f"Bob <{agent.email.upper()}>", in_reply_to=notice, body="On it."))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "reply"
    assert isinstance(inbound.entry.author, Agent) and inbound.entry.author.id == agent.id


def test_an_agent_reply_quoting_the_customers_ids_only_is_held(db, agent, answered):
    """Even the real agent: their mail must answer mail the desk sent to *them*."""
    _ticket, _notice, reply = answered
    inbound = deliver(compose(sender=agent.email, in_reply_to=reply, references=f"<first@example.com> {reply}"))
    assert inbound.state == InboundState.HELD and inbound.reason == "unverified_agent"


def test_an_id_of_the_first_format_sent_to_the_agent_still_speaks_for_them(db, agent, answered):
    """IDs signed before they named their recipient thread, and count for the agent the outbox sent them to."""
    ticket, notice, _reply = answered
    legacy = f"<db.{ticket.id}.{ticket.entries[0].id}.aaaaaaaa.bbbbbbbbbbbbbbbb@deskbell.localhost>"
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == notice))
    stored = db.session.scalar(select(MailMessageId).where(MailMessageId.message_id == notice))
    row.message_id = stored.message_id = legacy
    db.session.commit()
    inbound = deliver(compose(sender=agent.email, in_reply_to=legacy, body="Looking."))
    assert inbound.state == InboundState.PROCESSED and isinstance(inbound.entry.author, Agent)


def test_an_old_format_id_the_customer_received_threads_for_the_customer_but_not_for_an_agent(db, agent, answered):
    ticket, _notice, reply = answered
    legacy = f"<db.{ticket.id}.0.cccccccc.dddddddddddddddd@deskbell.localhost>"
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == reply))
    stored = db.session.scalar(select(MailMessageId).where(MailMessageId.message_id == reply))
    row.message_id = stored.message_id = legacy
    db.session.commit()
    mine = deliver(compose(sender=ALICE, in_reply_to=legacy, subject="Re: it", body="Done, thanks."))
    assert mine.state == InboundState.PROCESSED and mine.entry.author_kind == ActorKind.CUSTOMER
    assert mine.ticket is ticket
    forged = deliver(compose(sender=agent.email, in_reply_to=legacy, subject="Re: it", body="Refund approved."))
    assert forged.state == InboundState.HELD and forged.reason == "unverified_agent"


def test_a_from_naming_the_agent_and_another_mailbox_never_speaks_for_the_agent(db, agent, answered):
    _ticket, notice, _reply = answered
    inbound = deliver(compose(sender=f"{agent.email}, mallory@evil.example", in_reply_to=notice, body="Close it."))
    assert inbound.state == InboundState.HELD and inbound.reason == "unverified_agent"


def test_a_display_name_holding_an_address_is_not_the_sender(db, agent, answered):
    _ticket, notice, _reply = answered
    raw = compose(sender=f'"<{agent.email}>" <mallory@evil.example>', in_reply_to=notice, body="Close it.")
    assert parse.parse(raw).from_addr == "mallory@evil.example"
    inbound = deliver(raw)
    assert inbound.from_addr == "mallory@evil.example"
    assert inbound.state == InboundState.HELD and inbound.reason == "not_on_ticket"  # a stranger, not the agent
    assert db.session.scalar(select(Customer).where(Customer.email == agent.email)) is None


@pytest.mark.parametrize(
    ("header", "address"),
    [
        ('"<ann@a.test>" <evil@b.test>', "evil@b.test"),
        ('"ann@a.test" <evil@b.test>', "evil@b.test"),
        ("ann@a.test <evil@b.test>", "evil@b.test"),  # Outlook's unquoted name: the angle address is the mailbox
        ('"Ann, <ann@a.test>" evil@b.test', "evil@b.test"),
        ("(ann@a.test) evil@b.test", "evil@b.test"),
        ("=?utf-8?q?=3Cann=40a=2Etest=3E?= <evil@b.test>", "evil@b.test"),
        ("Big Bug bb@bug.example", "bb@bug.example"),
    ],
)
def test_addresses_are_read_by_the_header_registry(header, address):
    # Written by hand: the stdlib's own writer would re-encode the headers.
    copied = header.replace("evil", "copy").replace("bb@", "cc@")
    raw = (
        f"From: {header}\r\nTo: {DESK}, {header}\r\nCc: {copied}\r\nReply-To: {header}\r\n"
        f"Subject: hi\r\nMessage-ID: <m1@b.test>\r\n\r\nx\r\n"
    ).encode()
    mail = parse.parse(raw)
    assert mail.from_addr == address and mail.sender_count == 1
    assert mail.to == [DESK, address] and mail.cc == [address.replace("evil", "copy").replace("bb@", "cc@")]
    assert parse.peek(raw).from_addr == address  # what is stored on arrival and rate-limited by


def test_held_agent_mail_cannot_be_accepted_and_the_console_offers_no_accept(db, agent, answered, login_as):
    ticket, _notice, reply = answered
    inbound = deliver(compose(sender=agent.email, in_reply_to=reply, body="Refund approved."))
    with pytest.raises(DomainError):
        intake.accept_held(inbound, actor=agent)
    assert db.session.scalar(select(Customer).where(Customer.email == agent.email)) is None
    page = login_as(agent).get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert f'id="held-{inbound.id}"' in page and "may be forged" in page
    assert f"/console/mail/held/{inbound.id}/accept" not in page
    assert f"/console/mail/held/{inbound.id}/split" in page
    # A crafted post is refused all the same, and changes nothing.
    response = login_as(agent).post(f"/console/mail/held/{inbound.id}/accept")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(inbound), inbound.id).state == InboundState.HELD


def test_an_agents_mailed_reply_keeps_its_original_from_the_customer(db, agent, answered, smtp_server, login_as):
    """The agent's raw mail may quote internal notices: not on the portal page, not downloadable by
    the customer, not attached to or named in the reply mailed to them; agents still have it."""
    ticket, notice, _reply = answered
    conversation.add_internal_note(ticket, actor=agent, body="Internal: customer owes us 3 invoices.")
    db.session.commit()
    mailed = compose(
        sender=agent.email,
        in_reply_to=notice,
        body="Please try the other port.\n\n> Internal: customer owes us 3 invoices.",
        files=[("steps.txt", "text/plain", b"1. unplug\n")],
    )
    inbound = deliver(mailed)
    entry = inbound.entry
    assert entry.author_kind == ActorKind.AGENT and entry.channel == "email"
    [original] = [a for a in entry.attachments if a.filename == "original.eml"]

    sending.deliver_due()
    to_alice = [m for m in smtp_server.messages if m["To"] == ALICE]
    [sent] = [m for m in to_alice if "other port" in m.get_body(("plain",)).get_content()]
    files = [part.get_filename() for part in sent.iter_attachments()]
    assert files == ["steps.txt"]
    for part in ("plain", "html"):
        assert "original.eml" not in sent.get_body((part,)).get_content()
    assert b"owes us" not in sent.as_bytes()

    customer = db.session.scalar(select(Customer).where(Customer.email == ALICE))
    accounts.set_password(customer, PASSWORD)
    db.session.commit()
    portal = login_as(customer)
    page = portal.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert "Please try the other port." in page and "steps.txt" in page
    assert f"/attachments/{original.id}" not in page
    assert page.count("original.eml") == 1  # her own first mail's, not the agent's
    assert status_of(portal, f"/portal/tickets/{ticket.number}/attachments/{original.id}") == 404
    # Alice's own mail stays hers to download.
    [own] = [a for e in history(ticket) if e.author_kind == ActorKind.CUSTOMER for a in e.attachments]
    assert status_of(portal, f"/portal/tickets/{ticket.number}/attachments/{own.id}") == 200
    portal.post("/portal/logout")

    console = login_as(agent)
    page = console.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert f"/attachments/{original.id}" in page
    assert status_of(console, f"/console/tickets/{ticket.number}/attachments/{original.id}") == 200


# --- the desk's own receiving server's word (MAIL_TRUSTED_AUTHSERV_ID) ----------------------------


def _agent_mail(agent, notice: str, *results: str) -> bytes:
    raw = compose(sender=agent.email, in_reply_to=notice, body="On it.")
    # Authentication-Results go on top, as each receiving server prepends its own.
    return b"".join(f"Authentication-Results: {r}\r\n".encode() for r in results) + raw


@pytest.mark.parametrize(
    ("results", "outcome"),
    [
        (["mx.desk.example; spf=pass smtp.mailfrom=a.test; dkim=pass; dmarc=pass header.from=a.test"], "posted"),
        (["MX.desk.example 1; dmarc=pass (p=reject) header.from=a.test"], "posted"),
        # The desk's server says DMARC failed: spam, held as such (issue 15), never posted either way.
        (["mx.desk.example; spf=fail; dmarc=fail (p=none) header.from=a.test"], "spam"),
        (["mx.desk.example; spf=pass (dmarc=pass, says the comment); dkim=none"], "unverified_agent"),
        (["mx.evil.example; dmarc=pass", "mx.desk.example; dmarc=fail"], "spam"),  # another server's word is none
        (["mx.desk.example; dmarc=fail", "mx.desk.example; dmarc=pass"], "spam"),  # the topmost is the desk's own
        ([], "unverified_agent"),  # did not come through the desk's server at all
    ],
)
def test_with_a_trusted_authserv_id_agent_mail_must_pass_dmarc(db, app, agent, answered, results, outcome):
    app.config["MAIL_TRUSTED_AUTHSERV_ID"] = "mx.desk.example"
    _ticket, notice, _reply = answered
    inbound = deliver(_agent_mail(agent, notice, *results))
    if outcome == "posted":
        assert inbound.state == InboundState.PROCESSED and isinstance(inbound.entry.author, Agent)
    else:
        assert inbound.state == InboundState.HELD and inbound.reason == outcome
        with pytest.raises(DomainError):  # an agent cannot let it in as the agent's either
            intake.accept_held(inbound, actor=agent)
        assert inbound.state == InboundState.HELD


def test_without_a_trusted_authserv_id_the_headers_are_not_read(db, app, agent, answered):
    assert app.config["MAIL_TRUSTED_AUTHSERV_ID"] == ""
    _ticket, notice, _reply = answered
    inbound = deliver(_agent_mail(agent, notice, "mx.desk.example; dmarc=fail"))
    assert inbound.state == InboundState.PROCESSED and isinstance(inbound.entry.author, Agent)


def test_customers_are_not_held_for_dmarc(db, app, answered):
    """The check guards agent identity; a customer's reply is judged as before."""
    app.config["MAIL_TRUSTED_AUTHSERV_ID"] = "mx.desk.example"
    ticket, _notice, reply = answered
    inbound = deliver(compose(sender=ALICE, in_reply_to=reply, body="Thanks!"))
    assert inbound.state == InboundState.PROCESSED and inbound.ticket is ticket
