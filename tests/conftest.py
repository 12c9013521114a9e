"""Fixtures: an app per test on a fresh migrated database, clients, accounts and tickets."""

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from shared.core.clock import frozen_at, utcnow
from shared.core.extensions import db as _db
from shared.models import Agent, Customer, Department, OutboxMessage, Ticket
from shared.people import accounts
from shared.tickets import conversation
from tests.databases import DATABASE_KINDS, database_kind, test_databases
from tests.shared.mail.dovecot import Dovecot
from wsgi import create_app

PASSWORD = "correct horse battery"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.database("postgresql", reason="why")`: the test is for that database alone and
    is skipped, saying so, in a run on the other (DESKBELL_TEST_DB picks the run's database)."""
    here = database_kind()
    for item in items:
        if (marker := item.get_closest_marker("database")) is None:
            continue
        if len(marker.args) != 1 or marker.args[0] not in DATABASE_KINDS or set(marker.kwargs) - {"reason"}:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.database takes one of {DATABASE_KINDS}, and reason=")
        if marker.args[0] != here:
            why = marker.kwargs.get("reason")
            only = f"for {marker.args[0]} only, this run is on {here}"
            item.add_marker(pytest.mark.skip(reason=f"{only}: {why}" if why else only))


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory):
    with test_databases(tmp_path_factory.mktemp("db")) as dbs:
        yield dbs


def make_app(databases, directory: Path, *, fresh: bool = False, **config) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(directory),
            "DATABASE_URL": databases.new(directory, fresh=fresh),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "BASE_URL": "http://desk.test",
            # Cheap hashing keeps the suite fast; production uses argon2's defaults.
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
            **config,
        }
    )


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


class RequestClient(FlaskClient):
    """Each request runs in its own app context (own `g`, own database session), as in production,
    even while the test itself holds one to use the database."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # Werkzeug spools large test bodies to a temporary file and leaves it open.
        response.request.environ["wsgi.input"].close()
        _db.session.expire_all()  # the test's objects reload what the request wrote
        return response


@pytest.fixture
def app(request: pytest.FixtureRequest, databases, tmp_path: Path, app_config: dict) -> Iterator[Flask]:
    fresh = request.node.get_closest_marker("fresh_database") is not None
    app = make_app(databases, tmp_path / "instance", fresh=fresh, **app_config)
    app.test_client_class = RequestClient
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()
    databases.drop(app.config["DATABASE_URL"])


@pytest.fixture
def db(app: Flask):
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


_emails = itertools.count(1)


@pytest.fixture
def make_customer(db) -> Callable[..., Customer]:
    def make(email: str | None = None, **kwargs) -> Customer:
        kwargs.setdefault("password", PASSWORD)
        customer = accounts.create_customer(email or f"customer{next(_emails)}@example.com", **kwargs)
        db.session.commit()
        return customer

    return make


@pytest.fixture
def make_agent(db) -> Callable[..., Agent]:
    def make(email: str | None = None, **kwargs) -> Agent:
        kwargs.setdefault("password", PASSWORD)
        agent = accounts.create_agent(email or f"agent{next(_emails)}@desk.example", **kwargs)
        db.session.commit()
        return agent

    return make


@pytest.fixture
def customer(make_customer) -> Customer:
    return make_customer("alice@example.com", name="Alice Archer")


@pytest.fixture
def agent(make_agent) -> Agent:
    return make_agent("bob@desk.example", name="Bob Baker")


@pytest.fixture
def department(db) -> Department:
    return db.session.scalar(_db.select(Department).where(Department.name == "General"))


@pytest.fixture
def make_ticket(db, department) -> Callable[..., Ticket]:
    def make(customer: Customer, **kwargs) -> Ticket:
        kwargs.setdefault("subject", "The printer is on fire")
        kwargs.setdefault("body", "Smoke everywhere.")
        ticket = conversation.open_ticket(actor=customer, customer=customer, department=department, **kwargs)
        db.session.commit()
        return ticket

    return make


@pytest.fixture
def outbox(db) -> Callable[[], list[OutboxMessage]]:
    """The queued mail, oldest first."""

    def messages() -> list[OutboxMessage]:
        return list(db.session.scalars(_db.select(OutboxMessage).order_by(OutboxMessage.id)))

    return messages


@pytest.fixture
def login_as(client: FlaskClient):
    """Log `account` in through its own login page, as a person would."""

    def login(account: Customer | Agent, password: str = PASSWORD):
        area = "console" if isinstance(account, Agent) else "portal"
        response = client.post(f"/{area}/login", data={"email": account.email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return login


# --- Mail servers ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """Debian's Dovecot, started once per test process with a config of its own."""
    server = Dovecot(users=["desk"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def one_limit_window() -> Iterator[None]:
    """Stop the clock 20 seconds into this minute: the abuse limits count in fixed windows that
    restart on the minute, and a test counting to a limit must not straddle two of them."""
    with frozen_at(utcnow().replace(second=20, microsecond=0)):
        yield
