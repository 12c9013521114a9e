"""Out-of-office replies without the standard headers (issue 15, point 4): one message per client
and language in tests/shared/mail/messages/autoreply/, through `flask mail ingest` and, for what the desk
sends or does not send, a real SMTP server.

Each responder file has no Auto-Submitted, X-Autoreply or Precedence header: only its subject's
first words or its text's opening lines say what it is. Answering the desk's acknowledgement it
is an internal note on the ticket (no status change, no mail); answering nothing it stays in the
mail log. A person's mail that mentions an out-of-office further down, or an autoresponder in its
subject's later words, is a person's; so is mail a forwarding rule sent on (auto-forwarded).
"""

from email.utils import formataddr

import pytest
from sqlalchemy import func, select

from shared.core.extensions import db
from shared.delivery import sending
from shared.mail import parse
from shared.mail.auto_replies import opening_says_automatic, subject_says_automatic
from shared.models import Customer, InboundState, OutboxMessage, Ticket, Visibility
from shared.tickets import conversation
from tests.shared.mail.eml import ingest, names, read
from tests.shared.mail.inbound import compose, history, outbox_ids

RESPONDERS = [name for name in names("autoreply") if not name.startswith("person_")]


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def sender_of(raw: bytes) -> tuple[str, str]:
    mail = parse.parse(raw)
    return mail.from_addr, formataddr((mail.from_name, mail.from_addr))


def sent_to(smtp_server, address: str) -> list:
    return [r.message for r in smtp_server.handler.received if address in r.rcpt_tos]


def test_there_is_a_responder_of_each_client_and_language():
    shapes = {name.removesuffix(".eml") for name in RESPONDERS}
    assert {s.split("_")[0] for s in shapes} >= {"outlook", "exchange", "gmail", "yandex", "mailru"}
    assert {s.split("_")[1] for s in shapes} >= {"en", "ru", "uk", "nb", "sv"}


@pytest.mark.parametrize("name", RESPONDERS)
def test_no_responder_file_carries_the_standard_headers(name):
    head = read("autoreply", name).split(b"\n\n", 1)[0].lower()
    assert b"auto-submitted:" not in head and b"x-autoreply" not in head and b"precedence:" not in head


@pytest.mark.parametrize("name", RESPONDERS)
def test_an_out_of_office_answering_the_desk_is_a_note_that_moves_nothing(runner, db, agent, smtp_server, name):
    address, sender = sender_of(read("autoreply", name))
    inbound, _output = ingest(runner, compose(sender=sender, subject="The printer is on fire", body="Smoke!"))
    ticket = inbound.ticket
    assert ticket.number == 1001
    conversation.post_reply(ticket, actor=agent, body="Unplug it, please.")  # rule 3: waiting on the customer
    db.session.commit()
    [ack] = outbox_ids(ticket, address, "ticket_created")
    assert sending.deliver_due().sent >= 2 and len(sent_to(smtp_server, address)) == 2  # ack and reply
    smtp_server.handler.received.clear()
    status, entries, outbox = ticket.status.key, len(history(ticket)), count(OutboxMessage)

    reply, output = ingest(runner, read("autoreply", name, ack=ack))

    assert output.endswith("processed\n") and reply.reason == "auto_reply" and reply.ticket is ticket
    note = reply.entry
    assert note.visibility == Visibility.INTERNAL and note.event == "mail_auto_reply" and note.author is None
    db.session.refresh(ticket)
    assert ticket.status.key == status == "waiting" and ticket.last_public_by == "agent"
    assert len(history(ticket)) == entries + 1 and count(Ticket) == 1 and count(OutboxMessage) == outbox
    assert sending.deliver_due().sent == 0 and smtp_server.messages == []  # nobody is mailed about it


@pytest.mark.parametrize("name", RESPONDERS)
def test_an_out_of_office_answering_nothing_stays_in_the_mail_log(runner, db, smtp_server, name):
    raw = read("autoreply", name)  # answers an acknowledgement this desk never sent
    address, _sender = sender_of(raw)
    inbound, output = ingest(runner, raw)
    assert output.endswith("ignored\n") and inbound.state == InboundState.IGNORED and inbound.reason == "auto_reply"
    assert inbound.ticket is None and count(Ticket) == 0 and count(OutboxMessage) == 0
    assert db.session.scalar(select(Customer).where(Customer.email == address)) is None
    assert sending.deliver_due().sent == 0 and smtp_server.messages == []


def test_the_customer_never_sees_the_out_of_office_note(runner, db, client, login_as, make_customer):
    customer = make_customer("anna.berg@contoso.example", name="Anna Berg")
    ticket = ingest(runner, compose(sender="Anna Berg <anna.berg@contoso.example>", body="Smoke!"))[0].ticket
    [ack] = outbox_ids(ticket, customer.email, "ticket_created")
    ingest(runner, read("autoreply", "outlook_en.eml", ack=ack))
    login_as(customer)
    page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert "Smoke!" in page and "out of the office" not in page and "automatic reply" not in page.lower()


