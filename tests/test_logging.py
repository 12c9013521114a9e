"""The logs: secrets in URLs (reset and invitation links) never reach them, and every line says when
it was written, in ISO 8601 UTC: the request log's JSON, the app's loggers, and `flask worker`."""

import io
import json
import logging
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.core.logs import UtcFormatter
from shared.web.htmx import request_log

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def written() -> Iterator[dict[str, io.StringIO]]:
    """What the request log's handler and the desk's own handler write, as they write it."""
    handlers = {"request": request_log.handlers[0]}
    handlers["desk"] = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, UtcFormatter))
    streams = {name: io.StringIO() for name in handlers}
    old = {name: handler.setStream(streams[name]) for name, handler in handlers.items()}
    yield streams
    for name, handler in handlers.items():
        handler.setStream(old[name])


def request_lines(written) -> list[dict]:
    return [json.loads(line) for line in written["request"].getvalue().splitlines()]


def recent(stamp: str) -> bool:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return abs((datetime.now(UTC) - moment).total_seconds()) < 60


def test_a_reset_token_never_reaches_the_log(client, customer, outbox, written):
    client.post("/portal/reset", data={"email": customer.email})
    link = re.search(r"http://desk.test(/portal/reset/(\S+))", outbox()[-1].body_text)
    path, token = link.group(1), link.group(2)
    client.get(path)
    client.get(f"{path}/")  # a mail client's trailing slash: no route, still no token
    client.get(f"/portal/login?next=/portal/reset/{token}&token={token}")
    client.post(path, data={"password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    lines = request_lines(written)
    assert token not in written["request"].getvalue() and token not in written["desk"].getvalue()
    assert [(line["method"], line["route"]) for line in lines] == [
        ("POST", "/portal/reset"),
        ("GET", "/portal/reset/<token>"),
        ("GET", None),
        ("GET", "/portal/login"),
        ("POST", "/portal/reset/<token>"),
    ]


def test_an_invitation_token_never_reaches_the_log(client, make_agent, login_as, outbox, written):
    login_as(make_agent("ada@desk.example", is_admin=True))
    client.post("/console/admin/agents", data={"name": "Newcomer", "email": "new@desk.example"})
    path, token = re.search(r"http://desk.test(/console/reset/(\S+))", outbox()[-1].body_text).groups()
    client.get(path)
    assert token not in written["request"].getvalue() + written["desk"].getvalue()
    assert request_lines(written)[-1]["route"] == "/console/reset/<token>"


def test_every_request_line_starts_with_its_time(client, written):
    client.get("/healthz")
    client.get("/portal/login", headers={"HX-Request": "true"})
    raw = written["request"].getvalue().splitlines()
    assert len(raw) == 2 and all(line.startswith('{"time": "') for line in raw)
    assert all(ISO_UTC.fullmatch(line["time"]) and recent(line["time"]) for line in request_lines(written))


def test_the_apps_loggers_write_timestamped_lines(app, written):
    logging.getLogger("deskbell.mail").warning("could not send outbox message %s", 7)
    app.logger.error("a view failed")
    lines = written["desk"].getvalue().splitlines()
    assert [ISO_UTC.sub("<time>", line) for line in lines] == [
        "<time> WARNING deskbell.mail: could not send outbox message 7",
        "<time> ERROR wsgi: a view failed",
    ]
    assert all(recent(ISO_UTC.match(line).group(0)) for line in lines)


def test_the_worker_process_writes_timestamped_lines(app, tmp_path):
    """`flask worker` as it runs beside gunicorn: its log on standard error, each line with its time."""
    env = {
        **os.environ,
        "DESKBELL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DESKBELL_INSTANCE_PATH": str(tmp_path / "worker"),
        "DESKBELL_SECRET_KEY": "worker-test",
        "DESKBELL_SMTP_URL": "",
        "TZ": "America/New_York",  # the timestamps are UTC whatever the machine's zone
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        selector = selectors.DefaultSelector()
        selector.register(worker.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + 30
        while not any(" deskbell.worker: " in line for line in lines) and time.monotonic() < deadline:
            if selector.select(timeout=1):
                line = worker.stderr.readline()
                if not line:
                    break
                lines.append(line.rstrip("\n"))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
        worker.stderr.close()
    assert any(" INFO deskbell.worker: pending-expiry: " in line for line in lines), lines
    assert all(ISO_UTC.match(line) and recent(ISO_UTC.match(line).group(0)) for line in lines), lines
