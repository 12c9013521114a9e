"""The bare `#1042` and `#[1042]` subject tags (issue 15, point 10), one message per case in
tests/shared/mail/messages/tags/, through `flask mail ingest`.

A tag threads like the desk's own `[#1042]`, with the same sender check: the ticket's customer,
a colleague of an organization that shares its tickets, or a participant. Anyone else's tag is no
tag at all, so the answer to a tag for a ticket they may not post to and the answer to a number
that does not exist are the same in every field: the state and words of the mail log, what the
desk mails back (through a real SMTP server), what changes in the database, what is logged.
"""

import logging
import re
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from shared.core.extensions import db
from shared.delivery import sending
from shared.models import Counter, Customer, Entry, InboundState, OutboxMessage, Ticket, TicketParticipant
from shared.people import organizations
from tests.conftest import make_app
from tests.shared.mail.conftest import SmtpRecorder, start_smtp
from tests.shared.mail.eml import ingest, read
from tests.shared.mail.inbound import compose, history

ANNA = "Anna Berg <anna.berg@contoso.example>"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where))


def by_number(number: int) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(Ticket.number == number))


@pytest.fixture
def annas(runner, db) -> Ticket:
    """Anna's ticket #1001, opened by mail."""
    ticket = ingest(runner, compose(sender=ANNA, subject="The printer is on fire", body="Smoke!"))[0].ticket
    assert ticket.number == 1001
    return ticket


@pytest.mark.parametrize("name", ["bare_customer_en.eml", "hash_bracket_customer_ru.eml"])
def test_the_customers_bare_or_bracketed_tag_threads_into_her_ticket(runner, db, annas, name):
    inbound, _output = ingest(runner, read("tags", name))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "reply" and inbound.ticket is annas
    assert inbound.entry.is_public and inbound.entry.author.email == "anna.berg@contoso.example"
    assert count(Ticket) == 1


@pytest.mark.parametrize("sharing", [True, False])
def test_a_colleagues_bare_tag_threads_only_where_the_organization_shares(runner, db, annas, sharing):
    org = organizations.create_organization("Contoso", actor=None)
    organizations.set_sharing(org, sharing, actor=None)
    annas.customer.organization = org
    ben = Customer(email="ben.brown@contoso.example", name="Ben Brown", organization=org)
    db.session.add(ben)
    db.session.commit()
    inbound, _output = ingest(runner, read("tags", "bare_colleague_en.eml"))
    assert inbound.state == InboundState.PROCESSED
    assert (inbound.ticket is annas) is sharing and inbound.reason == ("reply" if sharing else "new_ticket")


def test_a_participants_bare_tag_threads(runner, db, annas):
    mallory = Customer(email="mallory@elsewhere.example", name="Mallory Moss")
    db.session.add(TicketParticipant(ticket=annas, customer=mallory))
    db.session.commit()
    inbound, _output = ingest(runner, read("tags", "stranger_bare_existing_en.eml"))
    assert inbound.reason == "reply" and inbound.ticket is annas


def test_a_number_inside_a_word_or_without_a_hash_is_no_tag(runner, db, annas):
    inbound, _output = ingest(runner, read("tags", "not_a_tag_customer_en.eml"))  # "Room 1001", "ABC#1001"
    assert inbound.reason == "new_ticket" and inbound.ticket is not annas


def test_a_strangers_invoice_number_never_attaches_to_the_ticket_of_that_number(runner, db):
    db.session.execute(update(Counter).where(Counter.name == "ticket_number").values(value=12344))
    db.session.commit()
    annas = ingest(runner, compose(sender=ANNA, subject="Printer", body="Smoke!"))[0].ticket
    assert annas.number == 12345
    before = len(history(annas))
    inbound, _output = ingest(runner, read("tags", "invoice_stranger_en.eml"))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    assert inbound.ticket is not annas and inbound.ticket.customer.email == "billing@acme.example"
    assert inbound.ticket.subject == "Invoice #12345 from ACME"
    assert len(history(annas)) == before and count(TicketParticipant) == 0


# --- a number that exists and one that does not: the same answer -------------------------------

VARIANTS = {
    "plain": b"",
    "automatic": b"Auto-Submitted: auto-replied\n",
    "spam": b"X-Spam-Flag: YES\nX-Spam-Status: Yes, score=9.9 required=5.0\n",
}


