"""What the desk mails, to whom, and how it looks when it arrives at a real SMTP server."""

import pytest
from sqlalchemy import select

from shared.delivery import sending
from shared.mime import headers
from shared.models import Entry, OutboxMessage
from shared.outgoing import message_ids
from shared.people import accounts
from shared.tickets import agents, assignment, conversation, properties
from shared.tickets.attachments import Upload
from tests.shared.tickets.rulekit import status

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a00000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def send() -> sending.Report:
    return sending.deliver_due()


def to(server, address: str) -> list:
    return [m for m in server.messages if m["To"] == address]


def one(server, address: str):
    [message] = to(server, address)
    return message


def ids(header) -> list[str]:
    """The Message-IDs in a header (a long one may be folded onto a line of its own, and Python's
    parser then keeps a leading space)."""
    return headers.ids_in(str(header or ""))


def mid(message) -> str:
    [message_id] = ids(message["Message-ID"])
    return message_id


def text_and_html(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


@pytest.fixture
def ticket(customer, make_ticket):
    return make_ticket(customer, subject="The printer is on fire")


def agent_reply(ticket, agent, db, body="Unplug it, please.", **kwargs) -> Entry:
    entry = conversation.post_reply(ticket, actor=agent, body=body, **kwargs)
    db.session.commit()
    return entry


def customer_reply(ticket, customer, db, body="Done, it is out.") -> Entry:
    entry = conversation.post_reply(ticket, actor=customer, body=body)
    db.session.commit()
    return entry


# --- the acknowledgement ----------------------------------------------------------------------


def test_the_acknowledgement_arrives_tagged_signed_and_marked_automatic(app, smtp_server, ticket, db):
    assert send().sent == 1
    [received] = smtp_server.handler.received
    ack = received.message
    assert received.rcpt_tos == ["alice@example.com"] and received.mail_from == app.config["MAIL_FROM"]
    assert ack["Subject"] == "[#1001] We received your request: The printer is on fire"
    assert ack["From"].addresses[0].addr_spec == app.config["MAIL_FROM"]
    assert ack["From"].addresses[0].display_name == app.config["DESK_NAME"]
    assert ack["Reply-To"] == app.config["MAIL_FROM"]
    assert ack["Auto-Submitted"] == "auto-generated"
    assert ack["In-Reply-To"] is None and ack["References"] is None  # nothing came before it
    assert message_ids.verify(mid(ack), "alice@example.com") == (ticket.id, ticket.entries[0].id)
    assert message_ids.verify(mid(ack), "bob@deskbell.localhost") is None  # signed for its recipient only
    text, html = text_and_html(ack)
    for part in (text, html):
        assert "#1001" in part and "http://desk.test/portal/tickets/1001" in part
        assert "reply to this email" in part
    row = db.session.scalar(select(OutboxMessage))
    assert (row.state, row.attempts, row.message_id) == ("sent", 1, mid(ack))


def test_every_message_has_its_own_message_id(smtp_server, customer, agent, ticket, db):
    agent_reply(ticket, agent, db)
    agent_reply(ticket, agent, db, body="And open a window.")
    send()
    sent = [mid(m) for m in smtp_server.messages]  # the acknowledgement, Bob's new-ticket notice, two replies
    assert len(sent) == len(set(sent)) == 4
    recipients = [m["To"] for m in smtp_server.messages[:2]]
    # Same entry, own IDs, each signed for its own recipient.
    assert [message_ids.verify(i, r) for i, r in zip(sent[:2], recipients, strict=True)] == [
        (ticket.id, ticket.entries[0].id)
    ] * 2
    assert message_ids.verify(sent[0], recipients[1]) is None


def test_a_russian_customer_gets_both_parts_in_russian(smtp_server, make_customer, make_ticket, db):
    ivan = make_customer("ivan@example.ru", name="Иван")
    ivan.locale = "ru"
    db.session.commit()
    make_ticket(ivan, subject="Принтер горит")
    send()
    ack = one(smtp_server, "ivan@example.ru")
    assert ack["Subject"] == "[#1001] Мы получили Ваше обращение: Принтер горит"
    text, html = text_and_html(ack)
    assert "Здравствуйте, Иван!" in text and "Здравствуйте, Иван!" in html
    assert ack.get_body(("plain",)).get_content_charset() == "utf-8"


# --- agents' replies and the thread ---------------------------------------------------------------


def test_an_agent_reply_reaches_the_customer_as_the_agent_wrote_it(smtp_server, agent, ticket, db):
    agent_reply(ticket, agent, db, body="Unplug it **now**, please.")
    send()
    _ack, reply = to(smtp_server, "alice@example.com")
    assert reply["Subject"] == "[#1001] Re: The printer is on fire"
    assert reply["Auto-Submitted"] is None  # a person wrote it
    assert reply["Reply-To"] == "support@deskbell.localhost"
    text, html = text_and_html(reply)
    assert "Unplug it **now**, please." in text and "Bob Baker" in text and "reply to this email" in text
    assert "<strong>now</strong>" in html and "http://desk.test/portal/tickets/1001" in html


def test_replies_chain_to_everything_the_customer_saw_and_sent(smtp_server, customer, agent, ticket, db):
    send()
    ack = one(smtp_server, customer.email)
    first = agent_reply(ticket, agent, db)
    send()
    reply1 = to(smtp_server, customer.email)[-1]
    # The customer answers by mail: intake stores the Message-ID it received.
    answer = customer_reply(ticket, customer, db)
    message_ids.remember("<answer-1@mail.example.com>", ticket, answer, "in")
    db.session.commit()
    agent_reply(ticket, agent, db, body="Good. Now call an electrician.")
    send()
    reply2 = to(smtp_server, customer.email)[-1]

    assert ids(reply1["In-Reply-To"]) == [mid(ack)]
    assert ids(reply1["References"]) == [mid(ack)]
    assert ids(reply2["In-Reply-To"]) == ["<answer-1@mail.example.com>"]
    assert ids(reply2["References"]) == [mid(ack), mid(reply1), "<answer-1@mail.example.com>"]
    assert message_ids.verify(mid(reply1), customer.email) == (ticket.id, first.id)
    # What went out is recorded on the row too.
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == mid(reply2)))
    assert ids(row.headers["In-Reply-To"]) == ["<answer-1@mail.example.com>"]


