"""What `backup restore` refuses, changing nothing: a desk that is not empty, a damaged or altered
archive, a hostile one (paths out of the instance, links, devices), a newer Deskbell's backup and
the other kind of database; and what `backup create` refuses."""

import json
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

import pytest

from shared.tickets.attachments import Upload
from tests.databases import database_kind
from tests.shared.operations.desks import (
    counts,
    empty_desk,
    files,
    invoke,
    members,
    nothing_written,
    repack,
    tables,
    with_manifest,
)


@pytest.fixture
def archive(app, runner, customer, make_ticket, tmp_path):
    """A real backup of a small desk: one ticket with an attachment, and a config.py."""
    make_ticket(customer, uploads=[Upload("notes.txt", b"the notes\n" * 20)])
    (tmp_path / "instance" / "config.py").write_text("SECRET_KEY = 'kept'\n")
    result = runner.invoke(args=["backup", "create", str(tmp_path / "desk.tar.gz")])
    assert result.exit_code == 0, result.output
    return tmp_path / "desk.tar.gz"


@pytest.fixture
def target(databases, tmp_path):
    with empty_desk(databases, tmp_path / "target") as app:
        yield app


def refused(app, archive, *more: str) -> str:
    result = invoke(app, "backup", "restore", str(archive), *more)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.startswith(("Error", "restore: checking"))
    return result.output


def test_a_desk_that_is_not_empty_is_refused_and_kept(app, archive):
    before_tables, before_files = tables(app), files(app)
    assert "not empty" in refused(app, archive) and "--force" in refused(app, archive)
    assert tables(app) == before_tables and files(app) == before_files


def test_files_in_the_attachments_folder_are_enough_to_refuse(target, archive):
    stray = Path(target.config["ATTACHMENTS_DIR"]) / "stray.bin"
    stray.parent.mkdir()
    stray.write_bytes(b"x")
    assert "attachments folder" in refused(target, archive) and counts(target) == {}


def test_force_restores_over_a_desk_and_keeps_the_old_sqlite_file(app, target, archive, tmp_path):
    assert invoke(target, "backup", "restore", str(archive)).exit_code == 0
    again = invoke(target, "backup", "restore", str(archive), "--force")
    assert again.exit_code == 0, again.output
    assert tables(target) == tables(app)
    if database_kind() == "sqlite":
        # The replaced database is kept whole, with its write-ahead log.
        [aside] = [
            p
            for p in (tmp_path / "target").glob("deskbell.sqlite.before-restore-*")
            if p.name[-4:] not in ("-wal", "-shm")
        ]
        with closing(sqlite3.connect(aside)) as kept:
            assert kept.execute("SELECT count(*) FROM tickets").fetchone()[0] == counts(app)["tickets"] == 1


def test_a_tampered_file_is_refused_before_anything_is_written(target, archive, tmp_path):
    entries = members(archive)
    name = next(i for i, (info, _) in enumerate(entries) if info.name.startswith("attachments/"))
    entries[name] = (entries[name][0], entries[name][1].replace(b"notes", b"NOTES"))
    output = refused(target, repack(archive, tmp_path / "tampered.tar.gz", entries))
    assert "does not match its digest" in output and nothing_written(target)


def test_a_damaged_database_copy_and_a_truncated_archive_are_refused(target, archive, tmp_path):
    entries = members(archive)
    entries[1] = (entries[1][0], entries[1][1][:-4096] + bytes(4096))
    assert "does not match its digest" in refused(target, repack(archive, tmp_path / "bad.tar.gz", entries))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "damaged or truncated" in refused(target, truncated)
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all" * 100)
    assert "not a readable backup archive" in refused(target, tmp_path / "junk.tar")
    assert nothing_written(target)


def _hostile(kind: str) -> tarfile.TarInfo:
    sha = "ab" * 32
    info = tarfile.TarInfo(
        {"dotdot": "../escaped.txt", "nested": "attachments/../../escaped.txt", "absolute": "/tmp/escaped.txt"}.get(
            kind, f"attachments/ab/ab/{sha}"
        )
    )
    if kind in ("symlink", "hardlink"):
        info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
        info.linkname = "/etc/passwd"
    elif kind == "device":
        info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    elif kind == "folder":
        info.type = tarfile.DIRTYPE
    elif kind == "unlisted":
        info.name = "wsgi.py"
    return info


