"""PostgreSQL's own tools for a backup: Debian's pg_dump/pg_restore of the server's major version,
connected through the environment so no password reaches a command line or a log."""

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

from shared.operations.manifest import BackupError

PG_ROOT = Path("/usr/lib/postgresql")


def tool(name: str, server_version_num: int) -> Path:
    """The `name` program of the server's major version: pg_dump must not be older than the server,
    and a newer one may write a dump the server's pg_restore cannot read."""
    major = server_version_num // 10000
    path = PG_ROOT / str(major) / "bin" / name
    if not path.is_file():
        raise BackupError(
            f"{name} for PostgreSQL {major} is not installed (looked for {path}); "
            f"install it with `apt-get install postgresql-client-{major}`."
        )
    return path


@contextmanager
def environment(url: URL) -> Iterator[dict[str, str]]:
    """The libpq environment for `url`: host, port, user, database, and the password in a passfile
    readable by this user alone, deleted afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    query = dict(url.query)
    settings = {
        "PGHOST": url.host or query.pop("host", None),
        "PGPORT": str(url.port) if url.port else query.pop("port", None),
        "PGUSER": url.username,
        "PGDATABASE": url.database,
        "PGSSLMODE": query.pop("sslmode", None),
        "PGSSLROOTCERT": query.pop("sslrootcert", None),
        "PGAPPNAME": "deskbell-backup",
    }
    env.update({k: str(v) for k, v in settings.items() if v})
    if url.password is None:
        yield env
        return
    with tempfile.TemporaryDirectory(prefix="deskbell-pg-") as folder:
        passfile = Path(folder) / "pgpass"
        fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)

        def escape(value: str) -> str:
            return value.replace("\\", "\\\\").replace(":", "\\:")

        with os.fdopen(fd, "w") as f:
            f.write(f"*:*:*:*:{escape(str(url.password))}\n")
        env["PGPASSFILE"] = str(passfile)
        yield env


def run(argv: list[str], env: dict[str, str]) -> None:
    """Run a PostgreSQL tool; its own error (never the password, which it does not have) on failure."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