def test_a_mail_that_opened_the_ticket_is_threaded_even_though_it_was_stored_after_the_ack(
    smtp_server, customer, department, db
):
    """Intake opens the ticket (which queues the acknowledgement) and only then stores the mail's
    Message-ID; the acknowledgement still answers it."""
    ticket = conversation.open_ticket(
        actor=customer, customer=customer, subject="Help", body="Hi", department=department
    )
    message_ids.remember("<first@mail.example.com>", ticket, ticket.entries[0], "in")
    db.session.commit()
    send()
    ack = one(smtp_server, customer.email)
    assert ids(ack["In-Reply-To"]) == ids(ack["References"]) == ["<first@mail.example.com>"]


def test_the_thread_never_shows_mail_sent_to_someone_else(smtp_server, customer, agent, make_agent, ticket, db):
    carol = make_agent("carol@desk.example", name="Carol Chen")
    assignment.assign_ticket(ticket, carol, actor=agent)
    db.session.commit()
    customer_reply(ticket, customer, db)  # Carol hears of it
    agent_reply(ticket, carol, db)
    send()
    to_carol = {mid(m) for m in to(smtp_server, carol.email)}
    assert to_carol
    reply = to(smtp_server, customer.email)[-1]
    assert not to_carol & set(ids(reply["References"]))


def test_references_keep_the_first_and_the_latest_ids(smtp_server, customer, agent, ticket, db):
    entry = ticket.entries[0]
    for i in range(30):
        message_ids.remember(f"<old-{i}@mail.example.com>", ticket, entry, "in")
    db.session.commit()
    agent_reply(ticket, agent, db)
    send()
    references = ids(to(smtp_server, customer.email)[-1]["References"])
    assert len(references) == message_ids.MAX_REFERENCES
    assert references[0] == "<old-0@mail.example.com>"  # the thread's root stays
    assert "<old-1@mail.example.com>" not in references and "<old-29@mail.example.com>" in references
    assert references[-1] == mid(to(smtp_server, customer.email)[0])  # the acknowledgement answered them


def test_an_agent_reply_carries_its_attachments(smtp_server, customer, agent, ticket, db):
    uploads = [Upload("wiring diagram.pdf", PDF), Upload("socket.png", PNG)]
    agent_reply(ticket, agent, db, body="See the diagram.", uploads=uploads)
    send()
    reply = to(smtp_server, customer.email)[-1]
    files = {(a.get_filename(), a.get_content_type(), a.get_content()) for a in reply.iter_attachments()}
    assert files == {("wiring diagram.pdf", "application/pdf", PDF), ("socket.png", "image/png", PNG)}
    assert "wiring diagram.pdf" in text_and_html(reply)[0]  # and the text says so
    ack = to(smtp_server, customer.email)[0]
    assert list(ack.iter_attachments()) == []


