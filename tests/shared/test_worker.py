"""The worker (its jobs, `--once`, the real command stopping on SIGTERM) and the demo's mail catcher."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from shared import worker
from shared.core.clock import frozen_at
from shared.mail import catcher
from shared.models import utcnow
from shared.tickets import conversation
from tests.databases import free_port

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def flask(app, *args: str, **env: str) -> subprocess.Popen:
    """`flask --app wsgi ARGS` in its own process, on the test's database and instance folder."""
    environment = {
        **os.environ,
        "DESKBELL_INSTANCE_PATH": app.instance_path,
        "DESKBELL_DATABASE_URL": app.config["DATABASE_URL"],
        "DESKBELL_SECRET_KEY": app.config["SECRET_KEY"],
        **env,
    }
    command = [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", *args]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=10)
    return output.decode()


def test_once_runs_the_timers_then_sends_what_they_queued(runner, smtp_server, customer, agent, make_ticket, db):
    ticket = make_ticket(customer)
    conversation.post_reply(ticket, actor=agent, body="Is it still burning?")  # now waiting on the customer
    db.session.commit()
    address = customer.email  # the worker ends the session its jobs used, which is the test's here
    with frozen_at(utcnow() + timedelta(days=8)):
        result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "pending-expiry: 1 ticket(s) closed" in result.output
    assert "outbox: 4 sent, 0 to retry, 0 failed" in result.output  # and Bob's new-ticket notice
    subjects = [m["Subject"] for m in smtp_server.messages if m["To"] == address]
    assert subjects == [
        "[#1001] We received your request: The printer is on fire",
        "[#1001] Re: The printer is on fire",
        "[#1001] Closed: The printer is on fire",
    ]


def test_a_failing_job_is_logged_and_the_others_still_run(app, caplog):
    ran = []

    def broken() -> None:
        raise RuntimeError("the job broke")

    jobs = [
        worker.Job("broken", broken, "WORKER_TIMERS_SECONDS"),
        worker.Job("fine", lambda: ran.append(1) or "ok", "X"),
    ]
    assert worker.run_once(jobs) == {"broken": None, "fine": "ok"}
    assert ran == [1] and "the job broke" in caplog.text


def test_run_forever_repeats_jobs_on_their_interval_until_stopped(app):
    app.config.update(FAST_SECONDS=0.05, SLOW_SECONDS=60)
    fast, slow = [], []
    jobs = [
        worker.Job("fast", lambda: fast.append(1), "FAST_SECONDS"),
        worker.Job("slow", lambda: slow.append(1), "SLOW_SECONDS"),
    ]
    stop = threading.Event()

    def run() -> None:
        with app.app_context():
            worker.run_forever(stop, jobs)

    thread = threading.Thread(target=run)
    thread.start()
    wait_for(lambda: len(fast) >= 3)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(slow) == 1


def test_the_worker_command_sends_and_stops_on_sigterm(app, smtp_server, customer, make_ticket):
    make_ticket(customer)
    process = flask(app, "worker", DESKBELL_SMTP_URL=smtp_server.url)
    try:
        wait_for(lambda: len(smtp_server.messages) == 1, timeout=20)
    finally:
        output = stop(process)
    assert process.returncode == 0, output
    assert "Worker running: pending-expiry, " in output and ", outbox (Ctrl-C stops it)" in output


def test_the_catcher_saves_each_message_and_lists_them_newest_first(app):
    port = free_port()
    process = flask(app, "mail", "catcher", "--port", str(port))
    try:
        wait_for(lambda: port_open(port), timeout=20)
        for subject in ("First", "Second, in Русский"):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "desk@example.com", "alice@example.com", subject
            message["Date"] = "Tue, 01 Dec 2026 10:00:00 +0000"
            message.set_content("Hello")
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                smtp.send_message(message)
    finally:
        output = stop(process)
    assert f"Catching mail on 127.0.0.1:{port}" in output
    caught = catcher.caught()
    assert [c.subject for c in caught] == ["Second, in Русский", "First"]
    assert caught[0].sender == "desk@example.com" and caught[0].to == "alice@example.com"
    assert caught[0].date.isoformat() == "2026-12-01T10:00:00+00:00"
    assert caught[0].path.parent == Path(app.instance_path) / "mail-catcher" and caught[0].size > 0
    assert catcher.read(caught[1].name).get_content().strip() == "Hello"
    assert catcher.caught(limit=1) == caught[:1]


@pytest.mark.parametrize("name", ["../deskbell.sqlite", "nothing.eml", ".20261201T100000000000-abcdef12.eml.tmp"])
def test_the_catcher_reads_only_its_own_files(app, name):
    assert catcher.read(name) is None


def test_no_catcher_folder_means_nothing_caught(app):
    assert catcher.caught() == []
