"""The ticket's last public message (what the queue's "updated · by", *Needs reply*, the counters and
the portal's order read): each kind of history entry either moves it or leaves it alone."""

import importlib.util
from datetime import datetime, timedelta

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import update

from shared.core.clock import frozen_at
from shared.core.config import PROJECT_ROOT
from shared.models import QueueCounter, Ticket
from shared.queues import counters, lists
from shared.sla import tracking
from shared.tickets import assignment, conversation, links, merges, properties, ratings, reminders, rules
from shared.tickets.time_tracking import log

T0 = datetime(2026, 3, 2, 9, 0)
MIGRATION = PROJECT_ROOT / "migrations" / "versions" / "0023_last_public_message.py"


def at(days: float):
    return frozen_at(T0 + timedelta(days=days))


def last(ticket: Ticket) -> tuple:
    return ticket.last_public_by, ticket.last_public_actor, ticket.last_public_at, ticket.last_public_preview


@pytest.fixture
def asked(customer, make_ticket, db) -> Ticket:
    """A customer's question at T0, nothing else yet."""
    with at(0):
        return make_ticket(customer, subject="Printer", body="It smokes.")


def customers_question(customer) -> tuple:
    return "customer", customer, T0, "It smokes."


# --- What moves it --------------------------------------------------------------------------


def test_a_public_reply_moves_it_to_its_writer_and_time(asked, customer, agent, db):
    with at(1):
        conversation.post_reply(asked, actor=agent, body="Unplug it.")
    assert last(asked) == ("agent", agent, T0 + timedelta(days=1), "Unplug it.")
    with at(2):
        conversation.post_reply(asked, actor=customer, body="Done.", channel="email", plain_text=True)
    assert last(asked) == ("customer", customer, T0 + timedelta(days=2), "Done.")


def test_the_desks_reminder_and_closing_notes_move_it_as_the_system(customer, agent, make_ticket, db):
    with at(0):
        ticket = make_ticket(customer)
        conversation.post_reply(ticket, actor=agent, body="Which printer?")
    with at(5):
        assert reminders.remind_pending() == 1
    assert last(ticket)[:3] == ("system", None, T0 + timedelta(days=5))
    assert last(ticket)[3].startswith("We are still waiting for your reply")
    with at(7):
        properties.expire_pending()
    assert last(ticket)[:3] == ("system", None, T0 + timedelta(days=7))
    assert last(ticket)[3].startswith("We closed this request")


def test_closing_a_problem_answers_its_incidents_as_the_agent(asked, make_customer, make_ticket, agent, db):
    with at(0):
        problem = make_ticket(make_customer(), subject="Printers down")
        links.mark_problem(problem, True, actor=agent)
        links.link_incident(problem, asked, actor=agent)
    assert last(asked) == customers_question(asked.customer)
    with at(1):
        conversation.post_reply(problem, actor=agent, body="Fixed for everyone.", status=rules.status_by_key("closed"))
    assert last(asked)[:3] == ("agent", agent, T0 + timedelta(days=1))


# --- What leaves it alone -------------------------------------------------------------------


def test_internal_notes_events_and_property_changes_leave_it(asked, customer, agent, make_agent, db):
    with at(1):
        conversation.add_internal_note(asked, actor=agent, body="They never unplug it.")
    with at(2):
        assignment.assign_ticket(asked, make_agent(name="Dana"), actor=agent)
    with at(3):
        properties.change_priority(asked, "urgent", actor=agent)
        properties.change_type(asked, "bug", actor=agent)
    with at(4):
        properties.change_status(asked, rules.status_by_key("feature_filed"), actor=agent)
    with at(5):
        log(asked, agent, 15)
    db.session.commit()
    assert last(asked) == customers_question(customer)
    assert asked.updated_at == T0 + timedelta(days=4) and asked.active_since_message
    assert lists.queue_count(agent, "needs_reply", lists.QueueFilters()) == 1  # the customer is still owed


