"""Database connection settings that the ORM cannot express: SQLite's pragmas."""

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer writes; the busy timeout waits instead of failing.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # NORMAL is safe in WAL mode: it cannot corrupt the database, a power cut may only lose the
        # last commits (SQLite's recommended setting for WAL); FULL would fsync on every commit.
        # The driver begins a transaction at its first write, not its first read, so a request that
        # reads and then writes never has to upgrade a read snapshot (no deadlock on upgrade), and
        # holds the write lock only from its first write to its commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def install_pragmas() -> None:
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
