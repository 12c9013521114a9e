"""`backup restore`: an archive back into an empty instance. Everything is checked before anything
is written: the target is empty, the manifest is a Deskbell backup's of a migration this code knows,
every member has a whitelisted name, is a plain file and has its manifest digest. Files are then
staged inside the instance, checked again, and moved into place; the row counts are compared last."""

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import text

from shared.core.extensions import db
from shared.operations import postgres
from shared.operations.backup import database_kind, sqlite_path
from shared.operations.manifest import (
    CONFIG_NAME,
    DATABASE_NAMES,
    MANIFEST_NAME,
    BackupError,
    Manifest,
    check_member_name,
    check_revision,
    compare_counts,
    digest,
    files_in,
    row_counts,
)

MANIFEST_MAX_BYTES = 64 * 1024 * 1024
Say = Callable[[str], object]


@dataclass
class Restored:
    manifest: Manifest
    upgraded: bool
    config_note: str


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:*")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{path} is not a readable backup archive ({exc}).") from exc


def _check_member(member: tarfile.TarInfo) -> None:
    check_member_name(member.name)
    if member.issym() or member.islnk():
        raise BackupError(f"The archive holds a link ({member.name!r} -> {member.linkname!r}); refusing it.")
    if not member.isreg():
        raise BackupError(f"The archive holds {member.name!r}, which is not a plain file (a device, folder or fifo).")


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    first = archive.next()
    if first is None or first.name != MANIFEST_NAME or not first.isreg() or first.size > MANIFEST_MAX_BYTES:
        raise BackupError("The archive does not start with a Deskbell manifest.json; it is not a Deskbell backup.")
    try:
        data = json.load(archive.extractfile(first))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"The backup's manifest.json is damaged ({exc}).") from exc
    return Manifest.from_json(data)


def _members(archive: tarfile.TarFile, manifest: Manifest, handle: Callable) -> None:
    """Each member after the manifest, checked by name, type and digest; `handle(name, stream, out)`
    decides where the bytes go. Refuses duplicates, extras and missing files."""
    seen = set()
    try:
        while (member := archive.next()) is not None:  # onwards from the manifest, in one pass
            _check_member(member)
            if member.name in seen or member.name == MANIFEST_NAME:
                raise BackupError(f"The archive holds {member.name!r} twice; refusing it.")
            if member.name not in manifest.files:
                raise BackupError(f"The archive holds {member.name!r}, which its manifest does not list; refusing it.")
            seen.add(member.name)
            expected = manifest.files[member.name]
            if member.size != expected["size"]:
                raise BackupError(
                    f"{member.name} is not the size its manifest says: the archive is damaged or altered."
                )
            with handle(member.name) as out:
                found = digest(archive.extractfile(member), out)
            if found != (expected["sha256"], expected["size"]):
                raise BackupError(
                    f"{member.name} does not match its digest in the manifest: the archive is damaged or was altered."
                )
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"The archive is damaged or truncated ({exc}).") from exc
    if missing := sorted(set(manifest.files) - seen):
        raise BackupError(f"The archive lacks {len(missing)} file(s) its manifest lists, e.g. {missing[0]}.")


def verify(path: Path, kind: str) -> tuple[Manifest, bool]:
    """Read the whole archive and check it, writing nothing: the manifest first (a backup of this
    kind of database, of a migration this code knows), then every member. Also returns whether the
    database must be upgraded after restoring."""
    with _open(path) as archive:
        manifest = read_manifest(archive)
        if manifest.database != kind:
            raise BackupError(
                f"This is a {manifest.database} backup and the desk is configured for {kind}: restore it into a "
                f"{manifest.database} desk, then use `flask --app wsgi db move-to` to move between databases."
            )
        upgrade_after = check_revision(manifest.migration)
        _members(archive, manifest, lambda name: nullcontext())
    return manifest, upgrade_after


