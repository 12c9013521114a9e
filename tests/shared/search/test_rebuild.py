"""Rebuilding PostgreSQL's search index from the tickets (for `db move-to`) writes exactly the
documents the ticket verbs keep."""

import pytest
from sqlalchemy import text

from shared.people import customers
from shared.search import index
from shared.tickets import conversation
from tests.shared.mail.inbound import compose, deliver

DOCUMENTS = text(f"SELECT ticket_id, subject, customer, body, document::text FROM {index.TABLE} ORDER BY ticket_id")


@pytest.mark.database("postgresql", reason="the SQLite index is FTS5 over a view, rebuilt by FTS5 itself")
def test_a_rebuild_writes_the_documents_the_verbs_wrote(db, agent, make_customer, make_ticket):
    nameless = make_customer("pat@example.net", name="")
    named = make_customer("ann@example.com", name="Ann Archer")
    first = make_ticket(named, body="The printer <b>jams</b>.")
    conversation.post_reply(first, actor=agent, body="Try the blue lever.")
    conversation.add_internal_note(first, actor=agent, body="Third time this week.")
    make_ticket(nameless, subject="Nameless", body="From pat.")
    deliver(compose(sender="Erin Earl <erin@mail.example>", subject="Scanner offline", body="Since Monday."))
    customers.update_customer(named, name="Ann Zebrowski", organization=None, actor=agent)
    db.session.commit()
    kept = db.session.execute(DOCUMENTS).all()
    assert len(kept) == 3 and all(row.document for row in kept)

    assert index.rebuild_postgres(db.session.connection()) == 3
    assert db.session.execute(DOCUMENTS).all() == kept