@pytest.mark.parametrize("name", ["person_out_of_office_deep_en.eml", "person_mentions_autoreply_ru.eml"])
def test_a_person_who_mentions_an_out_of_office_is_read_and_acknowledged(runner, db, smtp_server, name):
    raw = read("autoreply", name)
    address, _sender = sender_of(raw)
    inbound, _output = ingest(runner, raw)
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    assert inbound.ticket.customer.email == address and inbound.entry.is_public
    sending.deliver_due()
    [ack] = sent_to(smtp_server, address)
    assert str(ack["Subject"]).strip().startswith("[#1001] ")


def test_auto_forwarded_mail_is_read_as_its_senders_but_not_answered(runner, db, agent, smtp_server):
    """RFC 3834: a forwarding rule's mail is the person's own; only automatic answers to it are wrong."""
    inbound, _output = ingest(runner, read("autoreply", "person_auto_forwarded_en.eml"))
    ticket = inbound.ticket
    assert inbound.reason == "new_ticket" and ticket.customer.email == "jo.march@gmail.example"
    assert "scanner in room 4 jams" in inbound.entry.body and inbound.entry.is_public
    sending.deliver_due()
    assert sent_to(smtp_server, "jo.march@gmail.example") == [] and sent_to(smtp_server, agent.email)
    conversation.post_reply(ticket, actor=agent, body="Try the other tray.")
    db.session.commit()
    assert ticket.status.key == "waiting"
    [reply_id] = outbox_ids(ticket, "jo.march@gmail.example", "agent_reply")
    answer, _output = ingest(runner, read("autoreply", "person_auto_forwarded_reply_en.eml", ack=reply_id))
    assert answer.reason == "reply" and answer.entry.is_public and answer.entry.author.email == "jo.march@gmail.example"
    db.session.refresh(ticket)
    assert ticket.status.key == "new" and ticket.last_public_by == "customer"  # moved as a person's reply does


# --- the detection itself, line by line ------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: [#1001] The printer",
        "Out of Office: hello",
        "Out of Office AutoReply: hello",
        "AUTO: Ann Lee is out of the office (returning 04.01.2027)",
        "Auto-reply: hello",
        "Autoreply",
        "Out of office",
        "Out of office until Monday",
        "Автоматический ответ: Принтер",
        "Автоответ: Re: счёт",
        "Я в отпуске",
        "Нет на месте: Принтер",
        "Автовідповідь",
        "Автоматична відповідь: Принтер",
        "Fraværende: Skriveren",
        "Automatisk svar: Skriveren",
        "Automatiskt svar: Skrivaren",
        "Frånvaro: Skrivaren",
        "Abwesenheitsnotiz: Drucker",
    ],
)
def test_responder_subjects(subject):
    assert subject_says_automatic(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "Out of office policy question",
        "Automatic reply settings are broken",
        "Re: Automatic reply: [#1001] The printer",  # a person answering a responder
        "Autopilot update failed",
        "Auto parts order",
        "Отпуск с 1 по 14 июля",
        "Не работает автоответ в почте",
        "Invoice #12345 from ACME",
        "",
    ],
)
def test_a_persons_subjects(subject):
    assert not subject_says_automatic(subject)


@pytest.mark.parametrize(
    "text",
    [
        "I am out of the office until Monday.",
        "Hello,\n\nI'm currently out of the office.",
        "Thank you for your email. I am out of the office until 4 January.",
        "Hello,\nThank you for your message.\nI am on annual leave until 3 March.",
        "This is an automatic reply.",
        "Здравствуйте!\n\nЯ в отпуске до 15 января.",
        "Добрый день!\nСпасибо за ваше письмо!\nЯ нахожусь в отпуске",
        "Вітаю!\nЯ у відпустці до 20 серпня.",
        "Hei, jeg er på ferie til 5. januar.",
        "Hej!\nJag är på semester till och med 10 juli.",
        "Dette er et automatisk svar.",
    ],
)
def test_responder_openings(text):
    assert opening_says_automatic(text)


@pytest.mark.parametrize(
    "text",
    [
        "The printer is on fire.\n\nI am out of the office next week, so call Bob.",
        "Hi,\nthe scanner broke.\nAlso: I am out of the office tomorrow.",
        "Our out of office policy says nothing about printers.",
        "Dear Sir, we have a question.\nCan you help?\nI am on vacation from Monday.",
        "> I am out of the office until Monday.\n\nThat was my old autoreply, sorry.",
        "",
    ],
)
def test_a_persons_openings(text):
    assert not opening_says_automatic(text)
