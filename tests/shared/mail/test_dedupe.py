"""A duplicate is the same message again (same Message-ID, sender and content), whatever hops it
took; a different message that reuses a Message-ID is stored and worked as a message of its own."""

import threading
from pathlib import Path

from sqlalchemy import func, select

from shared.core.extensions import db
from shared.mail import dedupe, intake
from shared.models import Entry, InboundMessage, InboundState, MailMessageId, Ticket
from shared.tickets import attachments

MESSAGES = Path(__file__).parent / "messages" / "dedupe"


def eml(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


def ingest(runner, raw: bytes) -> str:
    result = runner.invoke(args=["mail", "ingest"], input=raw)
    assert result.exit_code == 0, result.output
    return result.output


def count(model, *where) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where))


def rows() -> list[InboundMessage]:
    return list(db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def test_a_contact_form_reusing_its_message_id_makes_a_ticket_of_each_message(runner, db):
    ingest(runner, eml("contact_form_first.eml"))
    output = ingest(runner, eml("contact_form_second.eml"))
    assert "duplicate" not in output
    first, second = rows()
    assert first.message_id == second.message_id == "<contact-form@shop.example>"
    assert first.state == second.state == InboundState.PROCESSED
    assert first.ticket is not second.ticket
    assert [first.ticket.subject, second.ticket.subject] == ["Contact form: order 5512", "Contact form: invoice copy"]
    [entry] = [e for e in second.ticket.entries if e.kind == "message"]
    assert "invoice 2026-118" in entry.body
    # The ID stays the first message's: the second never becomes a second owner of it.
    [owner] = db.session.scalars(select(MailMessageId).where(MailMessageId.message_id == first.message_id))
    assert owner.ticket_id == first.ticket_id
    # Each one delivered again is a duplicate of itself.
    assert "duplicate" in ingest(runner, eml("contact_form_first.eml"))
    assert "duplicate" in ingest(runner, eml("contact_form_second.eml"))
    assert count(InboundMessage) == 2 and count(Ticket) == 2


def test_the_same_id_and_words_from_another_sender_is_another_message(runner, db):
    ingest(runner, eml("contact_form_first.eml"))
    assert "duplicate" not in ingest(runner, eml("same_id_other_sender.eml"))
    first, other = rows()
    assert other.from_addr == "bob@example.com" and other.state == InboundState.PROCESSED
    assert other.ticket is not first.ticket and other.ticket.customer.email == "bob@example.com"


def test_a_reply_to_a_reused_id_is_not_threaded_into_the_first_messages_ticket(runner, db):
    ingest(runner, eml("contact_form_first.eml"))
    ingest(runner, eml("contact_form_second.eml"))
    first, _second = rows()
    ingest(runner, eml("reply_to_reused_id.eml"))
    reply = rows()[-1]
    # The ID names two messages, so it threads nowhere: not held on Olga's ticket, nor posted there.
    assert reply.ticket is not first.ticket and reply.reason == "new_ticket"
    assert count(Entry, Entry.ticket_id == first.ticket_id, Entry.kind == "message") == 1
    assert all(e.event != "mail_held" for e in first.ticket.entries)


def test_a_message_id_received_once_still_threads(runner, db):
    """Only reuse takes an ID's threading away: a reply to a message the desk received once goes on."""
    ingest(runner, eml("contact_form_first.eml"))
    first = rows()[0]
    ingest(runner, eml("reply_to_reused_id.eml"))
    held = rows()[-1]
    assert held.ticket is first.ticket and held.state == InboundState.HELD


def test_a_redelivery_through_another_hop_is_the_same_message(runner, db):
    ingest(runner, eml("relayed_first_hop.eml"))
    assert "duplicate" in ingest(runner, eml("relayed_second_hop.eml"))
    # Fetched over IMAP it has CRLF line endings where the MTA's pipe gave LF: still the same.
    crlf = eml("relayed_first_hop.eml").replace(b"\n", b"\r\n")
    again, new = intake.receive(crlf, source="imap")
    assert not new and again.id == rows()[0].id
    assert count(InboundMessage) == 1 and count(Ticket) == 1


def test_a_message_without_an_id_redelivered_with_more_received_lines_is_one_message(runner, db):
    ingest(runner, eml("no_message_id.eml"))
    assert "duplicate" in ingest(runner, eml("no_message_id_relayed.eml"))
    [row] = rows()
    assert row.message_id is None and row.state == InboundState.PROCESSED and count(Ticket) == 1
    # A different message without an ID is not mistaken for it.
    other = eml("no_message_id.eml").replace(b"below 5 %", b"below 2 %")
    assert "duplicate" not in ingest(runner, other)
    assert count(Ticket) == 2


def test_a_row_stored_before_the_upgrade_still_recognises_its_message(runner, db):
    """Rows from before kept the Message-ID itself as their key: the same message delivered again
    is a duplicate of them, a different one with that ID is stored."""
    raw = eml("contact_form_first.eml")
    digest = attachments.store_blob(raw)
    legacy = InboundMessage(
        dedupe_key="<contact-form@shop.example>",
        message_id="<contact-form@shop.example>",
        sha256=digest,
        size=len(raw),
        source="pipe",
        from_addr="form@shop.example",
        subject="Contact form: order 5512",
        state=InboundState.PROCESSED,
    )
    no_id = eml("no_message_id.eml")
    old_no_id = InboundMessage(
        dedupe_key=f"sha256:{attachments.store_blob(no_id)}",
        sha256=attachments.store_blob(no_id),
        size=len(no_id),
        source="imap",
        state=InboundState.PROCESSED,
    )
    db.session.add_all([legacy, old_no_id])
    db.session.commit()
    assert "duplicate" in ingest(runner, raw.replace(b"id 4A1B2C3D", b"id 0FFFFFFF"))
    assert "duplicate" in ingest(runner, no_id)
    assert "duplicate" not in ingest(runner, eml("contact_form_second.eml"))
    assert count(InboundMessage, InboundMessage.message_id == "<contact-form@shop.example>") == 2


def test_two_processes_storing_one_message_at_once_store_it_once(app, db):
    """Two MTA deliveries (or a fetch and a pipe) of one message racing: the unique key decides."""
    raw = eml("relayed_first_hop.eml")
    variants = [raw, eml("relayed_second_hop.eml")] * 3
    start = threading.Barrier(len(variants))
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def store(message: bytes) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                row, new = intake.receive(message, source="pipe")
                results.append((row.id, new))
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    db.session.remove()
    threads = [threading.Thread(target=store, args=(m,)) for m in variants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == len(variants) and len({row_id for row_id, _new in results}) == 1
    assert sum(new for _row_id, new in results) == 1 and count(InboundMessage) == 1


def test_the_content_digest_reads_line_endings_alike_at_any_chunk_boundary(monkeypatch):
    lf = eml("relayed_first_hop.eml")
    crlf = lf.replace(b"\n", b"\r\n")
    expected = dedupe.content_digest(lf)
    for size in (1, 2, 3, 7, 64, 1 << 20):
        monkeypatch.setattr(dedupe, "_CHUNK", size)
        assert dedupe.content_digest(crlf) == dedupe.content_digest(lf) == expected
    # What the author wrote counts, to the last header: another charset is another message.
    other = lf.replace(b"charset=UTF-8", b"charset=ISO-8859-1")
    assert dedupe.content_digest(other) != expected
