"""Test databases: a migrated template, copied per test (SQLite) or cloned (private PostgreSQL)."""

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _pg_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them per major version)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make test DB=postgresql`, which installs it.")
    return found[-1].parent


DATABASE_KINDS = ("sqlite", "postgresql")


def database_kind() -> str:
    """The database this run tests on: "postgresql" when DESKBELL_TEST_DB says so, else "sqlite"."""
    return "postgresql" if os.environ.get("DESKBELL_TEST_DB") == "postgresql" else "sqlite"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def migrate(url: str, instance: Path) -> None:
    """Build the schema exactly as users get it: through the migrations."""
    from flask_migrate import upgrade

    from wsgi import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(instance)})
    with app.app_context():
        upgrade()
        from shared.core.extensions import db

        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, root: Path) -> None:
        self.template = root / "template.sqlite"
        migrate(f"sqlite:///{self.template}", root / "template-instance")

    def new(self, directory: Path, *, fresh: bool = False) -> str:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / "deskbell.sqlite"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        """A thousand tests' copies would otherwise stay on disk until the run ends."""
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    """A private cluster for this test run, never the machine's own on 5432."""

    def __init__(self, root: Path) -> None:
        pg_bin = self.pg_bin = _pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="deskbell-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        self.data = self.dir / "data"
        self._as_postgres(
            [
                pg_bin / "initdb",
                "-D",
                self.data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._as_postgres([pg_bin / "pg_ctl", "-w", "-D", self.data, "-l", self.dir / "log", "-o", options, "start"])
        self.admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._sql("CREATE DATABASE deskbell_template")
        migrate(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/deskbell_template", root / "template-instance")
        self._names = itertools.count(1)
        self._spare: list[str] = []  # this process's databases, back in the template's state
        self._template_state: TemplateState | None = None

    def _as_postgres(self, argv: list) -> None:
        argv = [str(a) for a in argv]
        if os.geteuid() == 0:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]
        subprocess.run(argv, check=True, capture_output=True, cwd="/")

    def _sql(self, statement: str) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(statement)

    def new(self, directory: Path, *, fresh: bool = False) -> str:
        """A database as the template is; `fresh`: never used before, so with no planner statistics."""
        name = self._spare.pop() if self._spare and not fresh else self._clone()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _clone(self) -> str:
        name = f"t{os.getpid()}_{next(self._names)}"
        self._sql(f"CREATE DATABASE {name} TEMPLATE deskbell_template")
        if self._template_state is None:
            with psycopg.connect(self._admin_of(name), autocommit=True) as conn:
                self._template_state = TemplateState.read(conn)
        return name

    def empty(self) -> str:
        """A new database with nothing in it, not even the schema: what an admin creates to move a desk into."""
        name = f"e{os.getpid()}_{next(self._names)}"
        self._sql(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _admin_of(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def drop(self, url: str) -> None:
        """Put the test's database back as the template left it and keep it for this process's next
        test: cloning costs ~150 ms a test, emptying a few. One whose schema the test changed is
        dropped (each clone takes a few megabytes; dropping keeps the run's disk use flat)."""
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self._admin_of(name), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if self._template_state is not None and self._template_state.restore(conn):
                self._spare.append(name)
                return
        self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self._as_postgres([self.pg_bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


# Changes whenever a table, index, sequence or view is created, altered or dropped.
_SCHEMA = "SELECT count(*), max(xmin::text::bigint) FROM pg_class"


@dataclass
class TemplateState:
    """What a fresh clone holds besides its schema: the rows the migrations wrote and the sequences."""

    schema: tuple
    tables: list[str]
    rows: dict[str, bytes]  # COPY text of each table that has rows
    sequences: list[tuple[str, int, bool]]  # setval's arguments

    @classmethod
    def read(cls, conn: psycopg.Connection) -> "TemplateState":
        tables = [name for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        rows = {}
        for table in tables:
            with conn.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:
                if data := b"".join(bytes(block) for block in copy):
                    rows[table] = data
        sequences = conn.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), "
            "coalesce(last_value, start_value), last_value IS NOT NULL FROM pg_sequences"
        ).fetchall()
        return cls(conn.execute(_SCHEMA).fetchone(), tables, rows, sequences)

    def restore(self, conn: psycopg.Connection) -> bool:
        """Every table emptied and refilled as in the template, in one transaction; False, touching
        nothing, when the schema is no longer the template's."""
        if conn.execute(_SCHEMA).fetchone() != self.schema:
            return False
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")  # no foreign-key order to follow
            conn.execute("; ".join(f'DELETE FROM "{table}"' for table in self.tables))
            for table, data in self.rows.items():
                with conn.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(data)
            for sequence in self.sequences:
                conn.execute("SELECT setval(%s, %s, %s)", sequence)
        return True


@contextmanager
def test_databases(root: Path) -> Iterator[SqliteDatabases | PostgresDatabases]:
    databases = PostgresDatabases(root) if database_kind() == "postgresql" else SqliteDatabases(root)
    try:
        yield databases
    finally:
        databases.close()
