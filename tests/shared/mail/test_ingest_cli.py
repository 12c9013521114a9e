"""`flask mail ingest` for an MTA pipe: exit codes the MTA understands, and crashes (kill -9 at any
point) that leave a message processed exactly once after a restart, or still pending, never lost."""

import json
import os
import signal
import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from shared.core.config import PROJECT_ROOT
from shared.core.extensions import db
from shared.mail import intake
from shared.models import Entry, InboundMessage, InboundState, OutboxMessage, Ticket
from tests.conftest import make_app
from tests.shared.mail.inbound import compose


def count(model, *where) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where))


def test_ingest_stores_and_processes_one_message(runner, db):
    raw = compose(message_id="<cli@example.com>")
    result = runner.invoke(args=["mail", "ingest"], input=raw)
    assert result.exit_code == 0, result.output
    [inbound] = db.session.scalars(select(InboundMessage)).all()
    assert inbound.source == "pipe" and inbound.state == InboundState.PROCESSED and count(Ticket) == 1
    # The MTA delivers it again (a retry after a lost answer): accepted, recorded once.
    again = runner.invoke(args=["mail", "ingest"], input=raw)
    assert again.exit_code == 0 and "duplicate" in again.output and count(InboundMessage) == 1


def test_ingest_can_leave_processing_to_the_worker(runner, db):
    result = runner.invoke(args=["mail", "ingest", "--store-only"], input=compose())
    assert result.exit_code == 0 and db.session.scalar(select(InboundMessage.state)) == InboundState.PENDING
    assert runner.invoke(args=["mail", "process-pending"]).output.startswith("1 message(s) processed")
    assert db.session.scalar(select(InboundMessage.state)) == InboundState.PROCESSED


def test_a_quarantined_message_is_accepted_too(runner, db):
    """The MTA must not bounce or retry what the desk has safely kept."""
    result = runner.invoke(args=["mail", "ingest"], input=b"Subject: no sender\r\n\r\nHello\r\n")
    assert result.exit_code == 0 and "quarantined" in result.output


def test_empty_input_is_a_data_error(runner, db):
    result = runner.invoke(args=["mail", "ingest"], input=b"\r\n")
    assert result.exit_code == os.EX_DATAERR == 65 and count(InboundMessage) == 0


@pytest.mark.parametrize(
    "url", ["sqlite:////nonexistent-deskbell-dir/deskbell.sqlite", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
)
def test_an_unavailable_database_is_a_temporary_failure(databases, tmp_path, url):
    app = make_app(databases, tmp_path / "instance", DATABASE_URL=url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["mail", "ingest"], input=compose())
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == os.EX_TEMPFAIL == 75
    assert "try again later" in result.output


def test_workers_processing_at_once_handle_each_message_once(app, db):
    for i in range(8):
        intake.receive(compose(sender=f"c{i}@example.com", subject=f"Ticket {i}"), source="pipe")
    db.session.remove()
    done: list[int] = []

    def work() -> None:
        with app.app_context():
            done.append(intake.process_pending())

    workers = [threading.Thread(target=work) for _ in range(3)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert sum(done) == 8 and len(done) == 3
    assert count(Ticket) == 8 and count(OutboxMessage, OutboxMessage.template == "ticket_created") == 8
    assert {state for (state,) in db.session.execute(select(InboundMessage.state))} == {InboundState.PROCESSED}


def _crash_at(app, point: str, raw: bytes) -> subprocess.CompletedProcess:
    config = {
        "TESTING": True,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    db.session.remove()  # the test holds no transaction while the child writes
    return subprocess.run(
        [sys.executable, "-m", "tests.shared.mail.crashing_ingest", point, json.dumps(config)],
        input=raw,
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("point", "left"),
    [
        ("blob", None),  # bytes on disk, no row: the MTA got no answer and delivers again
        ("stored", InboundState.PENDING),
        ("processing", InboundState.PENDING),  # ticket, entry and mail were flushed but never committed
        ("processed", InboundState.PROCESSED),
    ],
)
def test_a_crash_at_any_point_loses_nothing_and_doubles_nothing(app, db, point, left):
    raw = compose(message_id="<crash@example.com>", body="Smoke everywhere.")
    child = _crash_at(app, point, raw)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    state = db.session.scalar(select(InboundMessage.state))
    assert state == left
    assert count(Ticket) == (1 if left == InboundState.PROCESSED else 0)
    # After the restart: the MTA retries (it never saw exit 0), the worker processes what is pending.
    intake.receive(raw, source="pipe")
    intake.process_pending()
    intake.process_pending()
    [inbound] = db.session.scalars(select(InboundMessage)).all()
    assert inbound.state == InboundState.PROCESSED
    assert count(Ticket) == 1 and count(Entry, Entry.kind == "message") == 1
    assert count(OutboxMessage, OutboxMessage.template == "ticket_created") == 1
    assert intake.raw_bytes(inbound) == raw
