"""The application as a whole: configuration, health, request logging, the command line."""

import json
import logging

import pytest
from sqlalchemy import create_engine, inspect, select

from shared.core.config import ConfigError
from shared.models import Agent, Customer, Rule, Status
from shared.people import accounts
from wsgi import create_app


def test_missing_secret_key_is_a_startup_error_in_production(tmp_path, monkeypatch):
    monkeypatch.delenv("DESKBELL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="DESKBELL_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_secret_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKBELL_SECRET_KEY", "from-env")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"] == "from-env"


def test_secret_key_from_the_instance_config(tmp_path, monkeypatch):
    monkeypatch.delenv("DESKBELL_SECRET_KEY", raising=False)
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-file'\nDESK_NAME = 'Acme Help'\n")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert (app.config["SECRET_KEY"], app.config["DESK_NAME"]) == ("from-file", "Acme Help")


def test_development_and_tests_run_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("DESKBELL_SECRET_KEY", raising=False)
    assert create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development"}).config["SECRET_KEY"]
    assert create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True}).config["SECRET_KEY"]


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_database_does_not(databases, tmp_path):
    app = create_app(
        {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/x.db"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_one_structured_log_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="deskbell.request"):
        client.get("/healthz")
        client.get("/portal/login")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "deskbell.request"]
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/healthz", 200),
        ("GET", "/portal/login", 200),
    ]
    assert all(isinstance(line["ms"], float) for line in lines)


def test_db_upgrade_builds_an_empty_instance(tmp_path, monkeypatch):
    """`flask db upgrade` alone makes a working desk: schema, statuses, rules, a department."""
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path}/fresh.sqlite"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        from shared.core.extensions import db

        assert [s.key for s in db.session.scalars(select(Status).order_by(Status.position))] == [
            "new",
            "assigned",
            "waiting",
            "feature_filed",
            "bug_filed",
            "closed",
        ]
        assert len(db.session.scalars(select(Rule)).all()) == 9
        db.session.remove()
        db.engine.dispose()
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"tickets", "entries", "attachments", "customers", "agents", "outbox", "rules", "statuses"} <= tables


def test_ticket_queue_indexes_exist(app, db):
    indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("tickets")}
    assert {"ix_tickets_status_updated", "ix_tickets_assignee_updated", "ix_tickets_department_updated"} <= indexes


def test_cli_creates_accounts(runner, db):
    result = runner.invoke(args=["users", "create-agent", "Root@Desk.Example", "--admin", "--password", "x" * 12])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["users", "create-customer", "c@example.com", "--organization", "Acme", "--password", "y" * 12]
    )
    assert result.exit_code == 0, result.output
    agent = accounts.find_agent("root@desk.example")
    customer = accounts.find_customer("c@example.com")
    assert agent.is_admin and isinstance(agent, Agent)
    assert isinstance(customer, Customer) and customer.organization.name == "Acme"
    assert accounts.authenticate(Agent, "root@desk.example", "x" * 12) is agent


def test_cli_asks_for_the_password_when_not_given(runner, db):
    result = runner.invoke(args=["users", "create-agent", "ask@desk.example"], input="s3cret-pass-1\ns3cret-pass-1\n")
    assert result.exit_code == 0, result.output
    assert accounts.authenticate(Agent, "ask@desk.example", "s3cret-pass-1") is not None


def test_cli_reports_bad_input_clearly(runner, db):
    runner.invoke(args=["users", "create-agent", "dup@desk.example", "--password", "x" * 12])
    result = runner.invoke(args=["users", "create-agent", "dup@desk.example", "--password", "x" * 12])
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(args=["users", "create-customer", "not-an-address", "--password", "x" * 12])
    assert result.exit_code != 0 and "valid email" in result.output
    result = runner.invoke(args=["users", "create-customer", "short@example.com", "--password", "short"])
    assert result.exit_code != 0 and "at least 10" in result.output


# SQLite's reflection cannot read indexes on expressions (lower(email)): PostgreSQL compares them.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_the_migrations_build_exactly_the_models(app, db):
    """A model change without its migration would work in tests (built from migrations) yet
    differ from what the code expects; Alembic's own comparison catches it on either database.
    The search index's tables alone are no model (migration 0011 builds them by hand)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from shared.search import index

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": index.include_name})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    assert index.TABLE in inspect(db.engine).get_table_names()


def test_the_icon_is_linked_and_favicon_ico_leads_to_it(client):
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/portal/login").get_data(as_text=True)
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.data.startswith(b"<svg") and icon.mimetype == "image/svg+xml"
    icon.close()
