"""The queue counters against the slow, obvious truth (a GROUP BY over the tickets): after every verb
of a random walk, rolled back or committed; under concurrent writers; repaired by `rebuild`; and filled
by their migration for the tickets that existed before it."""

import importlib.util
import random
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import delete, func, select, update

from shared.core.errors import DomainError
from shared.core.extensions import db as _db
from shared.models import Agent, Customer, QueueCounter, Status, Ticket, utcnow
from shared.models.queue_counters import UNASSIGNED
from shared.queues import counters, lists
from shared.sla import tracking
from shared.tickets import agents, assignment, bulk, conversation, merges, properties, rules

MIGRATION = Path(__file__).resolve().parents[3] / "migrations" / "versions" / "0014_queue_counters.py"
STATUSES = ("new", "assigned", "waiting", "feature_filed", "bug_filed", "closed")


def assert_counters_true(db) -> None:
    connection = db.session.connection()
    assert counters.stored(connection) == counters.counted_by_tickets(connection)


def true_queue_counts(agent: Agent) -> dict[str, int]:
    """Each queue counted the old way: the queue's own query over the tickets."""
    queues = [*lists.QUEUE_LABELS, *(f"status:{key}" for key in STATUSES)]
    no_filters = lists.QueueFilters()
    return {
        queue: _db.session.scalar(lists._queue_query(agent, queue, no_filters).with_only_columns(func.count()))
        for queue in queues
    }


@pytest.fixture
def admin(make_agent):
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


@pytest.fixture
def people(make_agent, make_customer, admin):
    team = [admin, *(make_agent(name=name) for name in ("Bea Brown", "Carol Chen", "Dan Diaz"))]
    customers = [make_customer(name=name, organization="Acme") for name in ("Eve", "Finn", "Gus")]
    return team, customers


@pytest.mark.parametrize("seed", [1, 2])
def test_the_counters_follow_a_random_walk_through_the_verbs(db, department, people, seed):
    """Filing (by customers, by agents, internal tasks, auto-assigned), replies both ways with and
    without a status, notes, assigning, status changes, bulk changes, merges, the pending timer,
    deactivating and reactivating agents; a third of the steps rolled back instead of committed."""
    team, customers = people
    admin = team[0]
    rng = random.Random(seed)

    def made() -> list[int]:  # also the follow-ups a reply to a closed ticket opens
        return list(db.session.scalars(select(Ticket.id).order_by(Ticket.id)))

    def some_ticket() -> Ticket:
        return db.session.get(Ticket, rng.choice(made()))

    def some_status() -> Status:
        return rules.status_by_key(rng.choice(STATUSES))

    def some_agent() -> Agent | None:
        return rng.choice([*db.session.scalars(select(Agent).where(Agent.is_active)), None])

    def file_by_customer() -> None:
        person = db.session.get(Customer, rng.choice(customers).id)
        conversation.open_ticket(actor=person, customer=person, subject="Jam", body="Paper.", department=department)

    def file_by_agent() -> None:
        email = rng.choice([None, "walk.in@example.com"])
        conversation.open_ticket_by_agent(
            actor=rng.choice(team), customer_email=email, assignee=some_agent(), subject="Call", body="Rang.",
            department=department,
        )  # fmt: skip

    def switch_auto_assignment() -> None:
        strategy = rng.choice(["manual", "round_robin", "least_open"])
        assignment.update_department(department, strategy=strategy, members=team[1:], actor=admin)

    def agent_reply() -> None:
        status = some_status() if rng.random() < 0.5 else None
        conversation.post_reply(some_ticket(), actor=rng.choice(team), body="Try again?", status=status)

    def customer_reply() -> None:
        ticket = some_ticket()
        if ticket.customer is not None and ticket.customer.is_active:
            conversation.post_reply(ticket, actor=ticket.customer, body="Still broken.")

    def note() -> None:
        conversation.add_internal_note(some_ticket(), actor=rng.choice(team), body="Hm.")

    def assign() -> None:
        assignment.assign_ticket(some_ticket(), some_agent(), actor=rng.choice(team))

    def move() -> None:
        properties.change_status(some_ticket(), some_status(), actor=rng.choice(team))

    def bulk_change() -> None:
        ids = made()
        numbers = [db.session.get(Ticket, i).number for i in rng.sample(ids, min(3, len(ids)))]
        bulk.update_tickets(numbers, actor=admin, assignee=some_agent(), status=some_status())

    def merge() -> None:
        if len(ids := made()) > 1:
            duplicate, target = (db.session.get(Ticket, i) for i in rng.sample(ids, 2))
            merges.merge_ticket(duplicate, target, actor=rng.choice(team))

    def expire() -> None:
        properties.expire_pending(utcnow() + timedelta(days=60))

    def deactivate_or_reactivate() -> None:
        agent = db.session.get(Agent, rng.choice(team[1:]).id)
        if agent.is_active:
            agents.deactivate_agent(agent, actor=admin)
        else:
            agents.reactivate_agent(agent, actor=admin)

    steps = [file_by_customer, file_by_agent, switch_auto_assignment, agent_reply, customer_reply, note]
    steps += [assign, assign, move, move, bulk_change, merge, expire, deactivate_or_reactivate]
    file_by_customer()
    db.session.commit()
    committed = Counter()
    for _ in range(60):
        step = rng.choice(steps)
        try:
            step()
            db.session.flush()
            assert_counters_true(db)  # inside the transaction, before it ends
        except DomainError:
            step = None  # a refused merge, a reply nobody may send: the check below still holds
        if rng.random() < 1 / 3:
            db.session.rollback()
        else:
            db.session.commit()
            committed[step] += 1
        assert_counters_true(db)
    assert len(made()) > 5 and len(set(committed) - {None}) >= 10, committed
    watcher = db.session.get(Agent, team[1].id)
    counts = lists.queue_counts(watcher)
    assert {queue: counts[queue] for queue in true_queue_counts(watcher)} == true_queue_counts(watcher)


