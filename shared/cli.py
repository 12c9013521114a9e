"""The `flask --app wsgi ...` commands: accounts, timers and demo data."""

import click
from flask import Flask
from flask.cli import AppGroup

from shared import accounts, tickets
from shared.errors import DomainError
from shared.extensions import db

users_cli = AppGroup("users", help="Create agent and customer accounts.")
timers_cli = AppGroup("timers", help="Run time-based rules once (the worker also runs them).")
demo_cli = AppGroup("demo", help="Demo data.")


def _password_option(kind: str):
    return click.option("--password", help=f"The {kind}'s password; asked for when not given.")


def _run(verb, *args, **kwargs):
    try:
        result = verb(*args, **kwargs)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    return result


@users_cli.command("create-agent")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the agent the admin flag.")
@click.option("--name", default="", help="Full name.")
@_password_option("agent")
def create_agent_command(email: str, admin: bool, name: str, password: str | None) -> None:
    """Create an agent who logs in at /console/login."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    agent = _run(accounts.create_agent, email, name=name, password=password, is_admin=admin)
    click.echo(f"Created {'admin ' if admin else ''}agent {agent.email}")


@users_cli.command("create-customer")
@click.argument("email")
@click.option("--name", default="", help="Full name.")
@click.option("--organization", default=None, help="Organization name; created when new.")
@_password_option("customer")
def create_customer_command(email: str, name: str, organization: str | None, password: str | None) -> None:
    """Create a customer who logs in at /portal/login."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    customer = _run(accounts.create_customer, email, name=name, password=password, organization=organization)
    click.echo(f"Created customer {customer.email}")


@timers_cli.command("run")
def timers_run_command() -> None:
    """Close tickets that have waited on the customer too long (rule 7)."""
    moved = _run(tickets.expire_pending)
    click.echo(f"{moved} ticket(s) closed after waiting on the customer")


@demo_cli.command("seed")
@click.option("--tickets", "count", default=200, show_default=True, help="How many tickets to create.")
def demo_seed_command(count: int) -> None:
    """Load demo agents, customers and tickets; does nothing when demo data is already there."""
    from shared import demo

    if demo.already_seeded():
        click.echo("Demo data is already loaded; keeping it.")
    else:
        with click.progressbar(length=count, label="Seeding tickets") as bar:
            demo.seed(count, progress=bar.update)
        db.session.commit()
    for line in demo.login_lines():
        click.echo(line)


def init_cli(app: Flask) -> None:
    for group in (users_cli, timers_cli, demo_cli):
        app.cli.add_command(group)
