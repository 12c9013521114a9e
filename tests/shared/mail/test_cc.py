"""CC'd people stay in the conversation: the people copied on the customer's mail join the ticket (not
the desk's addresses, not agents), get the desk's public replies each in a copy of their own (never an
internal note), and their reply-all threads in as theirs; someone an agent removed is held like a
stranger. Every message is a file under messages/cc/, through `flask mail ingest` and a real SMTP
server (aiosmtpd)."""

from pathlib import Path

import pytest
from sqlalchemy import select

from shared.core.extensions import db
from shared.delivery import sending
from shared.mail import intake
from shared.mime import headers
from shared.models import Customer, Entry, InboundMessage, InboundState, OutboxMessage, Ticket, TicketParticipant
from shared.outgoing import message_ids
from shared.tickets import conversation, participants, properties
from tests.shared.mail.inbound import outbox_ids

MESSAGES = Path(__file__).parent / "messages" / "cc"
DANA, PRIYA, CARLOS, WEI = "dana@acme.example", "priya@acme.example", "carlos@partner.example", "wei@acme.example"
DANAS_FIRST = "<CAF3kQ7xPq2Vn8u1Lw9ccNEWtkt0Zr5yH2mB@mail.gmail.com>"
NOTE = "Zebrafax: the contractor's driver push broke it, do not tell them yet"


def message(name: str, **values: object) -> bytes:
    """A message file with its {{PLACEHOLDERS}} (the ticket number, IDs the desk made) filled in."""
    text = (MESSAGES / name).read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    assert "{{" not in text, f"{name} has a placeholder left"
    return text.replace("\n", "\r\n").encode()


def ingest(runner, raw: bytes) -> InboundMessage:
    """Through `flask mail ingest`, as an MTA pipes it; the stored row afterwards."""
    result = runner.invoke(args=["mail", "ingest"], input=raw)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return db.session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())).first()


def on_ticket(ticket: Ticket) -> list[str]:
    return [c.email for c in participants.customers_on(ticket)]


def to(server, address: str) -> list:
    return [m for m in server.messages if m["To"] == address]


def mid(message) -> str:
    [found] = headers.ids_in(str(message["Message-ID"]))
    return found


def text_of(message) -> str:
    return "\n".join(message.get_body((kind,)).get_content() for kind in ("plain", "html"))


def reply(ticket: Ticket, agent, body: str) -> Entry:
    entry = conversation.post_reply(db.session.get(Ticket, ticket.id), actor=agent, body=body)
    db.session.commit()
    return entry


@pytest.fixture
def opened(app, runner, agent) -> Ticket:
    """Dana's new ticket from Gmail, copied to Priya, Carlos, the agent Bob and the desk's alias."""
    app.config["MAIL_DESK_ADDRESSES"] = "help@deskbell.localhost"
    inbound = ingest(runner, message("gmail_new_ticket_with_cc.eml"))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    return inbound.ticket


def test_people_copied_on_a_new_ticket_join_it_but_never_the_desk_or_an_agent(opened, agent):
    ticket = opened
    assert ticket.customer.email == DANA and on_ticket(ticket) == [PRIYA, CARLOS]
    for address in ("help@deskbell.localhost", "support@deskbell.localhost", agent.email):
        assert db.session.scalar(select(Customer).where(Customer.email == address)) is None
    [joined] = [e for e in ticket.entries if e.event == "participants_added"]
    assert joined.data == {"addresses": [PRIYA, CARLOS], "via": "mail"} and not joined.is_public


def test_a_customers_reply_from_outlook_adds_the_people_it_copies(runner, opened):
    ticket = opened
    [ack] = outbox_ids(ticket, DANA, "ticket_created")
    inbound = ingest(runner, message("outlook_customer_reply_adds_cc.eml", NUMBER=ticket.number, ACK_ID=ack))
    assert inbound.state == InboundState.PROCESSED and inbound.ticket_id == ticket.id
    assert inbound.entry.author.email == DANA and inbound.entry.body.startswith("Adding Wei from finance")
    assert on_ticket(ticket) == [PRIYA, CARLOS, WEI]


def test_reply_all_from_outlook_to_the_customers_mail_is_posted_as_the_participant(runner, opened):
    ticket = opened
    inbound = ingest(runner, message("outlook_participant_reply_all_to_customer.eml"))
    assert inbound.state == InboundState.PROCESSED and inbound.ticket_id == ticket.id
    entry = inbound.entry
    assert entry.is_public and entry.author.email == CARLOS and entry.channel == "email"
    assert entry.body.startswith("We pushed a new printer driver") and "comes out of the printer" not in entry.body
    assert db.session.scalar(select(Ticket.id).where(Ticket.id != ticket.id)) is None  # no second ticket


def test_a_participants_new_mail_with_only_the_tag_threads_as_theirs(runner, opened):
    ticket = opened
    inbound = ingest(runner, message("gmail_participant_tag_only.eml", NUMBER=ticket.number))
    assert inbound.state == InboundState.PROCESSED and inbound.ticket_id == ticket.id
    assert inbound.entry.author.email == PRIYA and inbound.entry.is_public


