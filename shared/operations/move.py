"""Moving a desk from SQLite to an empty PostgreSQL database (`flask --app wsgi db move-to URL`).

The target gets its schema from the migrations, exactly as a fresh PostgreSQL desk does; then every
table of the models is copied in dependency order, in batches. The target's foreign keys are taken
off for the copy (a ticket may be merged into a later one) and put back from their own definitions
at the end, which checks every row. Each batch commits on its own, and a table whose key is whole
numbers is copied in key order, so the rows already in the target say where a killed move stops:
running it again goes on from there. A small state table in the target (`deskbell_move_state`)
marks it as this source's unfinished move, holds the foreign keys' definitions meanwhile, and is
dropped when the move finishes. Attachments and raw mail files stay in the instance folder.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Table,
    bindparam,
    create_engine,
    func,
    inspect,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from shared.core.extensions import db, migrate
from shared.models import QueueCounter
from shared.queues import counters
from shared.search import index

STATE = "deskbell_move_state"
BATCH = 500  # rows per committed batch
# Caches left out of the copy because the move rebuilds them from the tickets.
REBUILT = frozenset({QueueCounter.__table__.name})

Progress = Callable[[str, int], AbstractContextManager[Callable[[int], object]]]


class MoveError(Exception):
    """The move cannot start or go on; the message says why and what to do. Never holds a password."""


def target_url(raw: str) -> URL:
    """The target's URL, checked: PostgreSQL only, through psycopg 3 (the driver the desk uses)."""
    try:
        url = make_url(raw)
        url.port  # noqa: B018 (a port that is no number fails here, not halfway through the move)
    except (ArgumentError, ValueError) as exc:
        raise MoveError("The target is not a database URL: give postgresql://USER:PASSWORD@HOST/DATABASE.") from exc
    if url.drivername == "postgres":  # the short scheme many hosts hand out
        url = url.set(drivername="postgresql")
    if url.get_backend_name() != "postgresql":
        raise MoveError(f"The target must be a PostgreSQL database, not {url.get_backend_name()}.")
    if url.get_driver_name() not in ("psycopg", "psycopg2"):  # the default driver is psycopg2's name
        raise MoveError(f"Use the psycopg driver (postgresql+psycopg://…), not {url.get_driver_name()}.")
    if not url.database:
        raise MoveError("The target URL names no database: postgresql://USER:PASSWORD@HOST/DATABASE.")
    return url.set(drivername="postgresql+psycopg")


def shown(url: URL) -> str:
    """The URL for output and logs: no password, neither the usual one nor one in the query."""
    query = {key: "***" if key == "password" else value for key, value in url.query.items()}
    return url.set(query=query).render_as_string(hide_password=True)


def check_source(source: Engine) -> None:
    """Only a SQLite desk is moved, and only at the newest migration, so both sides have one schema."""
    if source.dialect.name != "sqlite":
        raise MoveError(f"This desk runs on {source.dialect.name}, not SQLite: move-to moves a SQLite desk.")
    heads = set(ScriptDirectory(current_app.config["MIGRATIONS_DIR"]).get_heads())
    with source.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revisions = (
            set(conn.scalars(text("SELECT version_num FROM alembic_version"))) if "alembic_version" in tables else set()
        )
    if revisions != heads:
        raise MoveError("The desk's database is not at the newest migration: run `flask --app wsgi db upgrade` first.")
    unknown = tables - set(db.metadata.tables) - index.TABLES - {"alembic_version"}
    if unknown:
        raise MoveError(f"The desk's database has tables the desk does not know: {', '.join(sorted(unknown))}.")


def connect(url: URL) -> Engine:
    """An engine on the target, tried once, so a wrong host or password is said before anything else."""
    engine = create_engine(url, pool_pre_ping=True)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        reason = " ".join(str(exc.orig).split()) or type(exc.orig).__name__
        raise MoveError(f"Cannot connect to {shown(url)}: {reason}") from exc
    return engine


def source_name(source: Engine) -> str:
    return str(Path(source.url.database or "").resolve())


