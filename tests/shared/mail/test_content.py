"""What a ticket shows of a mail: readable text in any charset, HTML made safe, files kept, replies
without their quoted history, and the original always downloadable."""

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

import pytest

from shared.models import InboundState
from shared.tickets import attachments
from tests.shared.mail.inbound import DESK, PNG, compose, deliver
from tests.shared.mail.tnef import winmail_dat


def _plain(body: bytes, charset: str, subject: str = "Charset") -> bytes:
    return (
        f"From: ivan@example.ru\r\nTo: {DESK}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + body


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("koi8-r", "Принтер горит, помогите"),
        ("windows-1251", "Принтер горит, помогите"),
        ("iso-2022-jp", "プリンターが燃えています"),
        ("shift_jis", "プリンターが燃えています"),
        ("iso-8859-1", "L'imprimante brûle, aidez-moi"),
    ],
)
def test_plain_mail_in_any_charset_reads_right(db, charset, text):
    entry = deliver(_plain(text.encode(charset), charset)).entry
    assert entry.body == text and text in entry.body_html


def test_a_mislabelled_charset_falls_back_to_what_the_bytes_are(db):
    entry = deliver(_plain("Grüße aus Köln".encode(), "us-ascii")).entry
    assert entry.body == "Grüße aus Köln"


def test_html_only_mail_becomes_safe_text(db):
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>The <b>printer</b> is on fire.</p><ul><li>Floor 2</li><li>Room 7</li></ul>"
        '<img src="https://tracker.example/pixel.gif"><p onclick="steal()">Call me at <a href="tel:1">1</a></p>'
        "</body></html>"
    )
    entry = deliver(compose(body=None, html=html)).entry
    assert "The printer is on fire." in entry.body and "Floor 2" in entry.body and "Room 7" in entry.body
    for unsafe in ("alert", "color:red", "<script", "onclick", "tracker.example", "<img"):
        assert unsafe not in entry.body_html
    assert "<p>" in entry.body_html


def test_the_plain_part_is_preferred_over_html(db):
    entry = deliver(compose(body="Plain words.", html="<p>HTML words.</p>")).entry
    assert entry.body == "Plain words."


def test_plain_text_keeps_its_line_breaks_and_links_but_no_markup(db):
    body = "Line one\nLine two\n\n**not bold** <b>not html</b>\nSee https://example.com/a?b=1&c=2."
    entry = deliver(compose(body=body)).entry
    assert "Line one<br>Line two" in entry.body_html and "**not bold**" in entry.body_html
    assert "&lt;b&gt;not html&lt;/b&gt;" in entry.body_html
    assert 'href="https://example.com/a?b=1&amp;c=2"' in entry.body_html


def test_attachments_and_inline_images_are_kept(db):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "alice@example.com", DESK, "Photos"
    message.set_content("See the picture.")
    message.add_alternative('<p>See <img src="cid:pic@x"></p>', subtype="html")
    message.get_payload()[1].add_related(PNG, maintype="image", subtype="png", cid="<pic@x>")
    message.add_attachment(b"%PDF-1.4 report", maintype="application", subtype="pdf", filename="report.pdf")
    entry = deliver(message.as_bytes()).entry
    files = {a.filename: a for a in entry.attachments}
    assert set(files) == {"image.png", "report.pdf", "original.eml"}
    assert files["image.png"].is_inline_image and files["report.pdf"].size == len(b"%PDF-1.4 report")
    assert entry.body == "See the picture."


def test_files_over_the_limit_stay_in_the_original_and_agents_are_told(db, app):
    app.config["MAX_ATTACHMENT_MB"] = 1
    big = b"x" * (1024 * 1024 + 1)
    inbound = deliver(compose(files=[("big.bin", "application/octet-stream", big), ("small.txt", "text/plain", b"hi")]))
    assert [a.filename for a in inbound.entry.attachments] == ["small.txt", "original.eml"]
    events = [e for e in inbound.ticket.entries if e.event == "mail_files_skipped"]
    assert events and events[0].data == {"files": ["big.bin"]} and not events[0].is_public


def _outlook(text: str | None, winmail: bytes, *, charset: str = "koi8-r") -> bytes:
    """A mail as Outlook sends it to outside addresses: an optional text part and winmail.dat."""
    message = EmailMessage()
    message["From"] = "RR Tester <rrtest@example.com>"
    message["To"] = DESK
    message["Subject"] = "rr test 7"
    message["Message-ID"] = make_msgid(domain="example.com")
    if text is not None:
        message.set_content(text, charset=charset, cte="quoted-printable")
    message.add_attachment(winmail, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    return message.as_bytes(policy=SMTP)


def test_winmail_dat_is_kept_as_a_file_and_its_koi8_text_read(db):
    raw = _outlook("шостий\n\nRR Test 1\n", winmail_dat(body="The same, as rich text."))
    entry = deliver(raw).entry
    assert "шостий" in entry.body and "rich text" not in entry.body  # the mail's own text wins
    assert sorted(a.filename for a in entry.attachments) == ["original.eml", "winmail.dat"]


def test_the_files_inside_winmail_dat_are_unpacked_and_its_text_read_when_the_mail_has_none(db):
    winmail = winmail_dat(body="Please see the invoice attached.", files=[("invoice.txt", b"Total: 42 EUR")])
    entry = deliver(_outlook(None, winmail)).entry
    assert entry.body == "Please see the invoice attached."
    files = {a.filename: a for a in entry.attachments}
    assert sorted(files) == ["invoice.txt", "original.eml", "winmail.dat"]
    assert attachments.blob_path(files["invoice.txt"].sha256).read_bytes() == b"Total: 42 EUR"


def test_a_damaged_winmail_dat_stays_attached_as_it_is(db):
    inbound = deliver(_outlook("Hello", b"not a TNEF stream at all"))
    assert inbound.state == InboundState.PROCESSED and inbound.entry.body == "Hello"
    assert sorted(a.filename for a in inbound.entry.attachments) == ["original.eml", "winmail.dat"]


def test_an_empty_mail_still_opens_a_ticket_that_says_so(db):
    inbound = deliver(b"From: alice@example.com\r\nTo: support@deskbell.localhost\r\n\r\n")
    assert inbound.state == InboundState.PROCESSED
    assert inbound.ticket.subject == "(no subject)" and inbound.entry.body == "(The message had no text.)"


def test_a_reply_loses_its_quote_but_the_original_stays_downloadable(db, agent, client, login_as):
    first = deliver(compose(message_id="<q1@example.com>"))
    raw = compose(
        subject="Re: The printer is on fire",
        in_reply_to="<q1@example.com>",
        body="Fixed now, thanks.\n\nBest regards,\nAlice\n\n-----Original Message-----\nFrom: Alice\n"
        "Sent: Monday\nTo: Support\nSubject: The printer is on fire\n\nSmoke everywhere.\n",
    )
    reply = deliver(raw)
    assert reply.ticket is first.ticket and reply.entry.body == "Fixed now, thanks."
    [original] = [a for a in reply.entry.attachments if a.filename == "original.eml"]
    login_as(agent)
    response = client.get(f"/console/tickets/{reply.ticket.number}/attachments/{original.id}")
    data = response.get_data()
    response.close()
    assert response.status_code == 200 and data == raw
    assert response.headers["Content-Type"] == "application/octet-stream"
