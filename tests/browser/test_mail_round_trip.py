"""End to end with real servers: a customer's mail reaches Dovecot and opens a ticket, an agent
answers in Chromium, the answer reaches the SMTP server (aiosmtpd) with the threading headers, and
the customer's emailed reply lands in the same ticket."""

from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from shared import worker
from shared.core.extensions import db
from shared.models import Ticket
from shared.outgoing import message_ids
from tests.browser.conftest import DESKTOP
from tests.shared.mail.conftest import SmtpRecorder, start_smtp

DESK = "support@desk.test"
CUSTOMER = "nina.berg@clinic.example"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpRecorder, int]]:
    handler = SmtpRecorder()
    controller, port = start_smtp(handler)
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def app_config(smtp, dovecot) -> dict:
    dovecot.empty("desk")
    return {"SMTP_URL": f"smtp://127.0.0.1:{smtp[1]}", "IMAP_URL": dovecot.url("desk"), "MAIL_FROM": DESK}


def customer_mail(subject: str, body: str, message_id: str, **headers: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Nina Berg <{CUSTOMER}>"
    mail["To"] = DESK
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    mail["Date"] = "Tue, 01 Dec 2026 09:30:00 +0000"
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return bytes(mail)


def test_a_mail_becomes_a_ticket_is_answered_in_the_console_and_the_reply_threads_back(
    page: Page,
    dovecot,
    smtp,
    live_agent,
    in_live_app,
    log_in,
    screenshot,
) -> None:
    recorder, _port = smtp

    first = customer_mail(
        "Card reader keeps disconnecting",
        "Hello,\n\nthe card reader at the front desk drops the connection every few minutes.\n\nNina",
        "<first.1@clinic.example>",
    )
    dovecot.deliver("desk", first)
    in_live_app(worker.run_once)  # fetch from IMAP, open the ticket, send the acknowledgement

    [ack] = [m for m in recorder.messages if m["To"] == CUSTOMER]
    assert ack["Subject"].startswith("[#1001] ")
    assert ack["In-Reply-To"] == "<first.1@clinic.example>"
    assert ack["Auto-Submitted"] == "auto-generated"

    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto("/console/?queue=needs_reply")
    page.get_by_role("link", name="Card reader keeps disconnecting").click()
    expect(page.locator("#history")).to_contain_text("drops the connection every few minutes")
    page.locator("#reply-body").fill("Please try the other USB port and tell me if it still drops.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".ticket-head")).to_contain_text("Waiting on customer")

    in_live_app(worker.run_once)  # the outbox sends the agent's reply
    [reply] = [m for m in recorder.messages if m["To"] == CUSTOMER and m is not ack]
    assert reply["Subject"].startswith("[#1001] ")
    assert reply["Reply-To"] == DESK
    assert reply["Auto-Submitted"] is None  # a person wrote it
    assert "<first.1@clinic.example>" in reply["References"]
    assert reply["In-Reply-To"] in reply["References"]
    assert "other USB port" in reply.get_body(("plain",)).get_content()
    signed = in_live_app(lambda: message_ids.verify(reply["Message-ID"], CUSTOMER))
    ticket_id = in_live_app(lambda: db.session.scalar(select(Ticket.id).where(Ticket.number == 1001)))
    assert signed is not None and signed[0] == ticket_id

    answer = customer_mail(
        f"Re: {reply['Subject']}",
        "The other port works, thank you!\n\nOn Tue, the desk wrote:\n> Please try the other USB port",
        "<answer.2@clinic.example>",
        In_Reply_To=reply["Message-ID"],
        References=f"{reply['References']} {reply['Message-ID']}",
    )
    dovecot.deliver("desk", answer)
    in_live_app(worker.run_once)

    page.reload()
    history = page.locator("#history")
    expect(history).to_contain_text("The other port works, thank you!")
    expect(history.locator(".message")).to_have_count(3)
    # Rule 4: the customer's answer takes it off "Waiting on customer" (back to New: nobody has it).
    expect(page.locator(".ticket-head")).not_to_contain_text("Waiting on customer")
    expect(page.locator(".ticket-head")).to_contain_text("New")
    assert in_live_app(lambda: db.session.scalar(select(func.count(Ticket.id)))) == 1
    screenshot(page, "the-emailed-answer-on-the-ticket")
