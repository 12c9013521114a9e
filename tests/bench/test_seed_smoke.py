"""The benchmark seeder at a small size: the desk it fills has the shape the benchmarks rely on and
every page works on it (the full benchmark runs with `make bench`, not here)."""

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from bench import seed as bench_seed
from shared.core.extensions import db
from shared.models import Attachment, Entry, Status, Ticket
from shared.queues import counters
from wsgi import create_app

TICKETS = 300


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, bench_seed.Seeded]:
    database = tmp_path_factory.mktemp("bench") / "desk.sqlite"
    result = bench_seed.seed(database, TICKETS, now=datetime(2026, 11, 1), quiet=True)
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(database.parent / "instance"),
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    return app, result


def test_the_desk_has_the_shape_the_benchmarks_need(seeded):
    app, result = seeded
    with app.app_context():
        assert db.session.scalar(select(func.count(Ticket.id))) == TICKETS
        per_ticket = Counter(db.session.scalars(select(Entry.ticket_id)))
        long_ticket = db.session.scalar(select(Ticket.id).where(Ticket.number == result.long_ticket))
        assert per_ticket.pop(long_ticket) == bench_seed.LONG_TICKET_ENTRIES
        assert set(per_ticket.values()) <= set(range(3, 9)) and len(per_ticket) == TICKETS - 1
        used = set(db.session.scalars(select(Ticket.status_id).distinct()))
        assert used == set(db.session.scalars(select(Status.id)))
        assert db.session.scalar(
            select(func.count(Entry.id)).where(Entry.visibility == "internal", Entry.kind == "message")
        )
        assert db.session.scalar(select(func.count(Attachment.id)))
        found = db.session.scalar(
            text("SELECT count(*) FROM ticket_search WHERE ticket_search MATCH :word"), {"word": result.search_word}
        )
        assert found > 0
        connection = db.session.connection()  # the bulk inserts bypass the counters: the seeder rebuilds them
        assert counters.stored(connection) == counters.counted_by_tickets(connection)
        # The seeder indexes what the view shows, word for word: FTS5 could not take a document out otherwise.
        db.session.execute(text("INSERT INTO ticket_search (ticket_search, rank) VALUES ('integrity-check', 1)"))


def test_pages_render_on_the_seeded_desk(seeded):
    app, result = seeded
    console = app.test_client()
    assert console.post("/console/login", data={"email": result.admin, "password": result.password}).status_code == 303
    for url in (
        "/console/",
        "/console/?queue=needs_reply",
        "/console/?sort=priority&order=desc&page=2",
        f"/console/tickets/{result.long_ticket}",
        f"/console/search?q={result.search_word}",
    ):
        response = console.get(url)
        assert response.status_code == 200, url
    assert b"ticket" in console.get(f"/console/search?q={result.search_word}").data
    portal = app.test_client()
    login = {"email": result.portal_customer, "password": result.password}
    assert portal.post("/portal/login", data=login).status_code == 303
    assert portal.get("/portal/tickets").status_code == 200


def test_the_seeder_refuses_an_existing_database(tmp_path: Path):
    (tmp_path / "desk.sqlite").write_text("")
    with pytest.raises(FileExistsError):
        bench_seed.seed(tmp_path / "desk.sqlite", 10, quiet=True)
