"""No 500 for bad input anywhere: the app's whole URL map, walked with hostile values.

Each path parameter of every rule, and each query argument and form field its view reads, gets every
value in HOSTILE in turn: as nobody, a customer, an agent and an admin, by each of the rule's methods,
with and without HX-Request (alternately, value by value). What a view reads is found by watching
which names it looks up in `request.args` and `request.form` (plus EXTRA_FIELDS, read only past a
valid form); the other fields of the form carry GOOD values, so one hostile value reaches the domain.

Any 5xx (the test client raises what would be one) fails the walk, and so does a refused answer (a
4xx, or the login page) after which the database holds a change. A hostile id in a path must be a
404 before any view runs. New routes are walked as they come; a path parameter without a sample in
tests/routes.py fails test_every_path_parameter_has_a_sample, which says so.
"""

import logging
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.routing import IntegerConverter, Rule

from shared.core.extensions import db
from shared.models import BusinessCalendar, Department, LoginSession, OutboxMessage
from shared.people import accounts, organizations
from shared.queues import saved_views
from shared.records import catalog
from shared.sla import calendars
from shared.tickets import canned, conversation
from shared.tickets.attachments import Upload
from tests.conftest import PASSWORD, RequestClient, make_app
from tests.routes import SAMPLE_VALUES
from tests.shared.mail.inbound import compose, deliver
from tests.watching import WatchedRequest, Writes, names_read

HOSTILE = {
    "2**31": str(2**31),  # one past PostgreSQL's INTEGER, which every id column is
    "2**63": str(2**63),  # one past a 64-bit integer (SQLite's)
    "2**64": str(2**64),
    "10**30": str(10**30),
    "negative": "-1",
    "zero": "0",
    "word": "abc",
    "CR/LF": "1\r\nSet-Cookie: walked=1",
    "NUL": "1\x00",
    "unicode": "\u00fcn\u00efc\u00f6de \u2603 \U0001f600",
    "superscript two": "\u00b2",  # a digit to str.isdigit, not to int()
    "10,000 characters": "x" * 10_000,
    "10,000 digits": "9" * 10_000,  # past Python's int() digit limit too
    "year 9999": "9999-12-31",
    "year 1": "0001-01-01",
    "scheme": "javascript:alert(1)",
    "other host": "//evil.example/x",
    "backslash host": "/\\evil.example",
    "portal path, CR/LF": "/portal/tickets\r\nSet-Cookie: walked=1",
    "console path, NUL": "/console/\x00",
}

# Names a view reads only once the rest of the request is valid, so the watch cannot see them.
EXTRA_FIELDS = {"portal.login": ["next"], "console.login": ["next"], "console.away_switch": ["next"]}

# Values that make the rest of a form valid, so a hostile value in one field reaches the domain.
GOOD = {
    "body": "Walked here.",
    "subject": "A walk",
    "name": "Walker",
    "title": "A walk",
    "comment": "Fine.",
    "score": "4",
    "email": "walker@example.com",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "customer_email": "walker@example.com",
    "state": "on",
    "relation": "related",
    "visibility": "internal",
    "minutes": "5",
    "type": "question",
    "priority": "normal",
    "channel": "phone",
    "requester": "customer",
    "strategy": "manual",
    "timezone": "UTC",
    "work_days": "0",
    "day_start": "09:00",
    "day_end": "17:00",
    "holiday-day": "2031-01-02",
    "first_response": "4",
    "first_response_unit": "hours",
    "resolution": "2",
    "resolution_unit": "days",
}
# The same where one endpoint needs its own: logging in for real, so that `next` is followed.
GOOD_FOR = {"portal.login": {"email": "alice@example.com"}, "console.login": {"email": "bob@desk.example"}}

# Tables a refused request may write: bookkeeping such as counted attempts. None yet.
BOOKKEEPING: set[str] = set()

