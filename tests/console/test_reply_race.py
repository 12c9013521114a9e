"""Two agents answer the same ticket at the same instant: one reply goes out, the other is held back.

Real concurrent requests against a live, threaded server over a real database file (or PostgreSQL
with DESKBELL_TEST_DB=postgresql), repeated so that a check that is not one step with the post
would let both through in some round.
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from shared.core.extensions import db
from shared.models import Department, Entry, Ticket
from shared.records import history
from tests.conftest import PASSWORD, make_app

ROUNDS = 12


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def server(databases, tmp_path) -> Iterator[tuple]:
    app = make_app(databases, tmp_path / "instance", SERVER_NAME=None)
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(app.config["DATABASE_URL"])


def _browser(base: str, email: str):
    """An agent's own cookie jar, logged in through the console's login page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def post(path: str, form: dict) -> int:
        data = urllib.parse.urlencode(form).encode()
        try:
            with opener.open(urllib.request.Request(base + path, data=data), timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    assert post("/console/login", {"email": email, "password": PASSWORD}) == 303
    return post


def _send(start: threading.Barrier, post, url: str, form: dict, codes: dict, i: int) -> None:
    start.wait(timeout=10)
    codes[i] = post(url, form)


def test_two_agents_answering_at_the_same_instant_one_is_held_back_every_time(server) -> None:
    app, base = server
    with app.app_context():
        from shared.people import accounts
        from shared.tickets import conversation

        ann = accounts.create_agent("ann@desk.test", name="Ann", password=PASSWORD)
        bob = accounts.create_agent("bob@desk.test", name="Bob", password=PASSWORD)
        customer = accounts.create_customer("cus@example.com", name="Cus", password=PASSWORD)
        ticket = conversation.open_ticket(
            actor=customer,
            customer=customer,
            subject="Both at once",
            body="Hello?",
            department=db.session.scalars(db.select(Department)).first(),
        )
        db.session.commit()
        number, ticket_id, agents = ticket.number, ticket.id, [ann.email, bob.email]
    posts = [_browser(base, email) for email in agents]
    url = f"/console/tickets/{number}/reply"
    for round_ in range(ROUNDS):
        with app.app_context():
            seen = history.last_entry_id(db.session.get(Ticket, ticket_id))
        start = threading.Barrier(2)
        codes: dict[int, int] = {}
        forms = [{"visibility": "public", "body": f"Round {round_} from agent {i}", "seen": seen} for i in range(2)]
        threads = [threading.Thread(target=_send, args=(start, posts[i], url, forms[i], codes, i)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with app.app_context():
            sent = db.session.scalars(
                db.select(Entry.body).where(Entry.ticket_id == ticket_id, Entry.body.like(f"Round {round_} %"))
            ).all()
        assert sorted(codes.values()) == [303, 409], f"round {round_}: {codes}"
        assert len(sent) == 1, f"round {round_}: both replies went out: {sent}"
