"""Replies and forwards as the mail clients of the desk's languages write them, through `flask mail
ingest`: quoted history and sign-offs are cut from a reply, a forwarded message is kept.

Each case is one message under messages/quotes/ or messages/forwarded/ (Gmail, Outlook, Apple Mail,
Thunderbird and a few others, in English, Russian, Ukrainian and Norwegian), answering the ticket
that `<opening@example.com>` opened, beside a .txt file with the exact body the entry must get.
"""

from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.core.extensions import db
from shared.models import InboundMessage, InboundState, Ticket
from tests.shared.mail.inbound import compose

MESSAGES = Path(__file__).parent / "messages"
OPENING = "<opening@example.com>"


def _cases(area: str) -> list[str]:
    return sorted(path.stem for path in (MESSAGES / area).glob("*.eml"))


def _ingest(runner, raw: bytes) -> InboundMessage:
    result = runner.invoke(args=["mail", "ingest"], input=raw)
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())).first()


def _open_ticket(runner, raw: bytes) -> Ticket:
    """The ticket the message answers: opened by its sender's first mail."""
    sender = str(BytesParser(policy=default).parsebytes(raw, headersonly=True)["From"])
    inbound = _ingest(runner, compose(sender=sender, subject="Printer", body="It is broken.", message_id=OPENING))
    assert inbound.reason == "new_ticket"
    return inbound.ticket


def _read(area: str, name: str) -> tuple[bytes, str]:
    return (MESSAGES / area / f"{name}.eml").read_bytes(), (MESSAGES / area / f"{name}.txt").read_text().rstrip("\n")


@pytest.mark.parametrize("name", _cases("quotes"))
def test_a_reply_keeps_only_the_customers_words(runner, db, name):
    raw, expected = _read("quotes", name)
    ticket = _open_ticket(runner, raw)
    inbound = _ingest(runner, raw)
    assert (inbound.state, inbound.reason, inbound.ticket_id) == (InboundState.PROCESSED, "reply", ticket.id)
    assert inbound.entry.body == expected


@pytest.mark.parametrize("name", _cases("forwarded"))
def test_a_reply_with_a_forwarded_message_keeps_the_note_and_the_whole_forward(runner, db, name):
    raw, expected = _read("forwarded", name)
    ticket = _open_ticket(runner, raw)
    inbound = _ingest(runner, raw)
    assert (inbound.state, inbound.reason, inbound.ticket_id) == (InboundState.PROCESSED, "reply", ticket.id)
    assert inbound.entry.body == expected
    assert "00340434161094015902" in inbound.entry.body_html  # the forwarded message's words are shown


@pytest.mark.parametrize("name", _cases("forwarded"))
def test_a_forwarded_message_opens_a_ticket_with_all_of_it(runner, db, name):
    raw, expected = _read("forwarded", name)
    raw = raw.replace(f"In-Reply-To: {OPENING}\r\n".encode(), b"").replace(f"References: {OPENING}\r\n".encode(), b"")
    inbound = _ingest(runner, raw)
    assert inbound.reason == "new_ticket"
    body = inbound.entry.body
    for line in expected.splitlines():
        assert line.strip() in body
    assert "00340434161094015902" in inbound.entry.body_html


def test_every_client_and_language_has_its_case():
    quotes, forwarded = set(_cases("quotes")), set(_cases("forwarded"))
    for client in ("gmail", "apple", "thunderbird", "outlook"):
        for language in ("en", "ru", "uk", "nb"):
            assert f"{client}_{language}" in quotes and f"{client}_{language}" in forwarded
    for area in ("quotes", "forwarded"):
        assert all((MESSAGES / area / f"{name}.txt").is_file() for name in _cases(area))
