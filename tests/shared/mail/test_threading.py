"""Threading received mail: strict about who may post, forgiving about how a reply finds its ticket."""

import pytest
from sqlalchemy import func, select

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.mail import intake, routing
from shared.models import (
    ActorKind,
    Agent,
    Customer,
    InboundMessage,
    InboundState,
    MailMessageId,
    OutboxMessage,
    Ticket,
    Visibility,
)
from shared.people import organizations
from shared.tickets import conversation, participants, properties
from tests.shared.mail.inbound import DESK, compose, deliver, history, outbox_ids
from tests.shared.tickets.rulekit import at, status


def ticket_count() -> int:
    return db.session.scalar(select(func.count(Ticket.id)))


@pytest.fixture
def opened(db):
    """A ticket opened by mail from Alice, and the Message-ID of its acknowledgement."""
    inbound = deliver(compose(message_id="<first@alice.example>"))
    ticket = inbound.ticket
    [ack] = outbox_ids(ticket, "alice@example.com", "ticket_created")
    return ticket, ack


def test_a_new_mail_opens_a_ticket_for_a_new_customer_and_acknowledges_it(db, outbox):
    inbound = deliver(compose(sender="Dana Diaz <Dana@Example.com>", message_id="<d1@example.com>"))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    ticket = inbound.ticket
    assert ticket.channel == "email" and ticket.subject == "The printer is on fire"
    assert ticket.department.name == "General" and ticket.status.key == "new"
    customer = ticket.customer
    assert customer.email == "dana@example.com" and customer.name == "Dana Diaz"
    assert customer.awaiting_password  # known from mail only, until they set a password
    [entry] = [e for e in history(ticket) if e.kind == "message"]
    assert entry.author is customer and entry.channel == "email" and entry.body == "Smoke everywhere."
    assert [a.filename for a in entry.attachments] == ["original.eml"]
    to_customer = [m.template for m in outbox() if m.ticket_id == ticket.id and m.to_addr == "dana@example.com"]
    assert to_customer == ["ticket_created"]
    stored = db.session.scalar(select(MailMessageId).where(MailMessageId.message_id == "<d1@example.com>"))
    assert (stored.ticket_id, stored.entry_id, stored.direction) == (ticket.id, entry.id, "in")


def test_new_mail_goes_to_the_configured_department(db, app):
    from shared.records import catalog

    support = catalog.create_department("Support", actor=None)
    db.session.commit()
    app.config["MAIL_DEPARTMENT"] = "Support"
    assert deliver(compose()).ticket.department is support


def test_the_same_message_is_recorded_once_by_message_id_sender_and_content(db):
    first = deliver(compose(message_id="<same@example.com>", body="one"))
    again, new = intake.receive(compose(message_id="<same@example.com>", body="one"), source="imap")
    assert not new and again.id == first.id
    # Another message that reuses the ID is a message of its own (tests/shared/mail/test_dedupe.py).
    other, new = intake.receive(compose(message_id="<same@example.com>", body="two"), source="imap")
    assert new and other.id != first.id
    bare = compose(message_id=None, body="no id")
    one, new_one = intake.receive(bare, source="pipe")
    two, new_two = intake.receive(bare, source="pipe")
    assert new_one and not new_two and one.id == two.id and one.dedupe_key.startswith("mail:")
    assert db.session.scalar(select(func.count(InboundMessage.id))) == 3
    assert ticket_count() == 1  # the duplicates were never processed again


def test_a_reply_to_the_desks_mail_threads_by_its_signed_message_id_and_moves_the_status(db, opened, agent):
    ticket, _ack = opened
    conversation.post_reply(ticket, actor=agent, body="Unplug it, please.")
    db.session.commit()
    assert ticket.status.key == "waiting"
    [answer] = outbox_ids(ticket, "alice@example.com", "agent_reply")
    reply = compose(
        subject="Re: something else entirely",  # no tag: the signed In-Reply-To alone finds the ticket
        in_reply_to=answer,
        body="Done, it is out.\n\nOn Mon, Dec 1, 2025 at 10:00 Deskbell <support@deskbell.localhost> wrote:\n"
        "> Unplug it, please.\n",
    )
    inbound = deliver(reply)
    assert inbound.state == InboundState.PROCESSED and inbound.ticket is ticket
    assert inbound.entry.body == "Done, it is out."  # the quoted history is cut
    assert inbound.entry.author_kind == ActorKind.CUSTOMER and inbound.entry.channel == "email"
    assert ticket.status.key == "new"  # rule 4: the customer answered while waiting, nobody assigned
    assert ticket_count() == 1


