"""What a backup archive holds and how it is checked: the manifest, the member names, the digests,
the row counts and the migration revision."""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import Connection, inspect, text

FORMAT = "deskbell-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
CONFIG_NAME = "config.py"
DATABASE_NAMES = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
# The only names a member may have besides the manifest: a whitelist, so no path can leave the instance.
_ATTACHMENT_NAME = re.compile(r"attachments/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


def deskbell_version() -> str:
    try:
        return metadata.version("deskbell")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def attachment_member(relative: str) -> str | None:
    """The archive name of a file under the attachments folder, or None for anything but a stored
    blob (a temporary file of a write in progress, a stray file)."""
    name = f"attachments/{relative}"
    match = _ATTACHMENT_NAME.fullmatch(name)
    if match is None or not match.group(3).startswith(match.group(1) + match.group(2)):
        return None
    return name


def check_member_name(name: str) -> None:
    """Refuse any name that could write outside the instance, or that a backup never holds."""
    if name.startswith("/") or "\\" in name or "\x00" in name or re.match(r"[A-Za-z]:", name):
        raise BackupError(f"The archive holds an absolute path ({name!r}); refusing a hostile or damaged archive.")
    if ".." in name.split("/"):
        raise BackupError(f"The archive holds a path with '..' ({name!r}); refusing a hostile or damaged archive.")
    if name in (MANIFEST_NAME, CONFIG_NAME, *DATABASE_NAMES.values()):
        return
    if _ATTACHMENT_NAME.fullmatch(name) is None or attachment_member(name.removeprefix("attachments/")) != name:
        raise BackupError(f"The archive holds a file a Deskbell backup never has ({name!r}); refusing it.")


def digest(stream: IO[bytes], copy_to: IO[bytes] | None = None) -> tuple[str, int]:
    """The sha256 and size of what `stream` holds, copied to `copy_to` on the way when given."""
    h, size = hashlib.sha256(), 0
    while block := stream.read(CHUNK):
        h.update(block)
        size += len(block)
        if copy_to is not None:
            copy_to.write(block)
    return h.hexdigest(), size


def file_digest(path: Path) -> tuple[str, int]:
    with path.open("rb") as f:
        return digest(f)


def quoted(connection: Connection, table: str) -> str:
    return connection.dialect.identifier_preparer.quote(table)


def table_names(connection: Connection) -> list[str]:
    """Every table of the database, the search index's too, sorted."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        )
        return [name for (name,) in rows]
    return sorted(inspect(connection).get_table_names())


def row_counts(connection: Connection) -> dict[str, int]:
    return {
        table: connection.execute(text(f"SELECT count(*) FROM {quoted(connection, table)}")).scalar_one()
        for table in table_names(connection)
    }


def revision(connection: Connection) -> str | None:
    """The migration the database is at, or None when it has never been migrated."""
    if "alembic_version" not in table_names(connection):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migration_head() -> str:
    return ScriptDirectory(current_app.config["MIGRATIONS_DIR"]).get_current_head()


def check_revision(backup_revision: str | None) -> bool:
    """True when the backup is older than this code (restore, then upgrade); refuses a newer one."""
    head = migration_head()
    if backup_revision is None:
        raise BackupError("The backup's database was never migrated (no alembic_version): it holds no desk.")
    if backup_revision == head:
        return False
    try:
        known = ScriptDirectory(current_app.config["MIGRATIONS_DIR"]).get_revision(backup_revision)
    except CommandError:
        known = None
    if not known:
        raise BackupError(
            f"The backup's database is at migration {backup_revision!r}, which this Deskbell (at {head!r}) does "
            "not know: it was made by a newer Deskbell. Install that version (or newer) first, then restore."
        )
    return True


@dataclass
class Manifest:
    version: str
    migration: str | None
    database: str
    tables: dict[str, int]
    files: dict[str, dict[str, Any]]  # member name -> {"sha256", "size"}
    created_at: str
    secret_key_included: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "deskbell_version": self.version,
            "created_at": self.created_at,
            "migration": self.migration,
            "database": self.database,
            "tables": self.tables,
            "files": self.files,
            "secret_key_included": self.secret_key_included,
            "note": (
                "config.py may hold the desk's SECRET_KEY and mail passwords: keep this archive private."
                if CONFIG_NAME in self.files
                else "No instance/config.py was found; settings came from the environment."
            ),
        }

    @classmethod
    def from_json(cls, data: Any) -> "Manifest":
        """Read a manifest, refusing one that is not a Deskbell backup's or is malformed."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("This is not a Deskbell backup (its manifest.json is not one).")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"The backup's format version {data.get('format_version')!r} is not one this Deskbell reads."
            )
        try:
            manifest = cls(
                version=str(data["deskbell_version"]),
                migration=data["migration"],
                database=data["database"],
                tables={str(k): int(v) for k, v in data["tables"].items()},
                files={str(k): {"sha256": str(v["sha256"]), "size": int(v["size"])} for k, v in data["files"].items()},
                created_at=str(data["created_at"]),
                secret_key_included=bool(data["secret_key_included"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupError(f"The backup's manifest is damaged ({exc.__class__.__name__}: {exc}).") from exc
        if manifest.database not in DATABASE_NAMES or DATABASE_NAMES[manifest.database] not in manifest.files:
            raise BackupError("The backup's manifest names no database file it can restore.")
        for name in manifest.files:
            check_member_name(name)
        return manifest


def compare_counts(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """Each table whose count differs, said plainly; empty when all agree."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            problems.append(
                f"{table}: the backup had {expected.get(table, 'no table')}, found {found.get(table, 'no table')}"
            )
    return problems


def files_in(folder: Path) -> Iterable[tuple[str, Path]]:
    """The stored blobs under the attachments folder, as (member name, path), in a stable order."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            name = attachment_member(path.relative_to(folder).as_posix())
            if name is not None:
                found.append((name, path))
    return found
