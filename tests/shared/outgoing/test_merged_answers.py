"""After a merge the desk's answers reach every customer whose ticket was merged, by mail through a
real SMTP server, and their replies land where they read them; internal notes reach no customer.
Merges kept apart (made across customers before the rule, or an organization that stopped sharing)
answer each customer on their own ticket only."""

import pytest
from sqlalchemy import select

from shared.core.extensions import db
from shared.delivery import sending
from shared.mime import headers
from shared.models import InboundState, OutboxMessage, Status
from shared.tickets import conversation, merges, properties
from shared.tickets.attachments import Upload
from tests.merging import merge_as_before
from tests.shared.mail.inbound import PNG, compose, deliver, history


def send() -> None:
    sending.deliver_due()


def delivered(server, address: str, template: str | None = None) -> list:
    """What reached `address`, by the outbox row's template (the SMTP copy is what arrived)."""
    ids = {
        m.message_id
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == address))
        if template is None or m.template == template
    }
    return [m for m in server.messages if m["To"] == address and headers.ids_in(str(m["Message-ID"]))[0] in ids]


@pytest.fixture
def acme(db, make_customer, make_ticket):
    """Alice and Cleo at Acme, which shares its tickets; each filed one about the same outage."""
    alice = make_customer("alice@acme.example", name="Alice Archer", organization="Acme Corp")
    cleo = make_customer("cleo@acme.example", name="Cleo Chen", organization="Acme Corp")
    alice.organization.sharing = True
    target = make_ticket(alice, subject="VPN down", body="Alice: the VPN is down.")
    duplicate = make_ticket(cleo, subject="No VPN", body="Cleo: no VPN since nine.")
    db.session.commit()
    return alice, cleo, target, duplicate


def test_every_merged_customer_gets_the_answers_and_no_internal_note(smtp_server, agent, acme):
    alice, cleo, target, duplicate = acme
    merges.merge_ticket(duplicate, target, actor=agent)
    db.session.commit()
    send()
    [merged] = delivered(smtp_server, cleo.email, "ticket_merged")
    assert f"/portal/tickets/{target.number}" in merged.get_body(("plain",)).get_content()

    conversation.add_internal_note(target, actor=agent, body="Acme forgot to pay the ISP.")
    conversation.post_reply(target, actor=agent, body="The VPN is back.", uploads=[Upload("status.png", PNG)])
    db.session.commit()
    send()
    for person in (alice, cleo):
        [answer] = delivered(smtp_server, person.email, "agent_reply")
        assert answer["Subject"] == f"[#{target.number}] Re: VPN down"
        body = answer.get_body(("plain",)).get_content()
        assert "The VPN is back." in body and f"/portal/tickets/{target.number}" in body
        assert [p.get_filename() for p in answer.iter_attachments()] == ["status.png"]
    assert not [m for m in smtp_server.messages if "forgot to pay" in m.as_string()]
    [to_alice] = delivered(smtp_server, alice.email, "agent_reply")
    [to_cleo] = delivered(smtp_server, cleo.email, "agent_reply")
    assert to_alice["Message-ID"] != to_cleo["Message-ID"]

    # Cleo answers the mail she got: it lands on the target, which she reads in the portal.
    inbound = deliver(
        compose(sender="Cleo Chen <cleo@acme.example>", subject="Re: VPN down", in_reply_to=str(to_cleo["Message-ID"]))
    )
    assert inbound.state == InboundState.PROCESSED and inbound.ticket is target
    assert inbound.entry.ticket is target and inbound.entry.customer_id == cleo.id

    closed = db.session.scalar(select(Status).where(Status.key == "closed"))
    properties.change_status(target, closed, actor=agent)
    db.session.commit()
    send()
    assert len(delivered(smtp_server, alice.email, "ticket_closed")) == 1
    assert len(delivered(smtp_server, cleo.email, "ticket_closed")) == 1


def test_one_customers_merged_tickets_get_one_mail_per_answer(smtp_server, agent, customer, make_ticket):
    target = make_ticket(customer, subject="Printer on fire")
    for subject in ("Printer still on fire", "Printer, third time"):
        merges.merge_ticket(make_ticket(customer, subject=subject), target, actor=agent)
    conversation.post_reply(target, actor=agent, body="On our way.")
    db.session.commit()
    send()
    assert len(delivered(smtp_server, customer.email, "agent_reply")) == 1


def test_when_the_organization_stops_sharing_each_is_answered_on_their_own_ticket(smtp_server, agent, acme):
    alice, cleo, target, duplicate = acme
    merges.merge_ticket(duplicate, target, actor=agent)
    alice.organization.sharing = False
    db.session.commit()
    conversation.post_reply(target, actor=agent, body="The VPN is back, Alice.")
    db.session.commit()
    send()
    assert len(delivered(smtp_server, alice.email, "agent_reply")) == 1
    assert delivered(smtp_server, cleo.email, "agent_reply") == []

    [merged] = delivered(smtp_server, cleo.email, "ticket_merged")
    inbound = deliver(
        compose(
            sender="Cleo Chen <cleo@acme.example>",
            subject="Re: merged",
            in_reply_to=str(merged["Message-ID"]),
            body="Cleo: still down here.",
        )
    )
    assert inbound.state == InboundState.PROCESSED and inbound.ticket is duplicate
    assert "Cleo: still down here." not in [e.body for e in history(target)]
    conversation.post_reply(duplicate, actor=agent, body="Looking at your office, Cleo.")
    db.session.commit()
    send()
    [answer] = delivered(smtp_server, cleo.email, "agent_reply")
    assert "Looking at your office" in answer.get_body(("plain",)).get_content()
    assert len(delivered(smtp_server, alice.email, "agent_reply")) == 1  # nothing of Cleo's reached Alice


def test_an_old_merge_across_customers_answers_each_on_their_own_ticket(
    smtp_server, agent, customer, make_customer, make_ticket
):
    target = make_ticket(customer, subject="Invoice 4711 is wrong")
    sam = make_customer("sam@example.com", name="Sam Stone")
    duplicate = make_ticket(sam, subject="My invoice")
    merge_as_before(duplicate, target, agent=agent)
    conversation.post_reply(target, actor=agent, body="Alice, the total is fixed.")
    conversation.post_reply(duplicate, actor=agent, body="Sam, your invoice is fixed.")
    db.session.commit()
    send()
    [to_alice] = delivered(smtp_server, customer.email, "agent_reply")
    [to_sam] = delivered(smtp_server, sam.email, "agent_reply")
    assert "Alice, the total" in to_alice.as_string() and "Sam" not in to_alice.get_body(("plain",)).get_content()
    assert "Sam, your invoice" in to_sam.as_string() and "Alice" not in to_sam.get_body(("plain",)).get_content()
