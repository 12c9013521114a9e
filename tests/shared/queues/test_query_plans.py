"""The queue queries start from an index, never from a full scan of `tickets`: at a million tickets a
scan is seconds per request. SQLite's plan is checked for every queue, filter and order; PostgreSQL
rightly scans tiny tables whatever the indexes, so there the indexes are checked to exist and be usable."""

import itertools
import os
import re

import pytest
from sqlalchemy import inspect, text

from shared.queues import lists
from tests.querycount import recorded

DIALECT = "postgresql" if os.environ.get("DESKBELL_TEST_DB") == "postgresql" else "sqlite"
QUEUES = [*lists.QUEUE_LABELS, "status:waiting"]
FILTERS = {
    "unfiltered": {},
    "department": {"department": 1},
    "product": {"product": 1},
    "type": {"type": "question"},
    "priority": {"priority": "high"},
    "product and type": {"product": 1, "type": "question"},
    "priority, unassigned": {"priority": "high", "assignee": lists.NOBODY},
    "an assignee": {"assignee": 1},
}
# What the queue lists and counts need; the sorts other than "updated" sort the queue's rows.
QUEUE_INDEXES = {
    "ix_tickets_status_updated",
    "ix_tickets_assignee_updated",
    "ix_tickets_department_updated",
    "ix_tickets_last_public_by_updated",
    "ix_tickets_sla_due_at",
}
SORTED_BRANCH = re.compile(r"TEMP B-TREE FOR (?:RIGHT PART OF )?ORDER BY \| SCAN anon")
FULL_SCAN = re.compile(r"\bSCAN tickets\b(?! USING (?:COVERING )?INDEX)")
SQLITE_PLANS = pytest.mark.database(
    "sqlite", reason="SQLite's plans; PostgreSQL scans tiny tables whatever the indexes"
)


@pytest.fixture
def desk(db, agent, customer, make_ticket):
    for n in range(3):
        make_ticket(customer, subject=f"Printer {n}")
    return agent


def plans(db, statements: list[tuple[str, object]]) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of each statement that reads `tickets`, one line per step."""
    with db.engine.connect() as connection:
        cursor = connection.connection.cursor()
        explained = []
        for statement, parameters in statements:
            if re.search(r"\bFROM tickets\b", statement):
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                explained.append(" | ".join(row[3] for row in cursor.fetchall()))
    return explained


def test_the_full_scan_pattern_reads_sqlites_plans_as_meant():
    assert FULL_SCAN.search("SCAN tickets | SEARCH statuses USING INTEGER PRIMARY KEY (rowid=?)")
    assert not FULL_SCAN.search("SCAN tickets USING INDEX ix_tickets_status_updated")
    assert not FULL_SCAN.search("SCAN tickets USING COVERING INDEX ix_tickets_status_updated")
    assert not FULL_SCAN.search("SEARCH tickets USING INDEX ix_tickets_sla_due_at (sla_due_at<?)")
    assert not FULL_SCAN.search("SCAN ticket_search VIRTUAL TABLE INDEX 0:")


@SQLITE_PLANS
@pytest.mark.parametrize("queue", QUEUES)
def test_a_queue_list_and_its_count_never_scan_the_tickets(db, desk, queue):
    """Each filter, each order both ways: the page's total, the page, and a saved view's count."""
    scanning = []
    for (name, filters), sort, descending in itertools.product(FILTERS.items(), lists.SORTS, (True, False)):
        narrowed = lists.QueueFilters(**filters, sort=sort, descending=descending)
        with recorded(db.engine) as statements:
            lists.queue_tickets(desk, queue, filters=narrowed)
            lists.queue_count(desk, queue, narrowed)
        explained = plans(db, statements)
        # Unnarrowed, the total and the view's count come from the counters: only the page reads tickets.
        from_counters = not filters and queue not in lists.SLA_QUEUES
        # The page's ids, then its rows when it has any; narrowed, also the total and the view's count.
        assert len(explained) in ((1, 2) if from_counters else (3, 4)), explained
        assert any("FROM queue_counters" in statement for statement, _ in statements) == from_counters
        scanning += [(name, sort, descending, plan) for plan in explained if FULL_SCAN.search(plan)]
    assert not scanning, sorted({case[0] for case in scanning})


@SQLITE_PLANS
def test_the_sidebar_counts_read_the_counters_and_a_capped_range_of_the_due_time_index(db, desk):
    with recorded(db.engine) as statements:
        lists.queue_counts(desk)
    assert sum("FROM queue_counters" in statement for statement, _ in statements) == 1
    sla_counts = plans(db, statements)  # what still reads tickets: the SLA queues, which move with time
    assert len(sla_counts) == len(lists.SLA_QUEUES)
    for plan in sla_counts:
        assert "SEARCH tickets USING COVERING INDEX ix_tickets_sla_due_at (sla_due_at" in plan, plan
    capped = [(s, p) for s, p in statements if "FROM tickets" in s]
    assert all("LIMIT ?" in s and lists.COUNT_CAP + 1 in p for s, p in capped), capped


@SQLITE_PLANS
@pytest.mark.parametrize("queue", ["all_open", "needs_reply", "mine", "unassigned", "status:waiting"])
def test_a_queue_page_is_read_in_index_order_not_sorted(db, desk, queue):
    """Each status's branch walks an index in the order asked; only the merge of the branches'
    few rows is sorted. A sorted branch would sort every open ticket at a million."""
    for (name, filters), sort in itertools.product(FILTERS.items(), ["updated", "created", "number", "priority"]):
        with recorded(db.engine) as statements:
            lists.queue_tickets(desk, queue, filters=lists.QueueFilters(**filters, sort=sort))
        for plan in plans(db, statements):
            assert not SORTED_BRANCH.search(plan), (name, sort, plan)
            if queue.startswith("status:") and "priority" not in filters and sort != "priority":
                assert "TEMP B-TREE" not in plan, (name, sort, plan)


@SQLITE_PLANS
@pytest.mark.parametrize("closed", [False, True])
def test_a_customers_portal_list_is_read_in_order_and_counted_from_an_index(db, customer, make_ticket, closed):
    make_ticket(customer)
    with recorded(db.engine) as statements:
        lists.customer_tickets(customer, closed=closed)
    count, page = plans(db, statements)[:2]
    assert "COVERING INDEX ix_tickets_customer_public" in count, count
    assert "ix_tickets_customer_public" in page and "TEMP B-TREE FOR ORDER BY" not in page, page  # ties only


def test_the_queue_indexes_exist_and_are_usable(db):
    assert {index["name"] for index in inspect(db.engine).get_indexes("tickets")} >= QUEUE_INDEXES
    if DIALECT == "postgresql":  # a failed CREATE INDEX CONCURRENTLY leaves an index the planner ignores
        unusable = db.session.scalars(
            text(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = 'tickets'::regclass AND NOT (i.indisvalid AND i.indisready)"
            )
        ).all()
        assert unusable == []