def test_concurrent_writers_lose_no_count(app, db, agent, customer, make_ticket):
    """Four sessions move their own tickets between the same statuses at once: every +1 and -1 lands
    (the counters add in the database; nothing is read and written back)."""
    owned = [[make_ticket(customer, subject=f"T{w}{n}").id for n in range(3)] for w in range(4)]
    agent_id, start, errors = agent.id, threading.Barrier(4), []

    def work(ids: list[int]) -> None:
        try:
            with app.app_context():
                me = _db.session.get(Agent, agent_id)
                start.wait(timeout=10)
                for round_ in range(3):
                    for ticket_id in ids:
                        key = ("waiting", "bug_filed", "closed")[round_]
                        properties.change_status(_db.session.get(Ticket, ticket_id), rules.status_by_key(key), actor=me)
                        assignment.assign_ticket(
                            _db.session.get(Ticket, ticket_id), me if round_ % 2 else None, actor=me
                        )
                    _db.session.commit()
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(ids,)) for ids in owned]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    assert_counters_true(db)
    closed = rules.status_by_key("closed").id
    # Status changes are no message: the customer's first one stays the last public writer.
    assert counters.stored(db.session.connection())[(closed, UNASSIGNED, "customer")] == 12


def test_rebuild_repairs_a_tampered_table_and_says_what_it_changed(db, agent, customer, make_ticket, runner):
    make_ticket(customer)
    assignment.assign_ticket(make_ticket(customer), agent, actor=agent)
    db.session.commit()
    new = rules.status_by_key("new").id
    db.session.execute(QueueCounter.__table__.update().where(QueueCounter.status_id == new).values(n=7))
    db.session.execute(QueueCounter.__table__.insert().values(status_id=new, assignee_key=999, last_public_by="x", n=2))
    db.session.commit()
    result = runner.invoke(args=["counters", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "status new, unassigned, last public by customer: 7 -> 1" in result.output
    assert "status new, agent 999, last public by x: 2 -> 0" in result.output
    assert result.output.strip().endswith("counter(s) corrected")
    db.session.expire_all()
    assert_counters_true(db)
    assert runner.invoke(args=["counters", "rebuild"]).output.strip() == "The counters were right."


def test_the_migration_counts_the_tickets_that_existed_before_it(db, agent, customer, make_ticket):
    assignment.assign_ticket(make_ticket(customer), agent, actor=agent)
    conversation.post_reply(make_ticket(customer), actor=agent, body="On it.")
    make_ticket(customer)
    db.session.commit()
    truth = counters.counted_by_tickets(db.session.connection())
    spec = importlib.util.spec_from_file_location("migration_0014", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    connection = db.session.connection()
    connection.exec_driver_sql("DROP TABLE queue_counters")
    with Operations.context(MigrationContext.configure(connection)):
        migration.upgrade()
    db.session.commit()
    assert counters.stored(db.session.connection()) == truth
    assert sum(truth.values()) == 3 and len(truth) == 3


def test_a_change_made_before_anything_is_read_back_still_leaves_its_old_count(db, agent, customer, make_ticket):
    """After a commit every attribute is expired; a first write through a relationship must still take
    the ticket out of its old count (the counted columns load their old value when set)."""
    ticket = make_ticket(customer)
    db.session.commit()
    ticket.assignee = agent
    db.session.commit()
    ticket.assignee = None
    db.session.flush()
    assert_counters_true(db)


def test_bulk_writes_that_would_move_a_count_are_refused(db, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    for statement in (
        update(Ticket).where(Ticket.id == ticket.id).values(assignee_id=agent.id),
        update(Ticket.__table__).values(status_id=rules.status_by_key("closed").id),
        delete(Ticket).where(Ticket.id == ticket.id),
    ):
        with pytest.raises(counters.BypassError):
            db.session.execute(statement)
    with pytest.raises(counters.BypassError):
        db.session.execute(update(Ticket), [{"id": ticket.id, "last_public_by": "agent"}])
    db.session.rollback()
    # What moves no count goes through: a bulk update by primary key of another column, and the SLA timer's claim.
    db.session.execute(update(Ticket), [{"id": ticket.id, "subject": "Printer, now calm"}])
    assert tracking.claim_breach(ticket.id, "first_response", utcnow() + timedelta(days=30)) in (True, False)
    db.session.commit()
    assert_counters_true(db)
