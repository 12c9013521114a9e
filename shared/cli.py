"""The `flask --app wsgi ...` commands: accounts, timers, mail, the worker, demo data, the queue counters;
backups and the move to PostgreSQL come from shared/operations/commands.py."""

import logging
import os
import signal
import sys
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import cli as migrate_cli
from sqlalchemy.exc import SQLAlchemyError

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models.queue_counters import UNASSIGNED
from shared.operations.commands import backup_cli, db_move_to_command
from shared.people import accounts
from shared.queues import counters
from shared.sla import tracking
from shared.tickets import properties, reminders

users_cli = AppGroup("users", help="Create agent and customer accounts.")
timers_cli = AppGroup("timers", help="Run time-based rules once (the worker also runs them).")
demo_cli = AppGroup("demo", help="Demo data.")
mail_cli = AppGroup("mail", help="Mail in and out.")
counters_cli = AppGroup("counters", help="The queue counters behind the sidebar's counts.")


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
    """Remind customers whose tickets close soon, and close those that waited too long (rule 7)."""
    reminded = _run(reminders.remind_pending)
    moved = _run(properties.expire_pending)
    click.echo(f"{reminded} reminder(s) sent, {moved} ticket(s) closed after waiting on the customer")
    from shared import worker

    click.echo(worker.record_breaches())


@timers_cli.command("sla-backfill")
def sla_backfill_command() -> None:
    """Give open tickets filed before the SLA clock existed their due times (run once after upgrading)."""
    click.echo(f"{_run(tracking.backfill)} open ticket(s) given SLA due times")


@click.command("worker")
@click.option("--once", is_flag=True, help="Run each job once and exit (for cron and tests).")
def worker_command(once: bool) -> None:
    """Send the outbox and run the timers, until Ctrl-C or SIGTERM."""
    from shared import worker

    if once:
        for name, result in worker.run_once().items():
            click.echo(f"{name}: {'failed (see the log)' if result is None else result}")
        return
    # A long-running process: what it sends and what fails goes to standard error, each line
    # timestamped by the handler the app installed (shared/core/logs.py).
    logging.getLogger().setLevel(logging.INFO)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"Worker running: {', '.join(job.name for job in worker.JOBS)} (Ctrl-C stops it)")
    worker.run_forever(stop)


@mail_cli.command("catcher")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True)
def mail_catcher_command(host: str, port: int) -> None:
    """Catch mail for the demo: an SMTP server that saves each message under the instance folder."""
    from shared.mail import catcher

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    controller = catcher.start(host, port)
    click.echo(f"Catching mail on {host}:{port} into {current_app.config['MAIL_CATCHER_DIR']} (Ctrl-C stops it)")
    try:
        while not stop.wait(1):
            pass
    finally:
        controller.stop()


@mail_cli.command("ingest")
@click.option("--store-only", is_flag=True, help="Only store the message; the worker processes it.")
def mail_ingest_command(store_only: bool) -> None:
    """Take one message on standard input, for an MTA pipe. Exit status: 0 stored (a duplicate or a
    quarantined message too), 65 empty input, 75 database or disk unavailable (the MTA retries)."""
    from shared.mail import intake

    try:
        # Not kept in a variable: processing reads the stored copy, so a large message is held once.
        inbound, new = intake.receive(sys.stdin.buffer.read(), source="pipe")
    except intake.EmptyMessage:
        click.echo("deskbell: the message is empty; nothing stored", err=True)
        sys.exit(os.EX_DATAERR)
    except (SQLAlchemyError, OSError) as exc:
        click.echo(f"deskbell: cannot store the message now, try again later: {exc}", err=True)
        sys.exit(os.EX_TEMPFAIL)
    if new and not store_only:
        try:
            inbound = intake.process_one(inbound.id) or inbound
        except SQLAlchemyError as exc:  # stored all the same: the worker processes it later
            click.echo(f"deskbell: stored; processing deferred: {exc}", err=True)
    click.echo(f"message {inbound.id}: {inbound.state if new else 'duplicate, already recorded'}")


@mail_cli.command("fetch")
def mail_fetch_command() -> None:
    """Fetch new mail from the IMAP mailbox (IMAP_URL) once and process it."""
    from shared.mail import fetch

    if not current_app.config["IMAP_URL"]:
        raise click.ClickException("IMAP_URL is not set (DESKBELL_IMAP_URL=imap://user:pass@host/INBOX)")
    try:
        click.echo(fetch.fetch())
    except fetch.FetchError as exc:
        raise click.ClickException(str(exc)) from exc


@mail_cli.command("process-pending")
def mail_process_pending_command() -> None:
    """Process stored messages that are still pending (the worker does this too)."""
    from shared.mail import intake

    click.echo(f"{intake.process_pending()} message(s) processed")


@demo_cli.command("seed")
@click.option("--tickets", "count", default=200, show_default=True, help="How many tickets to create.")
def demo_seed_command(count: int) -> None:
    """Load demo agents, customers and tickets; does nothing when demo data is already there."""
    from shared.demo import seed

    if seed.already_seeded():
        click.echo("Demo data is already loaded; keeping it.")
    else:
        with click.progressbar(length=count, label="Seeding tickets") as bar:
            seed.seed(count, progress=bar.update)
        db.session.commit()
    for line in seed.login_lines():
        click.echo(line)


@counters_cli.command("rebuild")
def counters_rebuild_command() -> None:
    """Recount the queue counters from the tickets in one transaction (a repair; they are kept as
    tickets change), and print each counter that was wrong."""
    corrections = counters.rebuild(db.session.connection())
    db.session.commit()
    for c in corrections:
        assignee = "unassigned" if c.assignee_key == UNASSIGNED else f"agent {c.assignee_key}"
        click.echo(f"status {c.status}, {assignee}, last public by {c.last_public_by}: {c.was} -> {c.now}")
    click.echo(f"{len(corrections)} counter(s) corrected" if corrections else "The counters were right.")


def init_cli(app: Flask) -> None:
    for group in (users_cli, timers_cli, demo_cli, mail_cli, counters_cli, worker_command, backup_cli):
        app.cli.add_command(group)
    # `db` is Flask-Migrate's group: move-to joins upgrade and the rest there.
    migrate_cli.db.add_command(db_move_to_command)
    app.cli.add_command(migrate_cli.db)
