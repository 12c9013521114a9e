"""A queue's page is read per status (and per priority) and merged: it must hold exactly the rows a
plain sort of the whole queue would, in the same order, on every page, with ties on the sort value."""

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from shared.models import PRIORITIES, Status, Ticket
from shared.queues import lists

SORTS = ["updated", "created", "number", "priority"]
FILTERS = [{}, {"priority": "high"}, {"assignee": lists.NOBODY}]
QUEUES = ["all_open", "needs_reply", "mine", "unassigned", "status:closed"]
PER_PAGE = 4


@pytest.fixture
def mixed_desk(db, agent, customer, make_ticket):
    """Thirty tickets spread over the statuses, priorities and assignees, with few distinct times."""
    rng = random.Random(7)
    statuses = list(db.session.scalars(select(Status.id)))
    moments = [datetime(2026, 11, 20, 9) + timedelta(hours=h) for h in range(4)]
    for n in range(30):
        ticket = make_ticket(customer, subject=f"Ticket {n}")
        ticket.status_id = rng.choice(statuses)  # set on the objects: the queue counters follow
        ticket.priority = rng.choice(PRIORITIES)
        ticket.assignee_id = rng.choice([None, agent.id])
        ticket.last_public_by = rng.choice(["customer", "agent"])
        ticket.updated_at = rng.choice(moments)
        ticket.created_at = rng.choice(moments)
    db.session.commit()
    return agent


def expected_order(tickets: list[Ticket], sort: str, descending: bool) -> list[int]:
    """The whole queue sorted in Python: the sort value, newer activity within a priority, then id."""
    rows = sorted(tickets, key=lambda t: t.id, reverse=descending)
    if sort == "priority":
        rows.sort(key=lambda t: t.updated_at, reverse=True)
        rows.sort(key=lambda t: PRIORITIES.index(t.priority), reverse=descending)
    else:
        column = {"updated": "updated_at", "created": "created_at", "number": "number"}[sort]
        rows.sort(key=lambda t: getattr(t, column), reverse=descending)
    return [t.number for t in rows]


def test_every_page_matches_a_plain_sort_of_the_whole_queue(db, mixed_desk):
    cases = [(q, f, s, d) for q in QUEUES for f in FILTERS for s in SORTS for d in (True, False)]
    for queue, filters, sort, descending in cases:
        narrowed = lists.QueueFilters(**filters, sort=sort, descending=descending)
        everything = lists.queue_tickets(mixed_desk, queue, filters=narrowed, per_page=1000).items
        assert everything or filters, f"the desk leaves {queue} empty"
        want = expected_order(everything, sort, descending)
        got = []
        for page in range(1, -(-len(want) // PER_PAGE) + 1):
            got += [t.number for t in lists.queue_tickets(mixed_desk, queue, filters=narrowed, page=page,
                                                             per_page=PER_PAGE).items]  # fmt: skip
        assert got == want, (queue, filters, sort, descending)