ROLES = ("anonymous", "customer", "agent", "admin")
WALKERS = {"customer": "alice@example.com", "agent": "bob@desk.example", "admin": "ada@desk.example"}
LOGIN = {"customer": "/portal/login", "agent": "/console/login", "admin": "/console/login"}
HOME = {"customer": "/portal/tickets", "agent": "/console/", "admin": "/console/admin/agents"}
_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def area_of(endpoint: str) -> str:
    """The part of the walk an endpoint is in: the admin area apart, it being the console's biggest."""
    if endpoint.startswith("console.admin."):
        return "admin"
    return endpoint.split(".")[0] if "." in endpoint else "app"


AREAS = ("app", "portal", "console", "admin")


# --- The desk the walk runs on -------------------------------------------------------------------


@dataclass
class Desk:
    app: Flask
    samples: dict[str, object]
    writes: Writes
    cookies: dict[str, str] = field(default_factory=lambda: {"anonymous": ""})  # role -> session cookie
    failures: list[str] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)  # "role status" -> how many

    def log_in(self) -> None:
        """Every walker logged in (again, if the walk logged one out or a change ended its session)."""
        for role, email in WALKERS.items():
            if role in self.cookies and self._still_in(role):
                continue
            client = self.app.test_client()
            response = client.post(LOGIN[role], data={"email": email, "password": PASSWORD})
            assert response.status_code == 303, f"{role} cannot log in: {response.get_data(as_text=True)[:300]}"
            self.cookies[role] = client.get_cookie("session").value

    def _still_in(self, role: str) -> bool:
        return self.app.test_client().get(HOME[role], headers=self._cookie(role)).status_code == 200

    def _cookie(self, role: str) -> dict[str, str]:
        return {"Cookie": f"session={self.cookies[role]}"} if self.cookies.get(role) else {}


def _seed() -> dict[str, object]:
    """The records the sample path values name, and the accounts that walk; a target agent of its
    own, so that the walk deactivating one never locks a walker out."""
    target = accounts.create_agent("tara@desk.example", name="Tara Target", password=PASSWORD)
    accounts.create_agent(WALKERS["agent"], name="Bob Baker", password=PASSWORD)
    admin = accounts.create_agent(WALKERS["admin"], name="Ada Admin", password=PASSWORD, is_admin=True)
    alice = accounts.create_customer(WALKERS["customer"], name="Alice Archer", password=PASSWORD)
    department = db.session.scalar(db.select(Department).order_by(Department.id))
    ticket = conversation.open_ticket(
        actor=alice,
        customer=alice,
        department=department,
        subject="The printer is on fire",
        body="Smoke everywhere.",
        uploads=[Upload("smoke.txt", b"smoke")],
    )
    conversation.open_ticket(actor=alice, customer=alice, department=department, subject="Another", body="One more.")
    organization = organizations.create_organization("Archers", actor=admin)
    organizations.add_member(organization, alice.email, actor=admin)
    product = catalog.create_product("Printer", department=department, actor=admin)
    reply = canned.create_canned("Thanks", "Thank you, {customer_name}.", shared=True, actor=admin)
    view = saved_views.save_view(admin, "Mine", "queue=mine")
    calendar = db.session.scalar(db.select(BusinessCalendar).order_by(BusinessCalendar.id))
    holiday = calendars.add_holiday(calendar, date(2031, 1, 1), "New year", actor=admin)
    db.session.commit()
    held = deliver(compose(sender="Carol <carol@example.com>", subject=f"Re: [#{ticket.number}] Me too", body="Same."))
    return {
        **SAMPLE_VALUES,
        "number": ticket.number,
        "attachment_id": ticket.entries[0].attachments[0].id,
        "agent_id": target.id,
        "customer_id": alice.id,
        "organization_id": organization.id,
        "department_id": department.id,
        "product_id": product.id,
        "canned_id": reply.id,
        "view_id": view.id,
        "calendar_id": calendar.id,
        "holiday_id": holiday.id,
        "inbound_id": held.id,
        "outbox_id": db.session.scalar(db.select(db.func.min(OutboxMessage.id))),
    }