@contextmanager
def desk(databases, directory: Path, smtp_port: int):
    """A desk of its own (database and files) with Anna's ticket #1001 and its mail sent."""
    app = make_app(databases, directory / "instance", SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    with app.app_context():
        ingest(app.test_cli_runner(), compose(sender=ANNA, subject="The printer is on fire", body="Smoke!"))
        sending.deliver_due()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
    databases.drop(app.config["DATABASE_URL"])


def _mailed(message: EmailMessage) -> dict:
    """A received message, without what differs by nature (its date and its signed Message-ID)."""
    body = message.get_body(("plain",))
    return {
        "headers": sorted(k for k in message if k not in ("Date", "Message-ID")),
        "subject": str(message["Subject"]).strip(),
        "from": str(message["From"]),
        "to": str(message["To"]),
        "text": body.get_content() if body is not None else "",
    }


def outcome(app, raw: bytes, recorder: SmtpRecorder, caplog) -> tuple[dict, dict]:
    """Everything the stranger's mail changed or caused, field by field: what is about the mail,
    and what is about Anna's ticket #1001."""
    caplog.clear()
    recorder.received.clear()
    outbox_before = db.session.scalar(select(func.max(OutboxMessage.id)))
    with caplog.at_level(logging.DEBUG):
        inbound, output = ingest(app.test_cli_runner(), raw)
        sending.deliver_due()
    annas = by_number(1001)
    new_mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > outbox_before))
    about_mail = {
        "cli output": output,
        "state": inbound.state,
        "reason": inbound.reason,
        "error": inbound.error,
        "ticket": inbound.ticket.number if inbound.ticket else None,
        "entry": (inbound.entry.event, inbound.entry.visibility, inbound.entry.body) if inbound.entry else None,
        "tickets": count(Ticket),
        "customers": sorted(c.email for c in db.session.scalars(select(Customer))),
        "entries": count(Entry),
        "participants": count(TicketParticipant),
        "outbox": [(m.template, m.to_addr, m.subject, m.state) for m in new_mail],
        "smtp": [(r.mail_from, r.rcpt_tos, _mailed(r.message)) for r in recorder.received],
        "log": [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("deskbell")],
    }
    about_annas = {
        "history": [(e.kind, e.event, e.visibility, e.body) for e in history(annas)],
        "status": annas.status.key,
        "participants": count(TicketParticipant, TicketParticipant.ticket_id == annas.id),
    }
    return about_mail, about_annas


def without_number(value, number: str):
    """The outcome with the number the stranger wrote (only where it was written) made `N`."""
    if isinstance(value, str):
        return re.sub(rf"(?<!\d){number}(?!\d)", "N", value)
    if isinstance(value, dict):
        return {k: without_number(v, number) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_number(v, number) for v in value)
    return value


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize(
    ("existing", "unknown"),
    [
        ("stranger_existing_en.eml", "stranger_unknown_en.eml"),  # [#1001] and [#4242]
        ("stranger_bare_existing_en.eml", "stranger_bare_unknown_en.eml"),  # #1001 and #4242
    ],
)
def test_a_tag_one_may_not_post_under_is_answered_exactly_like_a_number_that_does_not_exist(
    databases, tmp_path, caplog, existing, unknown, variant
):
    recorder = SmtpRecorder()
    controller, port = start_smtp(recorder)
    outcomes = {}
    try:
        for name, number in ((existing, "1001"), (unknown, "4242")):
            raw = VARIANTS[variant] + read("tags", name)
            with desk(databases, tmp_path / name, port) as app:
                assert by_number(1001) is not None and by_number(4242) is None
                outcomes[number] = outcome(app, raw, recorder, caplog)
    finally:
        controller.stop()
    # Anna's ticket is the same in both: untouched by the stranger.
    assert outcomes["1001"][1] == outcomes["4242"][1] and outcomes["1001"][1]["participants"] == 0
    assert len(outcomes["1001"][1]["history"]) == 1  # her first message, nothing more
    # And what the stranger's mail became, field by field, but for the number they wrote.
    seen_existing = without_number(outcomes["1001"][0], "1001")
    seen_unknown = without_number(outcomes["4242"][0], "4242")
    assert seen_existing["ticket"] != 1001
    for field in seen_existing:
        assert seen_existing[field] == seen_unknown[field], field
    expected = {"plain": ("processed", "new_ticket"), "automatic": ("ignored", "auto_reply"), "spam": ("held", "spam")}
    assert (seen_existing["state"], seen_existing["reason"]) == expected[variant]
    assert bool(seen_existing["smtp"]) is (variant == "plain")  # only a new ticket is acknowledged