def _relations(conn: Connection) -> list[str]:
    return list(
        conn.scalars(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', "
                "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
                "ORDER BY c.relname"
            )
        )
    )


def _state(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(text(f"SELECT item, value FROM {STATE}")).all())


def _set(conn: Connection, item: str, value: str) -> None:
    conn.execute(
        text(
            f"INSERT INTO {STATE} (item, value) VALUES (:item, :value) ON CONFLICT (item) DO UPDATE SET value = :value"
        ),
        {"item": item, "value": value},
    )


def start(source: Engine, target: Engine) -> bool:
    """Claim an empty target for this source, or recognise this source's unfinished move there (True).
    Anything else in the target is refused before a thing is changed."""
    with target.begin() as conn:
        found = _relations(conn)
        if not found:
            conn.execute(text(f"CREATE TABLE {STATE} (item text PRIMARY KEY, value text NOT NULL)"))
            _set(conn, "source", source_name(source))
            return False
        if STATE not in found:
            shown_tables = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
            raise MoveError(
                f"The target database is not empty ({len(found)} tables or sequences: {shown_tables}). "
                "move-to copies into an empty database only; nothing was changed."
            )
        if _state(conn).get("source") != source_name(source):
            raise MoveError("The target holds an unfinished move of another desk; nothing was changed.")
        return True


def migrate_target(url: URL) -> None:
    """`flask db upgrade` against the target: the migrations through an app whose engine is the target's."""
    app = Flask(current_app.import_name, instance_path=current_app.instance_path)
    app.config.from_mapping(current_app.config)
    app.config["SQLALCHEMY_DATABASE_URI"] = url.render_as_string(hide_password=False)
    db.init_app(app)
    migrate.init_app(app, db, directory=current_app.config["MIGRATIONS_DIR"], render_as_batch=True)
    with app.app_context():
        try:
            flask_migrate.upgrade()
        finally:
            db.engine.dispose()


def _copied_tables() -> list[Table]:
    return [table for table in db.metadata.sorted_tables if table.name not in REBUILT]


