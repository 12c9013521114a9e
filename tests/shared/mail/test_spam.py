"""Mail the receiving server marked as spam (issue 15, point 4): held for an agent, never
acknowledged, never a ticket or a reply on its own. One message per filter and case in
tests/shared/mail/messages/spam/, through `flask mail ingest`; what is (not) mailed, through real SMTP.

SpamAssassin's `X-Spam-Flag: YES` / `X-Spam-Status: Yes`, rspamd's `X-Spam: Yes`, and
`dmarc=fail` in the Authentication-Results header of the desk's own server (MAIL_TRUSTED_AUTHSERV_ID,
as for agents' mail; unset, those headers are not read). An agent lets real mail in: an admin
makes mail that answers nothing a ticket from the mail log; any agent on the ticket accepts or
splits mail held on a ticket.
"""

import html

import pytest
from sqlalchemy import func, select

from shared.core.extensions import db
from shared.delivery import sending
from shared.models import Customer, InboundState, OutboxMessage, Ticket, Visibility
from shared.tickets import conversation
from tests.shared.mail.eml import ingest, read
from tests.shared.mail.inbound import compose, history, outbox_ids


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def sent_to(smtp_server, address: str) -> list:
    return [r.message for r in smtp_server.handler.received if address in r.rcpt_tos]


def page_of(response) -> str:
    assert response.status_code in (200, 303), response.status_code
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("name", "sender", "said"),
    [
        ("spamassassin_en.eml", "winner@lottery.example", "X-Spam-Flag: YES"),
        ("rspamd_ru.eml", "buh@outsource-buh.example", "X-Spam-Status: Yes, score=16.40"),
    ],
)
def test_mail_the_filter_marked_is_held_unacknowledged_in_the_mail_log(runner, db, smtp_server, name, sender, said):
    inbound, output = ingest(runner, read("spam", name))
    assert output.endswith("held\n") and inbound.state == InboundState.HELD and inbound.reason == "spam"
    assert inbound.ticket is None and inbound.entry is None and said in inbound.error
    assert count(Ticket) == 0 and count(OutboxMessage) == 0
    assert db.session.scalar(select(Customer).where(Customer.email == sender)) is None  # nobody made a customer
    assert sending.deliver_due().sent == 0 and smtp_server.messages == []


def test_dmarc_fail_from_the_desks_own_server_is_spam(app, runner, db, smtp_server):
    app.config["MAIL_TRUSTED_AUTHSERV_ID"] = "mx.desk.example"
    inbound, _output = ingest(runner, read("spam", "dmarc_fail_en.eml"))
    assert inbound.state == InboundState.HELD and inbound.reason == "spam" and "dmarc=fail" in inbound.error
    assert count(Ticket) == 0 and sending.deliver_due().sent == 0 and smtp_server.messages == []


def test_without_a_trusted_server_authentication_results_are_not_read(app, runner, db, smtp_server):
    """Unset, nobody says which header the desk's own server wrote: as for agents' mail, none counts."""
    assert app.config["MAIL_TRUSTED_AUTHSERV_ID"] == ""
    inbound, _output = ingest(runner, read("spam", "dmarc_fail_en.eml"))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    sending.deliver_due()
    assert len(sent_to(smtp_server, "security@bank.example")) == 1


def test_another_servers_dmarc_fail_counts_for_nothing(app, runner, db, smtp_server):
    """The desk's server says pass on top; a lower header from a relay on the way says fail."""
    app.config["MAIL_TRUSTED_AUTHSERV_ID"] = "mx.desk.example"
    inbound, _output = ingest(runner, read("spam", "dmarc_fail_elsewhere_en.eml"))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    sending.deliver_due()
    assert len(sent_to(smtp_server, "dora@partner.example")) == 1


def test_mail_the_filter_passed_is_a_ticket_and_acknowledged(runner, db, smtp_server):
    inbound, _output = ingest(runner, read("spam", "not_spam_en.eml"))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    sending.deliver_due()
    [ack] = sent_to(smtp_server, "eric@sender.example")
    assert "[#1001]" in str(ack["Subject"])


def test_an_admin_makes_held_spam_a_ticket_and_only_then_is_it_acknowledged(
    runner, db, client, login_as, make_agent, smtp_server
):
    inbound, _output = ingest(runner, read("spam", "spamassassin_en.eml"))
    login_as(make_agent(is_admin=True))
    page = page_of(client.get(f"/console/admin/mail/inbound/{inbound.id}"))
    assert "The receiving mail server marked this message as spam." in page and "X-Spam-Flag: YES" in page
    assert f"/console/admin/mail/inbound/{inbound.id}/accept" not in page  # it answers no ticket to accept onto
    refused = page_of(client.post(f"/console/admin/mail/inbound/{inbound.id}/accept", follow_redirects=True))
    assert "This message answers no ticket" in refused and count(Ticket) == 0
    client.post(f"/console/admin/mail/inbound/{inbound.id}/split")
    db.session.refresh(inbound)
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "split"
    assert inbound.ticket.customer.email == "winner@lottery.example"
    sending.deliver_due()
    assert len(sent_to(smtp_server, "winner@lottery.example")) == 1


@pytest.fixture
def answered(runner, db, agent):
    """Anna's ticket (by mail), answered by an agent: waiting on Anna; the acknowledgement's ID."""
    ticket = ingest(runner, compose(sender="Anna Berg <anna.berg@contoso.example>", body="Smoke!"))[0].ticket
    conversation.post_reply(ticket, actor=agent, body="Unplug it, please.")
    db.session.commit()
    [ack] = outbox_ids(ticket, "anna.berg@contoso.example", "ticket_created")
    return ticket, ack


def test_a_reply_marked_as_spam_is_held_on_its_ticket_and_moves_nothing(runner, db, answered, smtp_server):
    ticket, ack = answered
    sending.deliver_due()
    smtp_server.handler.received.clear()
    entries, outbox = len(history(ticket)), count(OutboxMessage)
    inbound, _output = ingest(runner, read("spam", "spam_reply_customer_en.eml", ack=ack))
    assert inbound.state == InboundState.HELD and inbound.reason == "spam" and inbound.ticket is ticket
    note = inbound.entry
    assert note.visibility == Visibility.INTERNAL and note.event == "mail_held_spam" and "X-Spam-Flag: YES" in note.body
    db.session.refresh(ticket)
    assert ticket.status.key == "waiting" and ticket.last_public_by == "agent"
    assert len(history(ticket)) == entries + 1 and count(OutboxMessage) == outbox
    assert sending.deliver_due().sent == 0 and smtp_server.messages == []


def test_an_agent_accepts_a_reply_held_as_spam_from_the_ticket_page(runner, db, client, login_as, agent, answered):
    ticket, ack = answered
    inbound, _output = ingest(runner, read("spam", "spam_reply_customer_en.eml", ack=ack))
    login_as(agent)
    page = page_of(client.get(f"/console/tickets/{ticket.number}"))
    assert "matched this ticket but the receiving mail server marked it as spam" in page
    client.post(f"/console/mail/held/{inbound.id}/accept")
    db.session.refresh(inbound)
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "accepted"
    assert inbound.entry.is_public and inbound.entry.author.email == "anna.berg@contoso.example"
    db.session.refresh(ticket)
    assert ticket.status.key == "new" and ticket.last_public_by == "customer"  # now it moves, as Anna's reply
