"""Mail as it really arrives, written here rather than read from the public corpus beside the
repository (tests/shared/mail/test_corpus.py, skipped in a fresh clone): encoded and raw UTF-8 headers,
read receipts, signed and forwarded mail, broken structure. Each is stored byte for byte and read
as a person would read it."""

from email.message import EmailMessage
from email.policy import SMTP

from shared.mail import intake
from shared.models import InboundState
from tests.shared.mail.inbound import DESK, compose, deliver


def test_encoded_words_in_the_sender_and_subject_are_read_in_their_charsets(db):
    raw = (
        b"From: =?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <Ivan@Example.RU>\r\nTo: " + DESK.encode() + b"\r\n"
        b"Subject: =?koi8-r?Q?=F0=D2=C9=CE=D4=C5=D2?= =?utf-8?Q?_=D0=B3=D0=BE=D1=80=D0=B8=D1=82?=\r\n"
        b"Message-ID: <ew1@example.ru>\r\n\r\nHelp, please.\r\n"
    )
    inbound = deliver(raw)
    ticket = inbound.ticket
    assert ticket.subject == "Принтер горит" and ticket.channel == "email"
    assert (ticket.customer.email, ticket.customer.name) == ("ivan@example.ru", "Иван Петров")
    assert intake.raw_bytes(inbound) == raw


def test_raw_utf8_headers_are_read_as_utf8(db):
    """RFC 6532: internationalised headers, sent as UTF-8 without encoded words."""
    raw = (
        "From: Jürgen Groß <juergen@example.de>\r\nTo: support@deskbell.localhost\r\n"
        "Subject: Drucker brennt – Hilfe\r\nMessage-ID: <utf8@example.de>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nViele Grüße\r\n"
    ).encode()
    inbound = deliver(raw)
    assert inbound.ticket.subject == "Drucker brennt – Hilfe" and inbound.ticket.customer.name == "Jürgen Groß"
    assert inbound.entry.body == "Viele Grüße" and intake.raw_bytes(inbound) == raw


def test_a_read_receipt_is_kept_but_opens_no_ticket_and_gets_no_answer(db, outbox):
    raw = (
        b"From: Alice <alice@example.com>\r\nTo: support@deskbell.localhost\r\nSubject: Read: Your request\r\n"
        b"Message-ID: <mdn1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=disposition-notification; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
        b"--R\r\nContent-Type: message/disposition-notification\r\n\r\n"
        b"Final-Recipient: rfc822; alice@example.com\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"
        b"--R--\r\n"
    )
    inbound = deliver(raw)
    assert inbound.state == InboundState.IGNORED and inbound.reason == "auto_reply" and inbound.ticket_id is None
    assert outbox() == [] and intake.raw_bytes(inbound) == raw


def test_a_signed_mail_is_read_and_its_signature_kept_as_a_file(db):
    signed = EmailMessage()
    signed["From"], signed["To"], signed["Subject"] = "Carol <carol@example.com>", DESK, "Signed request"
    signed["Message-ID"] = "<signed1@example.com>"
    signed.set_content("Please renew our licence.")
    signed.add_attachment(b"0\x82\x01\x00 not really a signature", maintype="application", subtype="pkcs7-signature",
                          filename="smime.p7s")  # fmt: skip
    signed.replace_header("Content-Type", 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256')
    signed.set_boundary("S")
    entry = deliver(signed.as_bytes(policy=SMTP)).entry
    assert entry.body == "Please renew our licence."
    assert sorted(a.filename for a in entry.attachments) == ["original.eml", "smime.p7s"]


def test_a_forwarded_message_is_kept_as_a_file_beside_the_text(db):
    inner = compose(sender="Dan <dan@example.org>", subject="Invoice 77", body="Your invoice is attached.")
    outer = EmailMessage()
    outer["From"], outer["To"], outer["Subject"] = "Erin <erin@example.com>", DESK, "Fwd: Invoice 77"
    outer["Message-ID"] = "<fwd1@example.com>"
    outer.set_content("Is this one right?")
    outer.add_attachment(inner, maintype="message", subtype="rfc822", filename="forwarded.eml")
    entry = deliver(outer.as_bytes(policy=SMTP)).entry
    assert entry.body == "Is this one right?"
    names = [a.filename for a in entry.attachments]
    assert "original.eml" in names and len(names) == 2  # the forwarded message, as a file of its own


def test_broken_structure_still_opens_a_ticket_with_the_text_that_is_there(db):
    raw = (
        b"From: bob@example.com\r\nTo: support@deskbell.localhost\r\nSubject: Broken\r\n"
        b"This line has no colon\r\nMessage-ID: <broken1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="X"\r\n\r\n'
        b"--X\r\nContent-Type: text/plain\r\n\r\nThe text survives.\r\n"  # no closing boundary
    )
    inbound = deliver(raw)
    assert inbound.state == InboundState.PROCESSED and inbound.ticket.subject == "Broken"
    assert "The text survives." in inbound.entry.body and intake.raw_bytes(inbound) == raw