def target_problems() -> list[str]:
    """What is already in the target: tables in its database, files in its attachments folder."""
    problems = []
    if database_kind() == "sqlite":
        path = sqlite_path()
        if path.exists():
            with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            conn.close()
            if tables:
                problems.append(f"the database {path} already has {tables} table(s)")
    else:
        with db.engine.connect() as conn:
            tables = conn.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
            ).scalar_one()
        db.engine.dispose()
        if tables:
            problems.append(f"the database {db.engine.url.database} already has {tables} table(s)")
    folder = Path(current_app.config["ATTACHMENTS_DIR"])
    if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
        problems.append(f"the attachments folder {folder} already has files")
    return problems


def restore(path: Path, *, force: bool = False, say: Say = lambda line: None) -> Restored:
    kind = database_kind()
    problems = target_problems()
    if problems and not force:
        raise BackupError(
            f"Refusing to restore into a desk that is not empty: {'; '.join(problems)}. Nothing was changed. "
            "Restore into a new instance and an empty database, or pass --force to replace what is there."
        )
    say(f"restore: checking {path}")
    manifest, upgrade_after = verify(path, kind)
    say(f"restore: archive checked, {len(manifest.files)} files match the manifest")
    instance = Path(current_app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=instance, prefix=".restore-") as scratch:
        staged = Path(scratch)
        with _open(path) as archive:
            read_manifest(archive)  # the same archive again: every digest is checked once more
            _members(archive, manifest, lambda name: _staged_file(staged / name))
        say("restore: writing the database")
        _restore_database(kind, staged / DATABASE_NAMES[kind], force)
        _move_files(staged, manifest)
        config_note = _restore_config(staged, manifest, force)
    counts = _counts()
    if problems := compare_counts(manifest.tables, counts):
        raise BackupError(
            "The restore was written but the database does not match the backup's row counts; do not use "
            "this desk, restore again into an empty one: " + "; ".join(problems)
        )
    say(f"restore: {len(counts)} tables, {sum(counts.values())} rows, as in the backup")
    if upgrade_after:
        say(f"restore: upgrading the database from migration {manifest.migration}")
        upgrade()
    return Restored(manifest, upgrade_after, config_note)


def _staged_file(path: Path):
    """A new file readable by this user alone, as the desk stores its files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _counts() -> dict[str, int]:
    db.engine.dispose()
    with db.engine.connect() as conn:
        return row_counts(conn)


def _restore_database(kind: str, dump: Path, force: bool) -> None:
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        target = sqlite_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        aside = target.with_name(f"{target.name}.before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}")
        for suffix in ("", "-wal", "-shm"):  # the write-ahead log goes with its file, never onto the new one
            if Path(f"{target}{suffix}").exists():
                os.replace(f"{target}{suffix}", f"{aside}{suffix}")
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
        with os.fdopen(fd, "wb") as out, dump.open("rb") as source:
            shutil.copyfileobj(source, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
        return
    with db.engine.connect() as conn:
        pg_restore = postgres.tool("pg_restore", conn.connection.dbapi_connection.info.server_version)
    db.engine.dispose()
    argv = [str(pg_restore), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        argv += ["--clean", "--if-exists"]
    with postgres.environment(db.engine.url) as env:
        # The connection comes from the environment (PGDATABASE): -d only says "restore into a database".
        postgres.run([*argv, "--dbname=", str(dump)], env)


def _move_files(staged: Path, manifest: Manifest) -> None:
    folder = Path(current_app.config["ATTACHMENTS_DIR"])
    for name, source in files_in(staged / "attachments"):
        target = folder / name.removeprefix("attachments/")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


def _restore_config(staged: Path, manifest: Manifest, force: bool) -> str:
    """config.py into the instance; one already there stays unless --force (the old one kept aside)."""
    if CONFIG_NAME not in manifest.files:
        return "The backup holds no config.py."
    source = staged / CONFIG_NAME
    target = Path(current_app.instance_path) / CONFIG_NAME
    os.chmod(source, 0o600)
    if target.exists() and target.read_bytes() == source.read_bytes():
        return "config.py is already the backup's."
    if target.exists() and not force:
        kept = target.with_name("config.py.from-backup")
        os.replace(source, kept)
        return f"config.py was kept; the backup's is in {kept}: compare them (its SECRET_KEY signs sessions)."
    if target.exists():
        os.replace(target, target.with_name(f"config.py.before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}"))
    os.replace(source, target)
    return f"config.py restored to {target}."