def test_a_reply_to_the_customers_own_earlier_mail_threads_by_the_stored_message_id(db, opened):
    ticket, _ack = opened
    inbound = deliver(compose(subject="Forgot to say", references="<first@alice.example>", body="It is a laser."))
    assert inbound.ticket is ticket and inbound.reason == "reply"


def test_the_subject_tag_alone_threads_mail_from_the_customer(db, opened):
    ticket, _ack = opened
    inbound = deliver(compose(subject=f"Re: [#{ticket.number}] The printer", body="Still smoking."))
    assert inbound.ticket is ticket and inbound.entry.body == "Still smoking."


def test_a_stranger_using_the_subject_tag_gets_a_ticket_of_their_own(db, opened, agent):
    """Issue 15: a tag the sender may not post under is no tag, exactly as one for a number that does
    not exist (tests/shared/mail/test_subject_tags.py compares the two), so nobody learns which exist."""
    ticket, _ack = opened
    before = len(history(ticket))
    inbound = deliver(compose(sender="mallory@evil.example", subject=f"[#{ticket.number}] I am in"))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    assert inbound.ticket is not ticket and inbound.ticket.customer.email == "mallory@evil.example"
    assert len(history(ticket)) == before


def test_a_stranger_quoting_the_desks_thread_is_held_never_posted(db, opened, agent):
    ticket, _ack = opened
    before = len(history(ticket))
    inbound = deliver(compose(sender="mallory@evil.example", subject="I am in", references="<first@alice.example>"))
    assert inbound.state == InboundState.HELD and inbound.ticket is ticket
    note = inbound.entry
    assert note.visibility == Visibility.INTERNAL and note.event == "mail_held"
    assert "mallory@evil.example" in note.body
    assert [a.filename for a in note.attachments] == ["original.eml"]
    assert not [e for e in history(ticket)[before:] if e.is_public]  # nothing the customer sees
    assert db.session.scalar(select(Customer).where(Customer.email == "mallory@evil.example")) is None


def test_a_stranger_quoting_a_signed_message_id_is_held_too(db, opened):
    ticket, ack = opened
    inbound = deliver(compose(sender="eve@elsewhere.example", in_reply_to=ack, body="Hi all"))
    assert inbound.state == InboundState.HELD and inbound.ticket is ticket


def test_accepting_held_mail_adds_the_sender_as_a_participant_and_posts_it(db, opened, agent):
    ticket, _ack = opened
    held = deliver(
        compose(
            sender="Carol <carol@example.com>",
            subject="Re: Me too",
            references="<first@alice.example>",
            body="Mine too.",
        )
    )
    entry = intake.accept_held(held, actor=agent)
    db.session.commit()
    assert held.state == InboundState.PROCESSED and held.reason == "accepted" and held.resolved_by is agent
    assert entry.is_public and entry.author.email == "carol@example.com" and entry.body == "Mine too."
    assert [c.email for c in participants.customers_on(ticket)] == ["carol@example.com"]
    # From now on Carol's mail to the ticket is posted directly.
    again = deliver(compose(sender="carol@example.com", subject=f"[#{ticket.number}] And", body="Also this."))
    assert again.state == InboundState.PROCESSED and again.entry.author.email == "carol@example.com"
    with pytest.raises(DomainError):
        intake.accept_held(held, actor=agent)


def test_splitting_held_mail_opens_a_new_ticket_for_the_sender(db, opened, agent, outbox):
    ticket, _ack = opened
    held = deliver(
        compose(
            sender="dave@example.org", subject="Unrelated", references="<first@alice.example>", body="My own issue."
        )
    )
    new = intake.split_held(held, actor=agent)
    db.session.commit()
    assert new is not ticket and new.customer.email == "dave@example.org" and new.subject.endswith("Unrelated")
    assert held.ticket is new and held.reason == "split"
    assert history(ticket)[-1].event == "mail_split" and history(ticket)[-1].data == {"ticket": new.number}
    assert "dave@example.org" in [m.to_addr for m in outbox() if m.template == "ticket_created"]


