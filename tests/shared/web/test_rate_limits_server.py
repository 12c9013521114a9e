"""The limits hold against parallel requests spread over gunicorn's workers: a real gunicorn with 2
workers on a migrated desk (SQLite, or PostgreSQL with DESKBELL_TEST_DB=postgresql) gets 30
requests at once, and no more than the limit get past it."""

import http.client
import re
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.processes import Server, Session
from shared.core.extensions import db
from shared.models import Department, Ticket
from shared.people import accounts
from tests.conftest import PASSWORD
from wsgi import create_app

LIMIT = 5
PARALLEL = 30
SECRET = "server-test-secret"


@pytest.fixture(scope="module")
def desk(databases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Two customers and the General department in a migrated database of the suite's kind."""
    home = tmp_path_factory.mktemp("limits-server")
    url = databases.new(home / "instance")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(home / "instance"), "DATABASE_URL": url,
                      "SECRET_KEY": SECRET, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024})  # fmt: skip
    with app.app_context():
        for email in ("guessed@example.com", "flooder@example.com"):
            accounts.create_customer(email, password=PASSWORD)
        department = db.session.scalar(select(Department.id).where(Department.name == "General"))
        db.session.commit()
    yield {"app": app, "url": url, "home": home, "department": department}
    with app.app_context():
        db.engine.dispose()
    databases.drop(url)


@pytest.fixture(scope="module")
def server(desk) -> Iterator[Server]:
    home: Path = desk["home"]
    env = {
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "DESKBELL_SECRET_KEY": SECRET,
        "DESKBELL_INSTANCE_PATH": str(home / "instance"),
        "DESKBELL_DATABASE_URL": desk["url"],
        "DESKBELL_LOGIN_RATE_LIMIT": "1000 per minute",  # every request comes from 127.0.0.1
        "DESKBELL_LOGIN_ADDRESS_RATE_LIMIT": f"{LIMIT} per hour",
        "DESKBELL_TICKET_RATE_LIMIT": "1000 per hour",
        "DESKBELL_TICKET_ACCOUNT_RATE_LIMIT": f"{LIMIT} per hour",
        # Which worker answered each request (its pid), to show the requests were spread.
        "GUNICORN_CMD_ARGS": f"--access-logfile {home / 'access.log'} --access-logformat '%(p)s %(m)s %(U)s %(s)s'",
    }
    server = Server("wsgi:create_app()", home, env)
    yield server
    server.stop()
    log = server.log.read_text()
    assert "Traceback" not in log and "database is locked" not in log, log


def _inside_one_window() -> None:
    """The hourly windows must not turn over during a burst (which would rightly let more through)."""
    left = 3600 - time.time() % 3600
    if left < 60:
        time.sleep(left + 1)


def _burst(server: Server, path: str, body: dict[str, str], cookie: str) -> Counter:
    """PARALLEL POSTs released at the same instant, each on its own connection; their status codes."""
    data = urllib.parse.urlencode(body)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    start = threading.Barrier(PARALLEL)

    def post(_: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            start.wait()
            connection.request("POST", path, data, headers)
            return connection.getresponse().status
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        return Counter(pool.map(post, range(PARALLEL)))


def _visitor(server: Server, path: str) -> tuple[str, str]:
    """A visitor who opened `path`, not logged in: their session cookie and its CSRF token."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(server.base + path) as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def _workers_that_answered(desk, path: str) -> set[str]:
    lines = (desk["home"] / "access.log").read_text().splitlines()
    return {line.split()[0] for line in lines if line.split()[1:3] == ["POST", path]}


def test_parallel_login_attempts_for_one_address_over_two_workers_get_no_more_than_the_limit(server, desk):
    cookie, token = _visitor(server, "/portal/login")
    _inside_one_window()
    body = {"email": "guessed@example.com", "password": "a wrong guess", "csrf_token": token}
    codes = _burst(server, "/portal/login", body, cookie)
    assert codes == Counter({429: PARALLEL - LIMIT, 422: LIMIT})  # 422: a password checked, and wrong
    assert len(_workers_that_answered(desk, "/portal/login")) == 2


def test_parallel_filings_from_one_account_over_two_workers_file_no_more_than_the_limit(server, desk):
    customer = Session(server.base, "portal", "flooder@example.com", PASSWORD)
    token = customer.csrf("/portal/tickets/new")
    _inside_one_window()
    body = {"type": "bug", "department": str(desk["department"]), "product": "0", "subject": "Flood",
            "body": "One of many.", "csrf_token": token}  # fmt: skip
    codes = _burst(server, "/portal/tickets/new", body, customer.cookie)
    assert codes == Counter({429: PARALLEL - LIMIT, 303: LIMIT})
    with desk["app"].app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == LIMIT
    assert len(_workers_that_answered(desk, "/portal/tickets/new")) == 2