@pytest.fixture(scope="module")
def desk(databases, tmp_path_factory) -> Iterator[Desk]:
    """One desk for the whole walk (a desk per test would cost more than the walk)."""
    app = make_app(databases, tmp_path_factory.mktemp("walk") / "instance")
    app.request_class = WatchedRequest
    app.test_client_class = RequestClient
    quiet = logging.getLogger("deskbell.request")
    quiet.disabled = True  # thousands of lines nobody reads
    with app.app_context():
        desk = Desk(app, _seed(), Writes(db.engine, ignored=BOOKKEEPING))
        yield desk
        db.session.remove()
        db.engine.dispose()
    quiet.disabled = False
    databases.drop(app.config["DATABASE_URL"])


# --- The walk --------------------------------------------------------------------------------------


def _path(rule: Rule, values: dict[str, object]) -> str:
    return _PARAMETER.sub(lambda m: quote(str(values[m.group(1)]), safe=""), rule.rule)


def _refused(response, path: str) -> bool:
    location = response.headers.get("Location", "")
    if path.split("?")[0].endswith("/logout"):  # logging out ends the session (a write) and leads to the login
        return 400 <= response.status_code < 500
    return 400 <= response.status_code < 500 or location.split("?")[0] in set(LOGIN.values())


def _send(desk: Desk, role: str, method: str, path: str, *, what: str, hx: bool, **kwargs):
    """One request; a 5xx, an exception or a refusal that changed the database is a failure."""
    headers = {"HX-Request": "true"} if hx else {}
    client = desk.app.test_client(use_cookies=False)  # nothing the walk does changes a walker's cookie
    where = f"{role} {method} {path[:100]} {what}{' (htmx)' if hx else ''}"
    desk.writes.take()
    try:
        response = client.open(path, method=method, headers=headers | desk._cookie(role), **kwargs)
        response.close()  # a download's file
    except Exception as exc:  # the test client raises what would be a 500
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        desk.failures.append(f"{where}: {type(exc).__name__}: {str(exc)[:160]} at {frame.filename}:{frame.lineno}")
        return None
    key = f"{role} {response.status_code}"
    desk.answered[key] = desk.answered.get(key, 0) + 1
    if response.status_code >= 500:
        desk.failures.append(f"{where}: {response.status_code}")
    elif _refused(response, path) and (written := desk.writes.take()):
        desk.failures.append(f"{where}: refused with {response.status_code} but wrote {sorted(written)}")
    return response


def _watch(desk: Desk, role: str, method: str, path: str) -> list[tuple[str, str]]:
    """The names the view reads, from a request that carries one harmless name in each place (a
    form with nothing in it is not even read)."""
    names_read.clear()
    kwargs = {"query_string": {"_walk": "1"}} | ({"data": {"_walk": "1"}} if method != "GET" else {})
    _send(desk, role, method, path, what="(watching)", hx=False, **kwargs)
    read = [(where, name) for where, name in dict.fromkeys(names_read) if name != "_walk"]
    names_read.clear()
    return read


def _walk_path(desk: Desk, role: str, rule: Rule, method: str) -> None:
    for name in sorted(rule.arguments):
        is_int = isinstance(rule._converters[name], IntegerConverter)
        for n, (label, value) in enumerate(HOSTILE.items()):
            path = _path(rule, {**desk.samples, name: value})
            response = _send(desk, role, method, path, what=f"<{name}>={label}", hx=n % 2 == 1)
            if response is not None and is_int and response.status_code != 404:
                desk.failures.append(f"{role} {method} {rule.rule} <{name}>={label}: {response.status_code}, not 404")


def _walk_fields(desk: Desk, role: str, rule: Rule, method: str) -> None:
    """Each name the view reads gets each hostile value, the rest of its form GOOD; a field repeated
    under prefixes (`urgent-resolution`, `high-resolution`) is walked once."""
    path = _path(rule, desk.samples)
    read = _watch(desk, role, method, path) + [("args", name) for name in EXTRA_FIELDS.get(rule.endpoint, [])]
    good = GOOD | GOOD_FOR.get(rule.endpoint, {})
    form, walked = {}, {}
    for where, name in read:
        value = good.get(name, good.get(name.rsplit("-", 1)[-1]))
        if where == "form" and value is not None:
            form[name] = value
        walked.setdefault((where, name.rsplit("-", 1)[-1]), name)
    for (where, _), name in walked.items():
        for n, (label, value) in enumerate(HOSTILE.items()):
            kwargs: dict = {"query_string": {name: value}} if where == "args" else {}
            if method != "GET":
                kwargs["data"] = {**form, name: value} if where == "form" else form
            _send(desk, role, method, path, what=f"{where} {name}={label}", hx=n % 2 == 1, **kwargs)


