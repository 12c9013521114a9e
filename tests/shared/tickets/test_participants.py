"""Who gets the desk's answers besides the customer: the participants, each a copy of their own, never
an internal note; not someone removed, deactivated or come across a merge between customers. And what
the portal shows of them: names, never addresses."""

import pytest
from sqlalchemy import select

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import OutboxMessage, TicketParticipant
from shared.outgoing import notifications
from shared.tickets import conversation, participants, properties, reminders
from tests.merging import join_as_before, merge_as_before
from tests.shared.tickets.rulekit import at, waiting_ticket


def mailed(ticket, template: str) -> list[str]:
    query = select(OutboxMessage.to_addr).where(OutboxMessage.ticket_id == ticket.id)
    return sorted(db.session.scalars(query.where(OutboxMessage.template == template)))


@pytest.fixture
def ticket(customer, make_ticket, make_customer):
    ticket = make_ticket(customer, subject="Invoices are printed blank")
    make_customer("priya@acme.example", name="Priya Patel")
    for address in ("priya@acme.example", "carlos@partner.example"):
        participants.put_on(ticket, address, actor=None)
    db.session.commit()
    return ticket


def test_a_public_reply_reaches_each_participant_in_a_message_of_their_own(ticket, agent):
    conversation.post_reply(ticket, actor=agent, body="Roll the driver back.")
    db.session.commit()
    assert mailed(ticket, "agent_reply") == ["alice@example.com", "carlos@partner.example", "priya@acme.example"]


def test_an_internal_note_reaches_nobody_and_no_mail_holds_its_words(ticket, agent):
    before = db.session.scalars(select(OutboxMessage.id)).all()
    conversation.add_internal_note(ticket, actor=agent, body="Zebrafax: blame the contractor")
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage.id)).all() == before
    conversation.post_reply(ticket, actor=agent, body="Roll the driver back.")
    db.session.commit()
    for message in db.session.scalars(select(OutboxMessage)):
        assert "Zebrafax" not in message.body_text + message.body_html


def test_removed_and_deactivated_participants_hear_nothing(ticket, agent):
    carlos, priya = db.session.scalars(select(TicketParticipant).order_by(TicketParticipant.id.desc())).all()
    participants.remove(ticket, carlos, actor=agent)
    priya.customer.is_active = False
    conversation.post_reply(ticket, actor=agent, body="Roll the driver back.")
    db.session.commit()
    assert mailed(ticket, "agent_reply") == ["alice@example.com"]


def test_someone_from_across_an_old_merge_between_customers_is_not_mailed(agent, make_customer, make_ticket):
    alice = make_customer("alice@acme.example", name="Alice Archer")
    sam = make_customer("sam@example.com", name="Sam Stone")
    target = make_ticket(alice, subject="Invoice 4711 is wrong")
    duplicate = make_ticket(sam, subject="My invoice")
    join_as_before(duplicate, target, agent=agent)  # Sam on Alice's ticket as a participant, as before
    merge_as_before(duplicate, target, agent=agent)
    assert permissions.is_participant(sam, target)
    conversation.post_reply(target, actor=agent, body="The total is fixed.")
    db.session.commit()
    assert mailed(target, "agent_reply") == ["alice@acme.example"]
    assert notifications.participants_of(target) == []


def test_only_agents_manage_participants(ticket, customer, agent):
    with pytest.raises(DomainError):
        participants.add(ticket, "eve@evil.example", actor=customer)
    row = db.session.scalar(select(TicketParticipant))
    with pytest.raises(DomainError):
        participants.remove(ticket, row, actor=customer)
    assert permissions.can_manage_participants(agent, ticket)
    agent.is_active = False
    assert not permissions.can_manage_participants(agent, ticket)


def test_the_portal_names_who_else_gets_the_replies_but_shows_no_address(ticket, client, login_as, customer):
    page = login_as(customer).get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert "Also in this conversation, and mailed our replies: Priya Patel, carlos" in page
    assert "priya@acme.example" not in page and "carlos@partner.example" not in page


def test_closing_for_silence_tells_the_participants_but_the_reminder_and_acknowledgement_do_not(
    customer, agent, make_ticket, make_customer
):
    with at(0):
        ticket = waiting_ticket(make_ticket, customer, agent)
        participants.put_on(ticket, "priya@acme.example", actor=None)
        db.session.commit()
    with at(5):
        reminders.remind_pending()
        db.session.commit()
    with at(8):
        properties.expire_pending()
        db.session.commit()
    assert mailed(ticket, "ticket_created") == ["alice@example.com"]
    assert mailed(ticket, "ticket_reminder") == ["alice@example.com"]
    assert mailed(ticket, "ticket_auto_closed") == ["alice@example.com", "priya@acme.example"]
    closing = {
        m.to_addr: m
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "ticket_auto_closed"))
    }
    assert "not heard back from you" in closing["alice@example.com"].body_text
    assert "You get this because you are in this conversation." in closing["priya@acme.example"].body_text
    assert "/portal/tickets/" not in closing["priya@acme.example"].body_text