def prepare(target: Engine) -> None:
    """Once, after the migrations: empty the rows the migrations wrote (the desk's own replace them)
    and take the foreign keys off, keeping their definitions in the state table to put them back."""
    with target.begin() as conn:
        if _state(conn).get("phase") == "copying":
            return
        quote = conn.dialect.identifier_preparer.quote
        names = [table.name for table in db.metadata.tables.values()]
        keys = conn.execute(
            text(
                "SELECT con.conname, rel.relname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
                "JOIN pg_class rel ON rel.oid = con.conrelid WHERE con.contype = 'f' "
                "AND rel.relnamespace = current_schema()::regnamespace AND rel.relname = ANY(:names)"
            ),
            {"names": names},
        ).all()
        for name, table, definition in keys:
            _set(conn, f"foreign key {name}", json.dumps([table, definition]))
            conn.execute(text(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}"))
        for table in names:
            conn.execute(text(f"DELETE FROM {quote(table)}"))
        _set(conn, "phase", "copying")


def _batches(source: Connection, target: Engine, table: Table) -> Iterator[int]:
    """Copy one table, yielding how many rows each committed batch added. A table keyed by whole
    numbers goes in key order from the last key the target has; any other (small: settings, links
    between two rows) goes in one transaction, so it is either all there or not at all."""
    key = list(table.primary_key.columns)
    if not all(isinstance(column.type, Integer) for column in key):
        with target.begin() as conn:
            if conn.scalar(select(func.count()).select_from(table)):
                return
            rows = [row._asdict() for row in source.execute(select(table))]
            if rows:
                conn.execute(table.insert(), rows)
        yield len(rows)
        return
    while True:
        with target.begin() as conn:
            last = conn.execute(select(*key).order_by(*(c.desc() for c in key)).limit(1)).first()
            query = select(table).order_by(*key).limit(BATCH)
            if last is not None:
                query = query.where(
                    tuple_(*key) > tuple_(*(bindparam(None, v, c.type) for c, v in zip(key, last, strict=True)))
                )
            rows = [row._asdict() for row in source.execute(query)]
            if rows:
                conn.execute(table.insert(), rows)
        yield len(rows)
        if len(rows) < BATCH:
            return


def copy(source: Engine, target: Engine, progress: Progress) -> None:
    """Every table of the models, in dependency order, each with its progress bar."""
    with source.connect() as src:
        for table in _copied_tables():
            total = src.scalar(select(func.count()).select_from(table))
            with target.connect() as conn:
                there = conn.scalar(select(func.count()).select_from(table))
            with progress(table.name, total) as advance:
                advance(there)
                for added in _batches(src, target, table):
                    advance(added)


def _sequences(conn: Connection) -> None:
    """Each id sequence past the largest id copied, so the next row the desk writes gets the next one."""
    quote = conn.dialect.identifier_preparer.quote
    for table in db.metadata.tables.values():
        for column in table.primary_key.columns:
            sequence = conn.scalar(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": quote(table.name), "c": column.name}
            )
            if sequence:
                conn.execute(
                    text(
                        f"SELECT setval(:s, coalesce(max({quote(column.name)}), 0) + 1, false) FROM {quote(table.name)}"
                    ),
                    {"s": sequence},
                )


def finish(target: Engine) -> int:
    """In one transaction: the foreign keys back (checking every row), the sequences, the search
    index and the queue counters rebuilt, and the state table dropped. Returns the documents indexed."""
    with target.begin() as conn:
        quote = conn.dialect.identifier_preparer.quote
        for item, value in _state(conn).items():
            if item.startswith("foreign key "):
                table, definition = json.loads(value)
                name = item.removeprefix("foreign key ")
                conn.execute(text(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"))
        _sequences(conn)
        documents = index.rebuild_postgres(conn)
        counters.rebuild(conn)
        conn.execute(text(f"DROP TABLE {STATE}"))
    return documents


@dataclass(frozen=True)
class Count:
    """One table's rows on both sides; a rebuilt cache is right when it agrees with the tickets."""

    table: str
    source: int
    target: int
    rebuilt: bool = False
    right: bool = True

    @property
    def ok(self) -> bool:
        return self.right if self.rebuilt else self.source == self.target


def compare(source: Engine, target: Engine) -> list[Count]:
    """Every table of the models counted on both sides, and the search index against the tickets."""
    found = []
    with source.connect() as src, target.connect() as tgt:
        for table in db.metadata.sorted_tables:
            count = select(func.count()).select_from(table)
            if table.name in REBUILT:
                right = counters.stored(tgt) == counters.counted_by_tickets(tgt)
                found.append(Count(table.name, src.scalar(count), tgt.scalar(count), rebuilt=True, right=right))
            else:
                found.append(Count(table.name, src.scalar(count), tgt.scalar(count)))
        tickets = text("SELECT count(*) FROM tickets")
        documents = tgt.scalar(text(f"SELECT count(*) FROM {index.TABLE}"))
        right = documents == tgt.scalar(tickets)  # one document per ticket
        found.append(Count(index.TABLE, src.scalar(tickets), documents, rebuilt=True, right=right))
    return found


def move_to(
    source: Engine, raw_url: str, *, progress: Progress, say: Callable[[str], object]
) -> tuple[URL, list[Count]]:
    """The whole move: check both sides, claim (or go on with) the target, migrate, copy, finish,
    then count both sides. Returns the target's URL and the counts for the caller to show."""
    target = target_url(raw_url)
    check_source(source)
    engine = connect(target)
    try:
        resumed = start(source, engine)
        say(f"{'Going on with the unfinished move into' if resumed else 'Moving into'} {shown(target)}")
        migrate_target(target)
        prepare(engine)
        copy(source, engine, progress)
        say(f"Search index rebuilt: {finish(engine)} ticket(s); queue counters recounted.")
        return target, compare(source, engine)
    finally:
        engine.dispose()
