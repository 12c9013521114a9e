"""A quarantined message is never stuck (issue 15, point 8): a retry parses the stored original
afresh with the code now running (after an upgrade fixed what failed), and an admin can make it a
ticket by hand even when it still cannot be parsed: sender, subject and what text can be read, the
original attached. Through `flask mail ingest` and the console's inbound mail log."""

import html

import pytest
from sqlalchemy import func, select, update

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.mail import intake
from shared.models import Agent, InboundMessage, InboundState, Ticket
from shared.tickets import attachments
from tests.shared.mail.eml import ingest_file, raw


@pytest.fixture
def admin(make_agent) -> Agent:
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


def _left_by_an_older_version(inbound: InboundMessage, **values) -> None:
    """The row as an older Deskbell left it: quarantined with its error, and whatever it read."""
    values = {"state": InboundState.QUARANTINED, "reason": "error", **values}
    db.session.execute(update(InboundMessage).where(InboundMessage.id == inbound.id).values(**values))
    db.session.commit()
    db.session.refresh(inbound)


def _page(client, response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def _stored(runner, name: str) -> InboundMessage:
    result = runner.invoke(args=["mail", "ingest", "--store-only"], input=raw(name))
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())).first()


def test_a_retry_after_an_upgrade_parses_the_stored_original_again(runner, client, login_as, db, admin):
    """Deskbell before this change failed on winmail.dat's 8-bit file names (tnefparse reads them
    as UTF-8) and quarantined the message; the retry reads it with today's code."""
    inbound = _stored(runner, "decoding/outlook_winmail_cp1251_names.eml")
    error = "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xd1 in position 0: invalid continuation byte"
    _left_by_an_older_version(inbound, error=error)
    login_as(admin)
    page = _page(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/retry"))
    assert "Processed: Opened a ticket." in page
    db.session.refresh(inbound)
    assert inbound.state == InboundState.PROCESSED and inbound.error == "" and inbound.attempts == 1
    names = {a.filename for a in inbound.entry.attachments}
    assert {"Счёт за октябрь.xlsx", "Акт сверки.pdf", "winmail.dat", "original.eml"} == names


def test_a_retry_reads_the_sender_and_subject_again_for_the_log(runner, client, login_as, db, admin):
    inbound = _stored(runner, "decoding/raw_headers_cp1251.eml")
    # What reading the raw Windows-1251 bytes as Windows-1252 made of them.
    _left_by_an_older_version(inbound, subject="Ñ÷¸ò çà îêòÿáðü íå ïðèø¸ë", error="an older version's error")
    login_as(admin)
    _page(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/retry"))
    db.session.refresh(inbound)
    assert inbound.state == InboundState.PROCESSED
    assert inbound.subject == inbound.ticket.subject == "Счёт за октябрь не пришёл"
    page = html.unescape(client.get("/console/admin/mail/inbound").get_data(as_text=True))
    assert "Счёт за октябрь не пришёл" in page and "Ñ÷¸ò" not in page


def test_a_message_that_still_cannot_be_parsed_is_made_a_ticket_by_hand(runner, client, login_as, db, admin):
    """Multiparts nested a thousand deep (the standard library's parser would take seconds, then
    exhaust the recursion limit) are refused: quarantined, and a retry fails again; made a ticket,
    it keeps sender, subject, the text found, and the original."""
    inbound = ingest_file(runner, "parts/nested_too_deep.eml")
    assert inbound.state == InboundState.QUARANTINED and "nested 1001 deep" in inbound.error
    login_as(admin)
    page = html.unescape(client.get(f"/console/admin/mail/inbound/{inbound.id}").get_data(as_text=True))
    assert "Please call me about the outage." in page  # the text, read line by line
    assert f'action="/console/admin/mail/inbound/{inbound.id}/split"' in page
    page = _page(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/retry"))
    assert "It failed again and is still quarantined" in page

    page = _page(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/split"))
    db.session.refresh(inbound)
    ticket = inbound.ticket
    assert f"The message is a new ticket: #{ticket.number}." in page
    assert (inbound.state, inbound.reason, inbound.resolved_by) == (InboundState.PROCESSED, "split", admin)
    assert ticket.subject == "Nested too deep" and ticket.customer.email == "deep@example.com"
    assert ticket.customer.name == "Deep Sender" and ticket.channel == "email"
    body = inbound.entry.body
    assert body.startswith("Please call me about the outage.") and "attached as original.eml" in body
    [original] = inbound.entry.attachments
    assert original.filename == "original.eml"
    assert attachments.blob_path(original.sha256).read_bytes() == raw("parts/nested_too_deep.eml")
    page = _page(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/split"))
    assert "Only held, ignored or quarantined messages" in page  # once is enough
    assert db.session.scalar(select(func.count(Ticket.id))) == 1


def test_only_agents_make_quarantined_mail_a_ticket(runner, db, customer):
    inbound = ingest_file(runner, "parts/nested_too_deep.eml")
    with pytest.raises(DomainError):
        intake.split_held(inbound, actor=customer)
    assert inbound.state == InboundState.QUARANTINED and inbound.ticket_id is None


def test_a_quarantined_message_without_a_sender_stays_quarantined(runner, client, login_as, db, admin):
    result = runner.invoke(args=["mail", "ingest"], input=b"Subject: no sender\r\n\r\nHello\r\n")
    assert result.exit_code == 0 and "quarantined" in result.output
    inbound = db.session.scalars(select(InboundMessage)).one()
    login_as(admin)
    page = _page(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/split"))
    assert "The message has no sender address." in page
    db.session.refresh(inbound)
    assert inbound.state == InboundState.QUARANTINED and db.session.scalar(select(func.count(Ticket.id))) == 0


def test_the_log_shows_raw_8bit_headers_as_they_were_written(runner, client, login_as, db, admin):
    inbound = _stored(runner, "decoding/raw_headers_koi8r.eml")
    login_as(admin)
    page = html.unescape(client.get(f"/console/admin/mail/inbound/{inbound.id}").get_data(as_text=True))
    assert "Пётр Сидоров <petr@example.ru>" in page and "Принтер горит, помогите" in page
    assert "Здравствуйте, принтер горит" in page  # the text, its charset undeclared
