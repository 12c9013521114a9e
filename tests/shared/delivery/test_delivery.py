"""Delivery: retries with backoff, giving up for good, claims that keep workers from sending twice."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from shared.core.clock import frozen_at
from shared.core.errors import DomainError
from shared.core.extensions import db as _db
from shared.delivery import sending
from shared.mime import headers
from shared.models import OutboxMessage, utcnow
from shared.outgoing import message_ids, outbox
from tests.databases import free_port
from tests.shared.mail.conftest import SmtpRecorder, start_smtp


def queue(count: int = 1) -> list[OutboxMessage]:
    rows = [
        OutboxMessage(
            to_addr=f"someone{i}@example.com",
            subject=f"Message {i}",
            body_text=f"Body {i}",
            body_html="",
            headers={},
            message_id=message_ids.random_id(),
            template="test",
        )
        for i in range(count)
    ]
    _db.session.add_all(rows)
    _db.session.commit()
    return rows


@pytest.fixture
def app_config():
    return {"MAIL_MAX_ATTEMPTS": 3, "MAIL_RETRY_SECONDS": 60, "MAIL_RETRY_MAX_SECONDS": 100}


def test_a_refused_message_is_retried_with_doubling_waits_then_failed_and_kept(smtp_server, db):
    [message] = queue()
    smtp_server.handler.refuse_data = "451 4.3.0 Mailbox busy, try later"
    start = utcnow().replace(microsecond=0) + timedelta(seconds=1)

    with frozen_at(start):
        assert sending.deliver_due() == sending.Report(retried=1)
    assert (message.state, message.attempts, message.next_attempt_at) == ("pending", 1, start + timedelta(seconds=60))
    assert "451 4.3.0 Mailbox busy" in message.last_error
    assert message.claimed_until is None

    with frozen_at(start + timedelta(seconds=59)):
        assert sending.deliver_due() == sending.Report()  # not due yet
    with frozen_at(start + timedelta(seconds=60)):
        sending.deliver_due()
    assert (message.attempts, message.next_attempt_at) == (2, start + timedelta(seconds=60 + 100))  # 120, capped

    with frozen_at(start + timedelta(seconds=160)):
        assert sending.deliver_due() == sending.Report(failed=1)
    assert (message.state, message.attempts) == ("failed", 3)
    assert "451" in message.last_error
    with frozen_at(start + timedelta(days=1)):
        assert sending.deliver_due() == sending.Report()  # failed stays failed
    assert smtp_server.messages == []


def test_a_failed_message_can_be_sent_again_by_an_admin(smtp_server, make_agent, agent, db):
    [message] = queue()
    smtp_server.handler.refuse_rcpt = "550 5.1.1 No such user"
    sending.deliver_due()
    assert message.state == "failed"
    with pytest.raises(DomainError):
        outbox.retry(message, actor=agent)
    smtp_server.handler.refuse_rcpt = None
    outbox.retry(message, actor=make_agent("admin@desk.example", is_admin=True))
    db.session.commit()
    assert sending.deliver_due() == sending.Report(sent=1)
    assert (message.state, message.attempts, len(smtp_server.messages)) == ("sent", 1, 1)
    assert "550" in message.last_error  # the history of the trouble stays readable


def test_a_message_too_large_for_the_server_fails_at_once(app, db):
    """The server announces its size limit; smtplib states the size in MAIL FROM and gets a 552."""
    handler = SmtpRecorder()
    controller, port = start_smtp(handler, data_size_limit=1000)
    try:
        [message] = queue()
        message.body_text = "x" * 5000
        db.session.commit()
        app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
        assert sending.deliver_due() == sending.Report(failed=1)
    finally:
        controller.stop()
    assert (message.state, message.attempts) == ("failed", 1) and "552" in message.last_error
    assert handler.messages == []


def test_a_recipient_refused_for_good_fails_at_once(smtp_server, db):
    [message] = queue()
    smtp_server.handler.refuse_rcpt = "550 5.1.1 No such user here"
    assert sending.deliver_due() == sending.Report(failed=1)
    assert (message.state, message.attempts) == ("failed", 1)
    assert "550 5.1.1 No such user here" in message.last_error and message.to_addr in message.last_error


def test_a_closed_port_is_retried_and_costs_one_attempt_per_run(app, db):
    first, second = queue(2)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nobody listens
    assert sending.deliver_due() == sending.Report(retried=1)
    assert (first.state, first.attempts, second.attempts) == ("pending", 1, 0)
    assert "ConnectionRefusedError" in first.last_error
    assert first.next_attempt_at > utcnow()


def test_without_an_smtp_url_mail_stays_queued_and_the_worker_says_so_once(app, db, caplog, monkeypatch):
    [message] = queue()
    app.config["SMTP_URL"] = ""
    monkeypatch.setattr(sending, "_warned", set())  # as in a freshly started worker
    assert sending.deliver_due() == sending.deliver_due() == sending.Report()
    assert (message.state, message.attempts) == ("pending", 0)
    assert caplog.text.count("SMTP_URL is not set") == 1


def test_a_claimed_message_is_not_claimed_again_until_its_lease_ends(app, db):
    first, second = queue(2)
    assert outbox.claim_next("worker-a").id == first.id
    assert outbox.claim_next("worker-b").id == second.id
    assert outbox.claim_next("worker-c") is None

    later = utcnow() + timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1)
    with frozen_at(later):  # worker-a crashed: its claim runs out and another takes the message
        taken = outbox.claim_next("worker-c")
    assert taken.id == first.id and taken.attempts == 2
    assert outbox.mark_sent(first, "worker-a", headers={}) is False  # too late for worker-a
    assert outbox.mark_sent(first, "worker-c", headers={}) is True
    db.session.refresh(first)
    assert (first.state, first.claimed_by) == ("sent", "worker-c")


def test_two_workers_at_once_send_each_message_exactly_once(app, smtp_server, db):
    rows = queue(40)
    smtp_server.handler.delay = 0.002  # so the two really overlap
    expected = {row.message_id for row in rows}
    start = threading.Barrier(2)
    reports, errors = [], []

    def work() -> None:
        try:
            with app.app_context():
                start.wait()
                reports.append(sending.deliver_due())
                _db.session.remove()
        except Exception as exc:  # reported below: an exception in a thread would pass unseen
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert errors == []
    received = [headers.ids_in(str(m["Message-ID"]))[0] for m in smtp_server.messages]
    assert sorted(received) == sorted(expected)  # all of them, none twice
    assert sum(r.sent for r in reports) == 40
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.state))) == {"sent"}
    assert set(db.session.scalars(select(OutboxMessage.attempts))) == {1}


def test_on_postgresql_a_row_another_worker_holds_is_skipped_not_waited_for(app, db):
    """PostgreSQL reads candidates `FOR UPDATE SKIP LOCKED`; SQLite has no row locks and relies on
    the conditional UPDATE alone (the test above covers both)."""
    first, second = queue(2)
    statements = []
    listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as other:  # another worker, in the middle of its claim
                other.execute(text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": first.id})
                assert outbox.claim_next("worker-b").id == second.id
                other.rollback()
        else:
            assert outbox.claim_next("worker-b").id == first.id
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    skip_locked = any("FOR UPDATE SKIP LOCKED" in s for s in statements)
    assert skip_locked == (db.engine.dialect.name == "postgresql")