def test_only_agents_accept_or_split(db, opened, make_customer):
    _ticket, _ack = opened
    customer = make_customer("someone@example.com")
    held = deliver(compose(sender="zed@example.org", subject="Hi", references="<first@alice.example>"))
    with pytest.raises(DomainError):
        intake.accept_held(held, actor=customer)
    with pytest.raises(DomainError):
        intake.split_held(held, actor=customer)


@pytest.mark.parametrize("sharing", [True, False])
def test_an_organization_member_posts_only_when_the_organization_shares_tickets(db, opened, sharing):
    ticket, _ack = opened
    org = organizations.create_organization("Acme", actor=None)
    organizations.set_sharing(org, sharing, actor=None)
    for email in ("alice@example.com", "ben@example.com"):
        customer = routing.customers.find_or_add(email, actor=None)
        customer.organization = org
    db.session.commit()
    inbound = deliver(compose(sender="ben@example.com", subject=f"[#{ticket.number}] Update"))
    # Without sharing Ben may not post there: his tag is no tag, and his mail a ticket of his own.
    assert inbound.state == InboundState.PROCESSED
    assert (inbound.ticket is ticket) is sharing
    threaded = deliver(compose(sender="ben@example.com", subject="Update", references="<first@alice.example>"))
    assert threaded.state == (InboundState.PROCESSED if sharing else InboundState.HELD)


def test_cc_on_a_new_ticket_joins_it_and_their_reply_all_threads_in(db):
    inbound = deliver(
        compose(to=f"{DESK}, Bob <bob@partner.example>", cc="Carl <carl@partner.example>, bob@partner.example")
    )
    ticket = inbound.ticket
    assert [c.email for c in participants.customers_on(ticket)] == ["bob@partner.example", "carl@partner.example"]
    assert ticket.customer.email == "alice@example.com"  # the desk's address never becomes anyone
    assert db.session.scalar(select(Customer).where(Customer.email == DESK)) is None
    reply_all = compose(
        sender="bob@partner.example",
        to=DESK,
        cc="alice@example.com, carl@partner.example, Dee <dee@partner.example>",
        subject="Re: The printer is on fire",
        in_reply_to=inbound.message_id,
        body="We see it too.",
    )
    answered = deliver(reply_all)
    assert answered.ticket is ticket and answered.entry.author.email == "bob@partner.example"
    assert "dee@partner.example" in [c.email for c in participants.customers_on(ticket)]
    assert ticket_count() == 1


def test_an_agent_answering_the_desks_mail_posts_as_the_agent(db, agent, opened):
    ticket, _ack = opened
    [notice] = outbox_ids(ticket, agent.email, "agent_new_ticket")
    inbound = deliver(compose(sender=agent.email, in_reply_to=notice, subject="Re: new ticket", body="On it."))
    entry = inbound.entry
    assert inbound.state == InboundState.PROCESSED and isinstance(entry.author, Agent) and entry.is_public
    assert ticket.status.key == "waiting"  # rule 3, as for a reply from the console
    assert outbox_ids(ticket, "alice@example.com", "agent_reply")  # and the customer is mailed it


def test_an_agents_address_with_only_a_subject_tag_is_never_posted_as_the_agent(db, opened, agent):
    """A From header is easy to forge; only a reply to the desk's own signed mail speaks for an agent.
    A tag alone is no tag for them (issue 15: answered as one for a number that does not exist)."""
    ticket, _ack = opened
    before = len(history(ticket))
    inbound = deliver(compose(sender=agent.email, subject=f"[#{ticket.number}] Closing this"))
    assert inbound.ticket is not ticket and len(history(ticket)) == before
    assert not [e for e in history(ticket) if isinstance(e.author, Agent)]
    quoting = deliver(compose(sender=agent.email, subject="Closing this", references="<first@alice.example>"))
    assert quoting.state == InboundState.HELD and quoting.reason == "unverified_agent"


def test_a_reply_to_a_ticket_closed_long_ago_opens_a_linked_ticket(db, opened, agent):
    ticket, _ack = opened
    with at(0):
        properties.change_status(ticket, status("closed"), actor=agent)
        db.session.commit()
    with at(60):
        inbound = deliver(compose(subject=f"Re: [#{ticket.number}] The printer", body="It is back."))
    assert inbound.ticket is not ticket and inbound.ticket.follows is ticket
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.ticket_id == inbound.ticket.id))