def _rules(app: Flask, area: str) -> list[Rule]:
    """The area's rules with a sample for each parameter, logging out last."""
    rules = [r for r in app.url_map.iter_rules() if area_of(r.endpoint) == area]
    rules = [r for r in rules if all(name in SAMPLE_VALUES for name in r.arguments)]
    return sorted(rules, key=lambda r: r.rule.endswith("/logout"))


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_value_gets_a_server_error(desk, role, area):
    desk.log_in()
    for rule in _rules(desk.app, area):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            _walk_path(desk, role, rule, method)
            _walk_fields(desk, role, rule, method)
    failures, desk.failures[:] = list(desk.failures), []
    assert not failures, f"{len(failures)} requests went wrong:\n" + "\n".join(failures[:80])


def test_every_path_parameter_has_a_sample(desk):
    missing = {
        f"{rule.rule}: <{name}>"
        for rule in desk.app.url_map.iter_rules()
        for name in rule.arguments
        if name not in SAMPLE_VALUES
    }
    assert not missing, f"Add a sample value to SAMPLE_VALUES in tests/routes.py for {sorted(missing)}"


def test_every_endpoint_is_in_an_area_the_walk_takes(desk):
    assert {area_of(rule.endpoint) for rule in desk.app.url_map.iter_rules()} <= set(AREAS)


# --- The walk's own instruments can fail ---------------------------------------------------------


def test_the_watch_sees_what_a_view_reads(desk):
    desk.log_in()
    read = _watch(desk, "agent", "GET", "/console/search")
    assert {("args", "q"), ("args", "since"), ("args", "page")} <= set(read)
    read = _watch(desk, "agent", "POST", f"/console/tickets/{desk.samples['number']}/reply")
    assert {("form", "body"), ("form", "minutes"), ("form", "seen")} <= set(read)


def _swapped_view(desk: Desk, endpoint: str, view) -> Iterator[None]:
    original = desk.app.view_functions[endpoint]
    desk.app.view_functions[endpoint] = view
    try:
        yield
    finally:
        desk.app.view_functions[endpoint] = original


def test_the_walk_sees_a_server_error_and_a_refusal_that_wrote(desk):
    def failing():
        raise RuntimeError("walked into")

    def refusing_after_a_write():
        organizations.create_organization("Written anyway", actor=None)
        db.session.commit()
        return "refused", 422

    for view in (failing, refusing_after_a_write):
        with contextmanager(_swapped_view)(desk, "healthz", view):
            _send(desk, "anonymous", "GET", "/healthz", what="(instrument check)", hx=False)
    failures, desk.failures[:] = list(desk.failures), []
    assert len(failures) == 2
    assert "RuntimeError: walked into" in failures[0]
    assert "refused with 422 but wrote ['audit_events', 'organizations']" in failures[1]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_only_the_session_touch_is_left_out_of_the_writes(dialect):
    """The once-a-minute touch is not a write a refused request made; ending a session is."""
    touch = update(LoginSession).where(LoginSession.id == "x").values(last_seen_at=None)
    end = update(LoginSession).where(LoginSession.id == "x").values(ended_at=None)
    both = update(LoginSession).where(LoginSession.id == "x").values(last_seen_at=None, ended_at=None)
    statements = {
        name: str(query.compile(dialect=dialect)) for name, query in [("touch", touch), ("end", end), ("both", both)]
    }
    assert Writes.SESSION_TOUCH.match(statements["touch"])
    assert not Writes.SESSION_TOUCH.match(statements["end"]) and not Writes.SESSION_TOUCH.match(statements["both"])