def test_an_agent_closing_without_a_word_leaves_it_and_a_rating_too(asked, customer, agent, db):
    with at(1):
        properties.change_status(asked, rules.status_by_key("closed"), actor=agent)
    with at(2):
        ratings.rate_ticket(asked, actor=customer, score=5)
    db.session.commit()
    assert last(asked) == customers_question(customer)


def test_links_leave_it(asked, customer, make_ticket, agent, db):
    with at(0):
        other = make_ticket(customer, subject="Scanner")
    with at(1):
        links.link_related(asked, other, actor=agent)
        links.mark_problem(other, True, actor=agent)
    with at(2):
        links.unlink(asked, other, actor=agent)
        links.link_incident(other, asked, actor=agent)
    db.session.commit()
    assert last(asked) == customers_question(customer)
    assert (other.last_public_at, other.last_public_by) == (T0, "customer")


def test_a_merge_leaves_it_on_both_tickets(asked, customer, make_ticket, agent, db):
    with at(0):
        target = make_ticket(customer, subject="Printer again", body="Still smoking.")
    with at(1):
        merges.merge_ticket(asked, target, actor=agent)
    db.session.commit()
    assert asked.status.key == "closed" and any(e.event == "note" and e.is_public for e in asked.entries)
    assert last(asked) == customers_question(customer)  # the merge's note is no message
    assert last(target) == ("customer", customer, T0, "Still smoking.")


def test_an_sla_breach_leaves_it(customer, make_ticket, db):
    with frozen_at(datetime(2026, 12, 4, 16, 0)):
        ticket = make_ticket(customer, priority="urgent", body="Down.")
    db.session.commit()
    assert tracking.record_breaches(datetime(2026, 12, 4, 17, 1)) == 1
    db.session.commit()
    assert [e.event for e in ticket.entries][-1] == "sla_breach"
    assert (ticket.last_public_by, ticket.last_public_at) == ("customer", datetime(2026, 12, 4, 16, 0))


# --- Existing desks ---------------------------------------------------------------------------


def test_the_migration_sets_it_from_the_history_and_recounts_the_queues(customer, make_ticket, agent, db):
    with at(0):
        answered = make_ticket(customer, body="First.")
        closed = make_ticket(customer, body="Second.")
        merged, target = make_ticket(customer, body="Third."), make_ticket(customer, body="Fourth.")
    with at(1):
        conversation.post_reply(answered, actor=agent, body="On it.")
        properties.change_status(closed, rules.status_by_key("closed"), actor=agent)
        merges.merge_ticket(merged, target, actor=agent)
    db.session.commit()
    truth = {t.id: last(t) for t in (answered, closed, merged, target)}
    # What the old verbs wrote: a status change and a merge moved the columns (and its note the preview).
    for ticket, preview in ((closed, "Second."), (merged, "We merged this request into …")):
        values = dict(last_public_by="agent", last_public_agent_id=agent.id, last_public_customer_id=None)
        values |= dict(last_public_at=T0 + timedelta(days=1), last_public_preview=preview)
        old = update(Ticket.__table__).where(Ticket.__table__.c.id == ticket.id).values(**values)
        db.session.connection().execute(old)  # past the verbs' guard, as the old verbs' writes were
    db.session.connection().execute(QueueCounter.__table__.delete())  # and counted them so
    db.session.commit()

    spec = importlib.util.spec_from_file_location("migration_0023", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    connection = db.session.connection()
    with Operations.context(MigrationContext.configure(connection)):
        migration.upgrade()
    db.session.commit()
    db.session.expire_all()

    assert {t.id: last(t) for t in (answered, closed, merged, target)} == truth
    assert truth[merged.id] == ("customer", customer, T0, "Third.")
    assert counters.stored(db.session.connection()) == counters.counted_by_tickets(db.session.connection())
