"""The history is append-only, and the ticket keeps "last updated by" for public changes."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from shared.core.clock import frozen_at
from shared.core.errors import HistoryError
from shared.models import Attachment, Entry, Rule, Ticket
from shared.tickets import assignment, conversation, properties, rules
from shared.tickets.attachments import Upload

T0 = datetime(2026, 3, 2, 9, 0)


def at(days: float = 0, **delta):
    return frozen_at(T0 + timedelta(days=days, **delta))


def stored(db) -> dict[str, list[tuple]]:
    """Every history row as the database holds it, read on a connection of its own."""
    with db.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(table.c.id))]
            for table in (Entry.__table__, Attachment.__table__)
        }


@pytest.fixture
def ticket(customer, agent, make_ticket, db) -> Ticket:
    """A ticket with a public message and an internal note, each with a file."""
    with at(0):
        ticket = make_ticket(customer, uploads=[Upload("screenshot.png", b"\x89PNG\r\n\x1a\n...")])
    with at(1):
        conversation.add_internal_note(ticket, actor=agent, body="Known issue.", uploads=[Upload("log.txt", b"E42")])
        db.session.commit()
    return ticket


@pytest.fixture
def history(ticket, db) -> dict[str, list[tuple]]:
    """The history as committed before the test tries to change it."""
    before = stored(db)
    assert len(before["entries"]) >= 2 and len(before["attachments"]) == 2
    return before


# Changing or deleting through the unit of work -------------------------------------------

ENTRY_EDITS = {
    "body": lambda e, t: setattr(e, "body", "I never said that."),
    "body_html": lambda e, t: setattr(e, "body_html", "<p>I never said that.</p>"),
    "visibility": lambda e, t: setattr(e, "visibility", "public" if e.visibility == "internal" else "internal"),
    "kind": lambda e, t: setattr(e, "kind", "event"),
    "author_kind": lambda e, t: setattr(e, "author_kind", "system"),
    "data": lambda e, t: setattr(e, "data", {"rewritten": True}),
    "created_at": lambda e, t: setattr(e, "created_at", T0 - timedelta(days=365)),
    "moved to another ticket": lambda e, t: setattr(e, "ticket", t),
    "removed from its ticket": lambda e, t: e.ticket.entries.remove(e),
}


@pytest.mark.parametrize("which", ["public message", "internal note"])
@pytest.mark.parametrize("edit", ENTRY_EDITS.values(), ids=ENTRY_EDITS.keys())
@pytest.mark.parametrize("finish", ["flush", "commit"])
def test_an_entry_cannot_be_changed(ticket, customer, make_ticket, db, which, edit, finish):
    other = make_ticket(customer)  # somewhere to move the entry to
    history = stored(db)
    entry = ticket.entries[0] if which == "public message" else next(e for e in ticket.entries if e.is_note)

    edit(entry, other)
    with pytest.raises(HistoryError, match="append-only"):
        getattr(db.session, finish)()
    db.session.rollback()

    assert stored(db) == history


ATTACHMENT_EDITS = {
    "filename": lambda a, e: setattr(a, "filename", "innocent.txt"),
    "content_type": lambda a, e: setattr(a, "content_type", "text/html"),
    "sha256": lambda a, e: setattr(a, "sha256", "0" * 64),
    "size": lambda a, e: setattr(a, "size", 1),
    "moved to another entry": lambda a, e: setattr(a, "entry", e),
}


@pytest.mark.parametrize("edit", ATTACHMENT_EDITS.values(), ids=ATTACHMENT_EDITS.keys())
@pytest.mark.parametrize("finish", ["flush", "commit"])
def test_an_attachment_cannot_be_changed(ticket, history, db, edit, finish):
    attachment = ticket.entries[0].attachments[0]
    note = next(e for e in ticket.entries if e.is_note)

    edit(attachment, note)
    with pytest.raises(HistoryError, match="append-only"):
        getattr(db.session, finish)()
    db.session.rollback()

    assert stored(db) == history


@pytest.mark.parametrize("target", ["entry", "note", "attachment"])
@pytest.mark.parametrize("finish", ["flush", "commit"])
def test_history_cannot_be_deleted(ticket, history, db, target, finish):
    row = {
        "entry": ticket.entries[0],
        "note": next(e for e in ticket.entries if e.is_note),
        "attachment": ticket.entries[0].attachments[0],
    }[target]

    db.session.delete(row)
    with pytest.raises(HistoryError, match="cannot be deleted"):
        getattr(db.session, finish)()
    db.session.rollback()

    assert stored(db) == history


def test_any_session_refuses_not_just_the_apps(ticket, history, db):
    with Session(db.engine) as session:
        entry = session.get(Entry, ticket.entries[0].id)
        entry.body = "Quietly rewritten."
        with pytest.raises(HistoryError):
            session.commit()
        session.rollback()
        session.delete(session.get(Attachment, ticket.entries[0].attachments[0].id))
        with pytest.raises(HistoryError):
            session.commit()

    assert stored(db) == history


# Bulk statements -------------------------------------------------------------------------

BULK = {
    "update(Entry)": lambda: update(Entry).values(body="gone"),
    "update(Entry).where": lambda: update(Entry).where(Entry.visibility == "internal").values(visibility="public"),
    "delete(Entry)": lambda: delete(Entry),
    "delete(Entry).where": lambda: delete(Entry).where(Entry.id == 1),
    "update(Attachment)": lambda: update(Attachment).values(filename="x.html", content_type="text/html"),
    "delete(Attachment)": lambda: delete(Attachment),
    "update(entries table)": lambda: update(Entry.__table__).values(body="gone"),
    "delete(attachments table)": lambda: delete(Attachment.__table__),
}


@pytest.mark.parametrize("statement", BULK.values(), ids=BULK.keys())
def test_bulk_statements_on_history_are_refused(ticket, history, db, statement):
    with pytest.raises(HistoryError, match="bulk"):
        db.session.execute(statement())
    db.session.rollback()
    db.session.commit()

    assert stored(db) == history


def test_bulk_statements_on_other_tables_still_work(ticket, db):
    """The guard is about history only: tickets themselves do change."""
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(subject="Printer, now calm"))
    db.session.commit()
    db.session.refresh(ticket)

    assert ticket.subject == "Printer, now calm"


def test_appending_still_works_after_a_refused_change(ticket, customer, db):
    count = db.session.scalar(select(func.count(Entry.id)))
    ticket.entries[0].body = "Rewritten."
    with pytest.raises(HistoryError):
        db.session.commit()
    db.session.rollback()

    conversation.post_reply(ticket, actor=customer, body="A correction is a new entry.")
    ticket.subject = "Printer (corrected)"
    db.session.commit()

    assert db.session.scalar(select(func.count(Entry.id))) == count + 1
    assert ticket.entries[0].body == "Smoke everywhere."
    assert ticket.entries[-1].body == "A correction is a new entry."


# "Last updated by" -----------------------------------------------------------------------


def last_update(ticket: Ticket) -> tuple:
    return (ticket.last_public_by, ticket.last_public_actor, ticket.last_public_at, ticket.last_public_preview)


def test_last_updated_by_follows_public_changes_only(customer, agent, make_agent, make_ticket, db):
    with at(0):
        ticket = make_ticket(customer, body="Smoke   everywhere.\n\nSend help.")
    assert last_update(ticket) == ("customer", customer, T0, "Smoke everywhere. Send help.")

    with at(1):
        conversation.post_reply(ticket, actor=agent, body="Unplug it, please.")
    after_reply = ("agent", agent, T0 + timedelta(days=1), "Unplug it, please.")
    assert last_update(ticket) == after_reply
    assert ticket.last_public_customer_id is None

    # Internal notes and assignment are not public: the fact stays as it was.
    with at(2):
        conversation.add_internal_note(ticket, actor=agent, body="They never unplug it.")
    with at(3):
        assignment.assign_ticket(ticket, make_agent(), actor=agent)
    db.session.commit()
    assert last_update(ticket) == after_reply
    assert ticket.updated_at == T0 + timedelta(days=3)  # but the ticket was touched

    with at(4):
        conversation.post_reply(ticket, actor=customer, body="Done.")
    assert last_update(ticket) == ("customer", customer, T0 + timedelta(days=4), "Done.")
    assert ticket.last_public_agent_id is None


def test_an_explicit_status_change_is_no_message_and_leaves_the_last_one(customer, agent, make_ticket, db):
    with at(0):
        ticket = make_ticket(customer)
    with at(1):
        properties.change_status(ticket, rules.status_by_key("closed"), actor=agent)

    assert last_update(ticket) == ("customer", customer, T0, "Smoke everywhere.")
    assert ticket.updated_at == T0 + timedelta(days=1)  # the activity, which the queue shows apart


def test_the_system_is_the_last_updater_after_an_automatic_close(customer, agent, make_ticket, db):
    with at(0):
        ticket = make_ticket(customer)
        conversation.post_reply(ticket, actor=agent, body="Which printer?")
    with at(7):
        properties.expire_pending()

    by, actor, when, preview = last_update(ticket)
    assert (by, actor, when) == ("system", None, T0 + timedelta(days=7))
    assert preview.startswith("We closed this request")
    assert ticket.last_public_agent_id is ticket.last_public_customer_id is None


def test_the_preview_is_one_line_of_at_most_200_characters(customer, make_ticket):
    ticket = make_ticket(customer, body="word\t\n" * 100)

    assert ticket.last_public_preview == " ".join(["word"] * 100)[:200]


def test_a_files_only_reply_previews_the_file_names(customer, make_ticket):
    ticket = make_ticket(customer)

    conversation.post_reply(ticket, actor=customer, body="", uploads=[Upload("a.png", b"1"), Upload("b.pdf", b"2")])

    assert ticket.last_public_preview == "a.png, b.pdf"


def test_property_changes_are_history_events_but_not_public(customer, agent, make_ticket, db):
    ticket = make_ticket(customer)

    assignment.assign_ticket(ticket, agent, actor=agent)
    properties.change_priority(ticket, "urgent", actor=agent)
    db.session.commit()

    events = [(e.event, e.data, e.is_public, e.author) for e in ticket.entries if e.is_event]
    rule2 = next(r.name for r in db.session.scalars(select(Rule)) if r.name.startswith("2. "))
    assert events == [
        ("assignment", {"from": None, "to": agent.id}, False, agent),
        ("status", {"from": "new", "to": "assigned", "rule": rule2}, False, agent),
        ("priority", {"from": "normal", "to": "urgent"}, False, agent),
    ]