def test_internal_notes_never_reach_a_participant(opened, agent, outbox):
    ticket = opened
    before = len(outbox())
    conversation.add_internal_note(ticket, actor=agent, body=NOTE)
    db.session.commit()
    assert len(outbox()) == before
    reply(ticket, agent, "Please roll the printer driver back.")
    queued = outbox()[before:]
    assert sorted(m.to_addr for m in queued) == sorted([DANA, PRIYA, CARLOS])
    assert not any("Zebrafax" in m.body_text + m.body_html + m.subject for m in outbox())


def test_the_round_trip_each_their_own_copy_reply_all_threads_removed_is_held(
    runner, opened, agent, login_as, smtp_server
):
    ticket, number = opened, opened.number
    sending.deliver_due()  # the acknowledgement to Dana (and the new-ticket notice to the agent)
    assert [m["To"] for m in smtp_server.messages if m["To"] != agent.email] == [DANA]

    reply(ticket, agent, "Please roll the printer driver back to last week's version.")
    conversation.add_internal_note(db.session.get(Ticket, ticket.id), actor=agent, body=NOTE)
    db.session.commit()
    sending.deliver_due()
    copies = {address: to(smtp_server, address)[-1] for address in (DANA, PRIYA, CARLOS)}
    assert len(smtp_server.messages) == 5  # ack, notice, and one reply each: the note mailed nobody
    for address, copy in copies.items():
        assert copy["To"] == address and copy["Cc"] is None  # a copy of their own, nobody else's address
        assert message_ids.verify(mid(copy), address) == (ticket.id, message_ids.verify(mid(copy), address)[1])
        assert "roll the printer driver back" in text_of(copy) and "Zebrafax" not in text_of(copy)
    assert len({mid(copy) for copy in copies.values()}) == 3
    assert DANAS_FIRST in str(copies[PRIYA]["References"])  # threads under the mail she was copied on
    assert "/portal/tickets/" in text_of(copies[DANA])
    for address in (PRIYA, CARLOS):  # no link to a page they cannot open; they know why they got it
        assert "/portal/tickets/" not in text_of(copies[address])
        assert "You get this because you are in this conversation." in text_of(copies[address])

    # Priya answers her copy with reply-all in Gmail: it threads in, as hers.
    copy = copies[PRIYA]
    references = " ".join([*headers.ids_in(str(copy["References"])), mid(copy)])
    raw = message("gmail_participant_reply_all.eml", NUMBER=number, IN_REPLY_TO=mid(copy), REFERENCES=references)
    answered = ingest(runner, raw)
    assert answered.state == InboundState.PROCESSED and answered.ticket_id == ticket.id
    assert answered.entry.is_public and answered.entry.author.email == PRIYA
    assert answered.entry.body.startswith("Thanks, rolling back the driver fixed it")
    assert "last week's version" not in answered.entry.body

    # An agent takes Carlos out on the console; his answer to the copy he got is held, not posted.
    row = db.session.scalar(select(TicketParticipant).join(Customer).where(Customer.email == CARLOS))
    removed = login_as(agent).post(f"/console/tickets/{number}/participants/remove", data={"participant": row.id})
    assert removed.status_code == 303
    copy = copies[CARLOS]
    raw = message("outlook_removed_participant_reply.eml", NUMBER=number, IN_REPLY_TO=mid(copy), REFERENCES=mid(copy))
    held = ingest(runner, raw)
    assert held.state == InboundState.HELD and held.ticket_id == ticket.id
    assert held.entry.event == "mail_held" and not held.entry.is_public  # a note for agents only
    assert not [e for e in ticket.entries if e.is_public and e.author and e.author.email == CARLOS]
    assert [e.event for e in ticket.entries if e.event and e.event.startswith("mail_held")] == ["mail_held"]

    # Dana copies him again: the CC does not bring him back, and the desk's next reply skips him.
    dana_copy = to(smtp_server, DANA)[-1]
    raw = message("gmail_customer_reply_copies_removed_participant.eml", NUMBER=number, IN_REPLY_TO=mid(dana_copy))
    assert ingest(runner, raw).state == InboundState.PROCESSED
    assert on_ticket(ticket) == [PRIYA]
    sent = len(smtp_server.messages)
    reply(ticket, agent, "Good to hear. Closing this one.")
    sending.deliver_due()
    assert sorted(m["To"] for m in smtp_server.messages[sent:]) == [DANA, PRIYA]


def test_accepting_a_removed_participants_held_mail_brings_them_back(runner, opened, agent, login_as):
    ticket = opened
    row = db.session.scalar(select(TicketParticipant).join(Customer).where(Customer.email == CARLOS))
    login_as(agent).post(f"/console/tickets/{ticket.number}/participants/remove", data={"participant": row.id})
    held = ingest(runner, message("outlook_participant_reply_all_to_customer.eml"))
    assert held.state == InboundState.HELD and on_ticket(ticket) == [PRIYA]
    intake.accept_held(held, actor=agent)
    db.session.commit()
    assert on_ticket(ticket) == [PRIYA, CARLOS] and held.entry.author.email == CARLOS


def test_closing_tells_the_participants_too(opened, agent, outbox):
    ticket = opened
    before = len(outbox())
    properties.change_status(ticket, conversation.rules.status_by_key("closed"), actor=agent)
    db.session.commit()
    closing = [m for m in outbox()[before:] if m.template == "ticket_closed"]
    assert sorted(m.to_addr for m in closing) == sorted([DANA, PRIYA, CARLOS])
    assert all(isinstance(m, OutboxMessage) for m in closing)
