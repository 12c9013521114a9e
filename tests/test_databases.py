"""The PostgreSQL pass reuses each test's database for the next test, emptied back to the template's
state instead of cloned again: whatever a test did must be gone, or tests would see each other."""

import psycopg
import pytest

from tests.databases import TemplateState

pytestmark = pytest.mark.database("postgresql", reason="SQLite copies the template's file for every test")


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("+psycopg", ""), autocommit=True)


def _state(url: str) -> TemplateState:
    with _connect(url) as conn:
        return TemplateState.read(conn)


def test_a_database_comes_back_as_it_was_cloned(databases, tmp_path):
    url = databases.new(tmp_path)
    before = _state(url)
    with _connect(url) as conn:
        conn.execute("UPDATE statuses SET key = key || '-renamed'")
        conn.execute("DELETE FROM rules")
        conn.execute("INSERT INTO alembic_version VALUES ('extra')")
        sequence = conn.execute("SELECT sequencename FROM pg_sequences ORDER BY 1 LIMIT 1").fetchone()[0]
        conn.execute(f"SELECT nextval('{sequence}'), nextval('{sequence}')")
    forgotten = psycopg.connect(url.replace("+psycopg", ""))  # left in a transaction, holding locks
    forgotten.execute("SELECT * FROM statuses FOR UPDATE")
    databases.drop(url)
    again = databases.new(tmp_path)
    assert again == url
    assert _state(again) == before
    with pytest.raises(psycopg.OperationalError):  # ended by the reset, which would otherwise wait for it
        forgotten.execute("SELECT 1")
    forgotten.close()
    databases.drop(again)


def test_a_database_whose_schema_a_test_changed_is_dropped(databases, tmp_path):
    url = databases.new(tmp_path)
    with _connect(url) as conn:
        conn.execute("CREATE INDEX ix_test_only ON statuses (position)")
    databases.drop(url)
    fresh = databases.new(tmp_path)
    assert fresh != url
    with _connect(fresh) as conn:
        assert not conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_test_only'").fetchall()
        gone = url.rsplit("/", 1)[1]
        assert not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (gone,)).fetchall()
    databases.drop(fresh)
