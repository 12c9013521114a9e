"""`backup create`: one archive holding a consistent copy of the database (SQLite's backup API, or
pg_dump inside one snapshot), the stored files and config.py, with a manifest of what is inside.

The database is copied first and the files after: a file is stored before the row naming it is
committed, so every file the copied rows name is already on disk when the files are read."""

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, text

from shared.core.extensions import db
from shared.operations import postgres
from shared.operations.manifest import (
    CONFIG_NAME,
    DATABASE_NAMES,
    MANIFEST_NAME,
    BackupError,
    Manifest,
    deskbell_version,
    file_digest,
    files_in,
    revision,
    row_counts,
)

ARCHIVE_PREFIX = "deskbell-"
ARCHIVE_SUFFIX = ".tar.gz"

Say = Callable[[str], object]


def database_kind() -> str:
    return db.engine.url.get_backend_name()


def sqlite_path() -> Path:
    return Path(db.engine.url.database or "")


def _dump_sqlite(target: Path) -> tuple[dict[str, int], str | None]:
    """Copy the live database with SQLite's backup API in one step (a read snapshot: writers go on
    in WAL mode), then count the copy's rows, which are exactly what the archive holds."""
    source_path = sqlite_path()
    if not source_path.is_file():
        raise BackupError(f"The SQLite database {source_path} does not exist; there is nothing to back up.")
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
    copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
    copy.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return row_counts(connection), revision(connection)
    finally:
        engine.dispose()


def _dump_postgresql(target: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump (custom format) of a snapshot exported by a repeatable-read transaction that also
    counts the rows, so the counts and the dump are the same moment of the database."""
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts, migration = row_counts(connection), revision(connection)
            pg_dump = postgres.tool("pg_dump", connection.connection.dbapi_connection.info.server_version)
            with postgres.environment(db.engine.url) as env:
                postgres.run([str(pg_dump), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], env)
    return counts, migration


class _Hashing(io.RawIOBase):
    """A file read through a sha256, so what went into the archive is what the manifest says."""

    def __init__(self, f) -> None:
        self.f, self.sha256 = f, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self.f.read(size)
        self.sha256.update(block)
        return block


def _add_file(archive: tarfile.TarFile, name: str, path: Path, expected: dict) -> None:
    info = tarfile.TarInfo(name)
    info.size = expected["size"]
    info.mode = 0o600
    info.mtime = int(path.stat().st_mtime)
    with path.open("rb") as f:
        reader = _Hashing(f)
        try:
            archive.addfile(info, reader)
        except OSError as exc:  # tarfile's "unexpected end of data": the file shrank
            raise BackupError(f"{path} changed while the backup was written; run it again.") from exc
        if reader.sha256.hexdigest() != expected["sha256"]:
            raise BackupError(f"{path} changed while the backup was written; run it again.")


def create(path: Path, *, say: Say = lambda line: None) -> Path:
    """Write the backup to `path` (a new file, or a new `deskbell-<time>.tar.gz` inside a folder)
    through a temporary name, renamed only when complete; returns the archive's path."""
    if path.is_dir():
        path = path / f"{ARCHIVE_PREFIX}{datetime.now(UTC):%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"
    if path.exists() or path.is_symlink():
        raise BackupError(f"{path} already exists; choose a new name (a backup never overwrites another).")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    kind = database_kind()
    if kind not in DATABASE_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {kind}.")
    # The database's copy waits beside the archive (a folder meant for backups, and 0700), not in /tmp.
    try:
        scratch_dir = tempfile.TemporaryDirectory(dir=path.parent, prefix=".deskbell-backup-")
    except OSError as exc:
        raise BackupError(f"Cannot write a file in {path.parent}: {exc.strerror}.") from exc
    with scratch_dir as scratch:
        dump = Path(scratch) / DATABASE_NAMES[kind]
        say(f"backup: copying the {kind} database")
        counts, migration = (_dump_sqlite if kind == "sqlite" else _dump_postgresql)(dump)
        say(f"backup: database copied at migration {migration}: {len(counts)} tables, {sum(counts.values())} rows")
        members = [(DATABASE_NAMES[kind], dump)]
        members += list(files_in(Path(current_app.config["ATTACHMENTS_DIR"])))
        config = Path(current_app.instance_path) / CONFIG_NAME
        if config.is_file():
            members.append((CONFIG_NAME, config))
        files = {}
        for n, (name, source) in enumerate(members, 1):
            sha256, size = file_digest(source)
            files[name] = {"sha256": sha256, "size": size}
            if n % 500 == 0 or n == len(members):
                say(f"backup: {n}/{len(members)} files checked")
        manifest = Manifest(
            version=deskbell_version(),
            migration=migration,
            database=kind,
            tables=counts,
            files=files,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            secret_key_included=config.is_file() and "SECRET_KEY" in config.read_text(errors="replace"),
        )
        _write(path, manifest, members)
    say(f"backup: complete, {path} ({path.stat().st_size} bytes)")
    return path


def _write(path: Path, manifest: Manifest, members: list[tuple[str, Path]]) -> None:
    """The manifest first, then each file, digested again on its way in: one that changed is refused."""
    try:
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise BackupError(f"Cannot write a file in {path.parent}: {exc.strerror}.") from exc
    os.fchmod(fd, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            mode = "w:gz" if path.name.endswith((".gz", ".tgz")) else "w"
            with tarfile.open(fileobj=out, mode=mode, format=tarfile.PAX_FORMAT) as archive:
                data = json.dumps(manifest.to_json(), indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
                archive.addfile(info, io.BytesIO(data))
                for name, source in members:
                    _add_file(archive, name, source, manifest.files[name])
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups this command named in `folder`; returns those deleted."""
    if keep < 1:
        raise BackupError("--keep must be 1 or more.")
    ours = sorted(p for p in folder.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}") if p.is_file() and not p.is_symlink())
    doomed = ours[:-keep]
    for old in doomed:
        old.unlink()
    return doomed
