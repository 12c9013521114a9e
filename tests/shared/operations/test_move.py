"""`flask --app wsgi db move-to URL`: a seeded SQLite desk copied into an empty PostgreSQL database,
row for row, findable, counted, and able to go on after a kill."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from shared.core.extensions import db
from shared.demo import seed
from shared.mail import intake
from shared.models import Agent, Attachment, Department, InboundMessage, Rating, SavedView, Ticket, TicketLink
from shared.operations import move
from shared.queues import counters, saved_views
from shared.search import query
from shared.tickets import conversation
from tests.databases import free_port, migrate
from wsgi import create_app

pytestmark = pytest.mark.database("postgresql", reason="moves a SQLite desk into a real PostgreSQL database")

PASSWORD = "s3cret-Passw0rd"
MAIL = (
    b"From: Quentin Quokka <quentin@example.org>\r\nTo: help@desk.test\r\nSubject: Zebrafish tank invoice\r\n"
    b"Message-ID: <zebra-1@example.org>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n\r\n"
    b"The marsupial wants a refund for the aquarium.\r\n"
)
PUBLIC_RELATIONS = "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


def _app(instance: Path, url: str) -> Flask:
    return create_app({**CONFIG, "INSTANCE_PATH": str(instance), "DATABASE_URL": url, "BASE_URL": "http://desk.test"})


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A SQLite desk with the demo data, a mail, a saved view and a login session; read-only for the tests."""
    instance = tmp_path_factory.mktemp("sqlite-desk")
    url = f"sqlite:///{instance / 'deskbell.sqlite'}"
    migrate(url, instance)
    app = _app(instance, url)
    with app.app_context():
        seed.seed(30)
        db.session.commit()
        inbound, _ = intake.receive(MAIL, source="pipe")
        intake.process_one(inbound.id)
        admin = db.session.scalar(select(Agent).where(Agent.email == seed.admin_email()))
        saved_views.save_view(admin, "Urgent ones", "priority=urgent")
        db.session.commit()
        login = app.test_client().post("/console/login", data={"email": admin.email, "password": seed.DEMO_PASSWORD})
        assert login.status_code == 303
        db.session.remove()
        db.engine.dispose()
    yield app


@pytest.fixture
def target(databases) -> Iterator[str]:
    url = databases.empty()
    yield url
    databases.drop(url)


def _with_password(url: str) -> str:
    """The private cluster trusts every login: the password is there to be hidden."""
    return url.replace("postgres@", f"postgres:{PASSWORD}@")


def _move(source: Flask, url: str):
    with source.app_context():
        return source.test_cli_runner().invoke(args=["db", "move-to", url])


