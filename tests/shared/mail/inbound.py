"""Helpers for the intake tests: writing a mail as a client would, and delivering it as an MTA does."""

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

from sqlalchemy import select

from shared.core.extensions import db
from shared.mail import intake
from shared.models import Entry, InboundMessage, OutboxMessage, Ticket

DESK = "support@deskbell.localhost"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4a00000000049454e44ae426082"
)


def compose(
    *,
    sender: str = "Alice Archer <alice@example.com>",
    to: str = DESK,
    subject: str = "The printer is on fire",
    body: str | None = "Smoke everywhere.",
    cc: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    message_id: str | None = "new",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    files: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """A message as bytes. `message_id="new"` makes a fresh one, None leaves it out."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = make_msgid(domain="example.com") if message_id == "new" else message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
    if html is not None:
        if body is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for filename, content_type, data in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=SMTP)


def deliver(raw: bytes, *, source: str = "pipe") -> InboundMessage:
    """Store and process one message, as `flask mail ingest` does; the row afterwards."""
    row, new = intake.receive(raw, source=source)
    if new:
        intake.process_one(row.id)
    return db.session.get(InboundMessage, row.id, populate_existing=True)


def outbox_ids(ticket: Ticket, to: str, template: str | None = None) -> list[str]:
    """The Message-IDs the desk queued for `to` about `ticket`, oldest first."""
    query = select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.to_addr == to)
    if template:
        query = query.where(OutboxMessage.template == template)
    return [m.message_id for m in db.session.scalars(query.order_by(OutboxMessage.id))]


def history(ticket: Ticket) -> list[Entry]:
    return list(db.session.scalars(select(Entry).where(Entry.ticket_id == ticket.id).order_by(Entry.id)))


def dsn(
    returned_headers: bytes, *, recipient: str = "alice@example.com", status: str = "5.1.1", action: str = "failed"
) -> bytes:
    """A delivery status notification as Postfix writes one, reporting on the message whose header
    block is `returned_headers`."""
    code = "550" if status.startswith("5") else "450"
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        + f"To: {DESK}\r\n".encode()
        + b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"Message-ID: <" + f"dsn-{status}-{recipient}".encode() + b"@mx.example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"\r\n'
        b"\r\n"
        b"--BOUNDARY\r\n"
        b"Content-Type: text/plain; charset=us-ascii\r\n"
        b"\r\n"
        b"I'm sorry to have to inform you that your message could not be delivered.\r\n"
        b"\r\n"
        b"--BOUNDARY\r\n"
        b"Content-Type: message/delivery-status\r\n"
        b"\r\n"
        b"Reporting-MTA: dns; mx.example.com\r\n"
        b"Arrival-Date: Mon, 7 Dec 2026 13:00:00 +0000 (UTC)\r\n"
        b"\r\n"
        + f"Final-Recipient: rfc822; {recipient}\r\n".encode()
        + f"Original-Recipient: rfc822;{recipient}\r\n".encode()
        + f"Action: {action}\r\n".encode()
        + f"Status: {status}\r\n".encode()
        + b"Remote-MTA: dns; mx.example.com\r\n"
        + f"Diagnostic-Code: smtp; {code} {status} <{recipient}>: Recipient address\r\n".encode()
        + b"    rejected: User unknown in virtual mailbox table\r\n"
        b"\r\n"
        b"--BOUNDARY\r\n"
        b"Content-Type: text/rfc822-headers\r\n"
        b"\r\n" + returned_headers + b"\r\n"
        b"--BOUNDARY--\r\n"
    )
