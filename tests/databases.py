"""Test databases: a migrated template, copied per test (SQLite) or cloned (private PostgreSQL)."""

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg


def _pg_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them per major version)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make test DB=postgresql`, which installs it.")
    return found[-1].parent


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
        from shared.extensions import db

        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, root: Path) -> None:
        self.template = root / "template.sqlite"
        migrate(f"sqlite:///{self.template}", root / "template-instance")

    def new(self, directory: Path) -> str:
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

    def _as_postgres(self, argv: list) -> None:
        argv = [str(a) for a in argv]
        if os.geteuid() == 0:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]
        subprocess.run(argv, check=True, capture_output=True, cwd="/")

    def _sql(self, statement: str) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(statement)

    def new(self, directory: Path) -> str:
        name = f"t{os.getpid()}_{next(self._names)}"
        self._sql(f"CREATE DATABASE {name} TEMPLATE deskbell_template")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def drop(self, url: str) -> None:
        """Each clone takes a few megabytes; dropping it now keeps the run's disk use flat."""
        self._sql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def close(self) -> None:
        self._as_postgres([self.pg_bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def test_databases(root: Path) -> Iterator[SqliteDatabases | PostgresDatabases]:
    kind = os.environ.get("DESKBELL_TEST_DB", "sqlite")
    databases = PostgresDatabases(root) if kind == "postgresql" else SqliteDatabases(root)
    try:
        yield databases
    finally:
        databases.close()