# --- internal notes, closing -------------------------------------------------------------------


def test_internal_notes_never_mail_the_customer(smtp_server, customer, agent, ticket, db):
    send()
    before = len(smtp_server.messages)
    conversation.add_internal_note(ticket, actor=agent, body="The customer's printer is a Zebrafax.")
    db.session.commit()
    assert send().sent == 0
    assert len(smtp_server.messages) == before
    # The decoded texts, and a word no MIME boundary can hold by chance (their digits are random).
    assert not any("Zebrafax" in part for m in smtp_server.messages for part in text_and_html(m))


def test_closing_tells_the_customer_once(smtp_server, customer, agent, ticket, db):
    properties.change_status(ticket, status("closed"), actor=agent)
    db.session.commit()
    send()
    closed = to(smtp_server, customer.email)[-1]
    assert closed["Subject"] == "[#1001] Closed: The printer is on fire"
    assert closed["Auto-Submitted"] == "auto-generated"
    assert "reply to this email" in text_and_html(closed)[0]
    properties.change_status(ticket, status("closed"), actor=agent)  # unchanged: nothing more
    db.session.commit()
    assert send().sent == 0


def test_a_reply_that_closes_the_ticket_is_one_mail_that_says_so(smtp_server, customer, agent, ticket, db):
    send()
    agent_reply(ticket, agent, db, body="Fixed.", status=status("closed"))
    send()
    [reply] = to(smtp_server, customer.email)[1:]
    assert reply["Subject"].startswith("[#1001] Re:")
    assert "We have closed this ticket." in text_and_html(reply)[0]


# --- agents -------------------------------------------------------------------------------------


def test_a_new_ticket_is_mailed_to_every_active_agent(smtp_server, customer, agent, make_agent, make_ticket, db):
    carol = make_agent("carol@desk.example", name="Carol Chen")
    gone = make_agent("gone@desk.example")
    agents.deactivate_agent(gone, actor=agent)
    db.session.commit()
    make_ticket(customer, subject="Paper jam")
    send()
    for address in (agent.email, carol.email):
        message = one(smtp_server, address)
        assert message["Subject"] == "[#1001] New ticket: Paper jam"
        assert message["Auto-Submitted"] == "auto-generated"
        text, html = text_and_html(message)
        assert "Alice Archer opened ticket #1001 in General." in text
        assert "Smoke everywhere." in text and "http://desk.test/console/tickets/1001" in html
    assert to(smtp_server, gone.email) == []


def test_the_agent_who_files_a_ticket_is_not_told_of_it(smtp_server, customer, agent, make_agent, department, db):
    carol = make_agent("carol@desk.example")
    conversation.open_ticket_by_agent(
        actor=agent, customer_email=customer.email, subject="Call", body="By phone", department=department
    )
    db.session.commit()
    send()
    assert to(smtp_server, agent.email) == [] and len(to(smtp_server, carol.email)) == 1


def test_a_customer_reply_is_mailed_to_the_assignee_only(smtp_server, customer, agent, make_agent, ticket, db):
    carol = make_agent("carol@desk.example")
    send()
    customer_reply(ticket, customer, db, body="Still smoking.")  # unassigned: nobody is mailed
    assert send().sent == 0
    assignment.assign_ticket(ticket, carol, actor=agent)
    db.session.commit()
    customer_reply(ticket, customer, db, body="Now there are flames.")
    send()
    [notice] = to(smtp_server, carol.email)  # she joined after the ticket came in
    assert notice["Subject"] == "[#1001] New reply: The printer is on fire"
    assert "Alice Archer replied on ticket #1001." in text_and_html(notice)[0]
    assert "Now there are flames." in text_and_html(notice)[0]
    assert len(to(smtp_server, agent.email)) == 1  # only the new-ticket notice


# --- account mail -------------------------------------------------------------------------------


def test_a_password_reset_is_sent_without_a_ticket_tag(smtp_server, customer, db):
    accounts.request_password_reset(type(customer), customer.email, reset_url_for=lambda t: f"http://desk.test/r/{t}")
    db.session.commit()
    send()
    message = one(smtp_server, customer.email)
    assert message["Subject"] == "Set your password" and message["Auto-Submitted"] == "auto-generated"
    assert message_ids.verify(mid(message), customer.email) is None and mid(message).endswith("@deskbell.localhost>")
    assert "http://desk.test/r/" in text_and_html(message)[0]