@pytest.mark.parametrize(
    "kind", ["dotdot", "nested", "absolute", "symlink", "hardlink", "device", "folder", "unlisted"]
)
def test_a_hostile_member_is_refused_and_nothing_is_written_anywhere(target, archive, tmp_path, kind):
    info = _hostile(kind)
    entries = members(archive)
    entries.insert(1, (info, b"owned\n" if info.isreg() else b""))
    output = refused(target, repack(archive, tmp_path / "hostile.tar.gz", entries))
    expected = {"dotdot": "'..'", "nested": "'..'", "absolute": "absolute path", "symlink": "a link"}
    expected |= {"hardlink": "a link", "device": "not a plain file", "folder": "not a plain file"}
    assert expected.get(kind, "never has") in output
    assert nothing_written(target) and not list(tmp_path.parent.rglob("escaped.txt"))


def test_a_manifest_listing_a_path_out_of_the_instance_is_refused(target, archive, tmp_path):
    entries = members(archive)
    manifest = json.loads(entries[0][1])
    files = {**manifest["files"], "../escaped.txt": {"sha256": "0" * 64, "size": 1}}
    output = refused(target, repack(archive, tmp_path / "h.tar.gz", with_manifest(entries, files=files)))
    assert "'..'" in output and nothing_written(target)


def test_a_backup_from_a_newer_deskbell_is_refused(target, archive, tmp_path):
    entries = with_manifest(members(archive), migration="9999_from_the_future")
    output = refused(target, repack(archive, tmp_path / "newer.tar.gz", entries))
    assert "newer Deskbell" in output and "9999_from_the_future" in output and nothing_written(target)


def test_the_other_kind_of_database_is_refused_pointing_at_move_to(target, archive, tmp_path):
    other = "postgresql" if database_kind() == "sqlite" else "sqlite"
    entries = members(archive)
    manifest = json.loads(entries[0][1])
    [(db_name, db_file)] = [(k, v) for k, v in manifest["files"].items() if k.startswith("database.")]
    renamed = {"database.pgdump" if other == "postgresql" else "database.sqlite": db_file}
    files = {**{k: v for k, v in manifest["files"].items() if k != db_name}, **renamed}
    entries = [(info, data) for info, data in with_manifest(entries, database=other, files=files)]
    for info, _ in entries:
        if info.name == db_name:
            info.name = next(iter(renamed))
    output = refused(target, repack(archive, tmp_path / "other.tar.gz", entries))
    assert f"This is a {other} backup" in output and "db move-to" in output and nothing_written(target)


def test_not_a_backup_at_all_is_refused(target, archive, tmp_path):
    entries = members(archive)
    entries[0] = (entries[0][0], b'{"hello": "world"}')
    assert "not a Deskbell backup" in refused(target, repack(archive, tmp_path / "other.tar.gz", entries))
    assert "not start with a Deskbell manifest" in refused(target, repack(archive, tmp_path / "x.tar.gz", entries[1:]))


def test_create_refuses_to_overwrite_and_a_missing_folder(runner, archive, tmp_path):
    before = archive.read_bytes()
    again = runner.invoke(args=["backup", "create", str(archive)])
    assert again.exit_code == 1 and "already exists" in again.output and archive.read_bytes() == before
    missing = runner.invoke(args=["backup", "create", str(tmp_path / "no" / "such" / "x.tar")])
    assert missing.exit_code == 1 and "does not exist" in missing.output and "Traceback" not in missing.output


@pytest.mark.parametrize(
    ("command", "path", "says"),
    [
        ("create", "", "not empty, no NUL byte"),
        ("create", "a\x00b.tar", "not empty, no NUL byte"),
        ("create", "/proc/deskbell.tar", "Cannot write a file in /proc"),
        ("restore", "", "not empty, no NUL byte"),
        ("restore", "a\x00b.tar", "not empty, no NUL byte"),
        ("restore", "/nonexistent/desk.tar", "is not a backup file"),
        ("restore", "/tmp", "is not a backup file"),
    ],
)
def test_a_hostile_path_argument_is_a_clear_error(runner, command, path, says):
    result = runner.invoke(args=["backup", command, path])
    assert result.exit_code in (1, 2) and says in result.output and result.exception.__class__ is SystemExit


def test_row_counts_that_differ_from_the_manifest_fail_the_restore(target, archive, tmp_path):
    entries = members(archive)
    manifest = json.loads(entries[0][1])
    altered = with_manifest(entries, tables={**manifest["tables"], "tickets": manifest["tables"]["tickets"] + 1})
    output = refused(target, repack(archive, tmp_path / "counts.tar.gz", altered))
    assert "tickets: the backup had 2, found 1" in output and "do not use this desk" in output