def _plain(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _rows(url: str, table) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted((tuple(_plain(v) for v in row) for row in conn.execute(select(table))), key=repr)
    finally:
        engine.dispose()


def _assert_same_rows(source: Flask, url: str) -> None:
    for table in db.metadata.sorted_tables:
        if table.name not in move.REBUILT:
            assert _rows(source.config["DATABASE_URL"], table) == _rows(url, table), table.name


def test_a_seeded_desk_moves_whole_and_the_moved_desk_works(source, target, caplog):
    with source.app_context():
        for model in (Ticket, Attachment, InboundMessage, Rating, TicketLink, SavedView):
            assert db.session.scalar(select(func.count()).select_from(model)), model
        assert db.session.scalar(text("SELECT count(*) FROM sessions"))

    result = _move(source, _with_password(target))

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and PASSWORD not in caplog.text
    assert "Attachments and raw mail stay in" in result.output
    assert "DIFFERENT" not in result.output and "tickets " in result.output
    _assert_same_rows(source, target)
    with psycopg.connect(target.replace("+psycopg", "")) as conn:
        assert not conn.execute(f"SELECT to_regclass('{move.STATE}')").fetchone()[0]
    moved = _app(Path(source.instance_path), target)
    with moved.app_context():
        connection = db.session.connection()
        assert counters.stored(connection) == counters.counted_by_tickets(connection)
        admin = db.session.scalar(select(Agent).where(Agent.email == seed.admin_email()))
        [hit] = query.search(admin, "zebrafish").hits
        assert [h.ticket.id for h in query.search(admin, "marsupial").hits] == [hit.ticket.id]
        last_id, last_number = db.session.execute(select(func.max(Ticket.id), func.max(Ticket.number))).one()
        customer = hit.ticket.customer
        ticket = conversation.open_ticket(
            actor=customer,
            customer=customer,
            department=db.session.scalars(select(Department)).first(),
            subject="After the move",
            body="Still answering.",
        )
        db.session.commit()
        assert (ticket.id, ticket.number) == (last_id + 1, last_number + 1)
        assert (
            moved.test_client()
            .post("/console/login", data={"email": admin.email, "password": seed.DEMO_PASSWORD})
            .status_code
            == 303
        )
        db.session.remove()
        db.engine.dispose()


class Killed(Exception):
    """Stands for the process dying between two batches."""


def test_a_move_killed_midway_goes_on_where_it_stopped(source, target, monkeypatch):
    monkeypatch.setattr(move, "BATCH", 25)
    real = move._batches
    added: dict[str, int] = {}

    def dying(src, engine, table):
        for n in real(src, engine, table):
            added[table.name] = added.get(table.name, 0) + n
            yield n
            if table.name == "entries" and die:
                raise Killed

    monkeypatch.setattr(move, "_batches", dying)
    die = True
    assert isinstance(_move(source, target).exception, Killed)
    with psycopg.connect(target.replace("+psycopg", "")) as conn:
        assert conn.execute(f"SELECT count(*) FROM {move.STATE}").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 25
        assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
    with source.app_context():
        entries = db.session.scalar(text("SELECT count(*) FROM entries"))
        db.engine.dispose()

    die, added = False, {}
    result = _move(source, target)

    assert result.exit_code == 0, result.output
    assert "Going on with the unfinished move" in result.output
    assert added.get("tickets", 0) == 0 and added["entries"] == entries - 25
    _assert_same_rows(source, target)


def test_a_target_that_is_not_empty_is_refused_untouched(source, target, databases, tmp_path):
    with psycopg.connect(target.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (id integer PRIMARY KEY, body text)")
        conn.execute("INSERT INTO notes VALUES (1, 'keep me')")
    migrated = databases.new(tmp_path / "other")
    try:
        for url in (target, migrated):
            with psycopg.connect(url.replace("+psycopg", "")) as conn:
                before = conn.execute("SELECT relname FROM pg_class ORDER BY relname").fetchall()
            result = _move(source, url)
            assert result.exit_code == 1, result.output
            assert "not empty" in result.output and "nothing was changed" in result.output
            with psycopg.connect(url.replace("+psycopg", "")) as conn:
                assert conn.execute("SELECT relname FROM pg_class ORDER BY relname").fetchall() == before
    finally:
        databases.drop(migrated)


def test_a_desk_that_is_not_on_sqlite_is_refused(runner, target):
    result = runner.invoke(args=["db", "move-to", target])
    assert result.exit_code == 1
    assert "not SQLite" in result.output


@pytest.mark.parametrize(
    "url",
    [
        "not a database",
        "mysql://desk:hunter2@127.0.0.1/desk",
        "sqlite:////tmp/elsewhere.sqlite",
        "postgresql+asyncpg://desk:hunter2@127.0.0.1/desk",
        "postgresql://desk:hunter2@127.0.0.1:port/desk",
        "postgresql://desk:hunter2@127.0.0.1",
        "postgresql://desk:hunter2@127.0.0.1:99999/desk",
        "postgresql://desk:hunter2@127.0.0.1/desk?sslmode=bogus",
        "postgresql://desk@127.0.0.1:{free}/desk?password=hunter2",
        "postgres://desk:hunter2@127.0.0.1:{free}/desk",
        "postgresql://desk:hunter2@127.0.0.1:{free}/desk",
    ],
)
def test_a_bad_url_gets_a_clear_error_without_its_password(source, url):
    result = _move(source, url.format(free=free_port()))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ") and "hunter2" not in result.output
    if url.startswith("postgres:"):  # the short scheme many hosts hand out is PostgreSQL's
        assert "Cannot connect to" in result.output


def test_the_check_fails_when_a_table_differs(source, target, monkeypatch):
    real = move._batches
    monkeypatch.setattr(
        move, "_batches", lambda src, engine, table: iter(()) if table.name == "ratings" else real(src, engine, table)
    )
    result = _move(source, target)
    assert result.exit_code == 1
    assert "ratings" in result.output and "DIFFERENT" in result.output and "differ" in result.output


def test_an_unfinished_move_of_another_desk_is_refused_untouched(source, target):
    with psycopg.connect(target.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {move.STATE} (item text PRIMARY KEY, value text NOT NULL)")
        conn.execute(f"INSERT INTO {move.STATE} VALUES ('source', '/elsewhere/deskbell.sqlite')")
    result = _move(source, target)
    assert result.exit_code == 1
    assert "unfinished move of another desk" in result.output
    with psycopg.connect(target.replace("+psycopg", "")) as conn:
        assert conn.execute(PUBLIC_RELATIONS).fetchone()[0] == 2  # the state table and its key's index


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("UPDATE alembic_version SET version_num = '0024'", "not at the newest migration"),
        ("CREATE TABLE plugin_notes (id INTEGER PRIMARY KEY)", "tables the desk does not know: plugin_notes"),
    ],
)
def test_a_desk_whose_tables_are_not_the_models_is_refused(source, target, tmp_path, change, said):
    copy = tmp_path / "deskbell.sqlite"
    copy.write_bytes(Path(source.config["DATABASE_URL"].removeprefix("sqlite:///")).read_bytes())
    other = _app(tmp_path, f"sqlite:///{copy}")
    with other.app_context():
        db.session.execute(text(change))
        db.session.commit()
        db.engine.dispose()
    result = _move(other, target)
    assert result.exit_code == 1 and said in result.output
    with psycopg.connect(target.replace("+psycopg", "")) as conn:
        assert (
            conn.execute("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace").fetchone()[0] == 0
        )
