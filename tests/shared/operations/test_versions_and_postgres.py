"""A backup from an older Deskbell restores and is upgraded; PostgreSQL's tools get the password
through a passfile, never a command line, and the server's own major version of pg_dump is used."""

import subprocess
from pathlib import Path

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from shared.core.extensions import db
from shared.operations import postgres
from shared.operations.manifest import migration_head, revision
from tests.conftest import make_app
from tests.shared.operations.desks import counts, empty_desk, invoke, tables


def test_a_backup_from_an_older_migration_is_restored_then_upgraded(databases, tmp_path):
    with empty_desk(databases, tmp_path / "old") as old:
        with old.app_context():
            upgrade(revision="0024")
            db.engine.dispose()
        created = invoke(old, "backup", "create", str(tmp_path / "old.tar"))
        assert created.exit_code == 0, created.output
        old_tables = tables(old)
    with empty_desk(databases, tmp_path / "new") as new:
        restored = invoke(new, "backup", "restore", str(tmp_path / "old.tar"))
        assert restored.exit_code == 0, restored.output
        assert "upgrading the database from migration 0024" in restored.output and "upgraded" in restored.stdout
        with new.app_context():
            with db.engine.connect() as conn:
                assert revision(conn) == migration_head() != "0024"
            db.engine.dispose()
        assert set(counts(new)) >= set(old_tables)


PASSWORD = "pw:with\\odd chars and 'quotes'"


@pytest.fixture
def password_user(databases):
    """A role that must give its password: the private cluster trusts everyone else."""
    hba = Path(databases.data) / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("host all deskbell_pw 127.0.0.1/32 scram-sha-256\n" + original)
    with psycopg.connect(databases.admin, autocommit=True) as conn:
        conn.execute("SET password_encryption = 'scram-sha-256'")
        conn.execute(f"CREATE ROLE deskbell_pw LOGIN SUPERUSER PASSWORD '{PASSWORD.replace(chr(39), chr(39) * 2)}'")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield "deskbell_pw"
    finally:
        hba.write_text(original)
        with psycopg.connect(databases.admin, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
            conn.execute("DROP ROLE deskbell_pw")


@pytest.mark.database("postgresql", reason="pg_dump's credentials and version")
def test_pg_dump_gets_the_password_from_a_passfile_and_never_a_command_line(
    app, databases, password_user, tmp_path, monkeypatch
):
    url = make_url(app.config["DATABASE_URL"]).set(username=password_user, password=PASSWORD)
    seen = []
    real_run = subprocess.run

    def spy(argv, **kwargs):
        passfile = Path(kwargs["env"]["PGPASSFILE"])
        seen.append((argv, kwargs["env"], passfile.read_text(), oct(passfile.stat().st_mode & 0o777)))
        return real_run(argv, **kwargs)

    monkeypatch.setattr(postgres.subprocess, "run", spy)
    desk = make_app(databases, tmp_path / "with-password", DATABASE_URL=url.render_as_string(hide_password=False))
    try:
        result = invoke(desk, "backup", "create", str(tmp_path / "pw.tar"))
        assert result.exit_code == 0, result.output
        [(argv, env, passfile_text, mode)] = seen
        assert Path(argv[0]).parts[-3] == str(databases_major(databases))  # the server's own pg_dump
        assert all("odd chars" not in part and password_user not in part for part in argv)
        assert PASSWORD not in result.output and "odd chars" not in result.output
        assert env["PGUSER"] == password_user and "PGPASSWORD" not in env and mode == "0o600"
        assert passfile_text.startswith("*:*:*:*:pw\\:with\\\\odd") and not Path(env["PGPASSFILE"]).exists()

        wrong = make_app(databases, tmp_path / "wrong", DATABASE_URL=url.set(password="nope").render_as_string(False))
        failed = invoke(wrong, "backup", "create", str(tmp_path / "wrong.tar"))
        assert failed.exit_code == 1 and "password authentication failed" in failed.output
        assert "Traceback" not in failed.output and "nope" not in failed.output
        assert not (tmp_path / "wrong.tar").exists() and not list(tmp_path.glob(".*.partial"))
    finally:
        with desk.app_context():
            db.engine.dispose()


def databases_major(databases) -> int:
    with psycopg.connect(databases.admin) as conn:
        return conn.info.server_version // 10000
