"""Desks for the backup tests: a seeded source, an empty target on the run's database, and
comparisons of every table row by row and every stored file byte by byte."""

import io
import itertools
import json
import os
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from flask import Flask
from flask.testing import FlaskCliRunner

from shared.core.extensions import db
from shared.mail import intake
from shared.operations.manifest import row_counts, table_names
from tests.databases import database_kind
from tests.shared.mail.inbound import compose
from wsgi import create_app

_names = itertools.count(1)


def seed_desk(runner: FlaskCliRunner, tickets: int = 8) -> None:
    """The demo seeder's tickets (with their attachments), two raw mails received through the
    pipe's own verb, and a config.py holding a secret key."""
    result = runner.invoke(args=["demo", "seed", "--tickets", str(tickets)])
    assert result.exit_code == 0, result.output
    for n in range(2):
        inbound, new = intake.receive(compose(message_id=f"<backup-{n}@example.com>"), source="pipe")
        assert new and intake.process_one(inbound.id) is not None
    db.session.commit()
    instance = Path(runner.app.instance_path)
    (instance / "config.py").write_text("SECRET_KEY = 'the-desk-secret'\nDESK_NAME = 'Backup test desk'\n")


@contextmanager
def empty_desk(databases, directory: Path) -> Iterator[Flask]:
    """An instance with no files and a database with no tables, on this run's kind of database."""
    directory.mkdir(parents=True)
    if database_kind() == "sqlite":
        url = f"sqlite:///{directory / 'deskbell.sqlite'}"
    else:
        name = f"empty_{os.getpid()}_{next(_names)}"  # each test process has its own
        with psycopg.connect(databases.admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:{databases.port}/{name}"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(directory),
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
        }
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if database_kind() == "postgresql":
            with psycopg.connect(databases.admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def invoke(app: Flask, *args: str):
    """Run a command against `app` (the test's own app context would otherwise be the one used)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        db.engine.dispose()
    return result


def tables(app: Flask) -> dict[str, list[tuple]]:
    """Every table's rows, in an order that does not depend on how they were stored."""
    with app.app_context(), db.engine.connect() as conn:
        found = {}
        for table in table_names(conn):
            rows = conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()
            found[table] = sorted((tuple(row) for row in rows), key=repr)
    return found


def counts(app: Flask) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        found = row_counts(conn)
    return found


def files(app: Flask) -> dict[str, bytes]:
    """The attachments folder's files by relative path, with their bytes."""
    folder = Path(app.config["ATTACHMENTS_DIR"])
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive) as t:
        return [(m, t.extractfile(m).read() if m.isreg() else b"") for m in t.getmembers()]


def repack(archive: Path, target: Path, entries: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    """Write `entries` as a new archive (a tampered or hostile copy of a real one)."""
    with tarfile.open(target, "w:gz") as t:
        for info, data in entries:
            info.size = len(data) if info.isreg() else 0
            t.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return target


def with_manifest(entries: list[tuple[tarfile.TarInfo, bytes]], **changes) -> list[tuple[tarfile.TarInfo, bytes]]:
    info, data = entries[0]
    manifest = {**json.loads(data), **changes}
    return [(info, json.dumps(manifest).encode()), *entries[1:]]


def nothing_written(app: Flask) -> bool:
    """The target instance holds no file and its database no table."""
    left = [p for p in Path(app.instance_path).rglob("*") if p.is_file()]
    return left == [] and counts(app) == {}
