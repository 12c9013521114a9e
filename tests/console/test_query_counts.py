"""The console's pages run as many SQL statements with 60 tickets (or entries) as with 5: nothing is
loaded once per row. A page that grows has an N+1; the fix belongs in the query in shared/."""

import itertools
from datetime import timedelta

import pytest

from shared.models import Department, Product, utcnow
from shared.tickets import assignment, conversation, links, properties, rules, time_tracking
from shared.tickets.attachments import Upload
from tests.querycount import assert_constant

HTMX = {"HX-Request": "true"}
STATUSES = ("closed", "new", "assigned", "waiting", "bug_filed")
PRIORITIES = ("low", "normal", "high", "urgent")
_serial = itertools.count(1)


@pytest.fixture
def as_agent(login_as, agent):
    return login_as(agent)


@pytest.fixture
def desk(db, agent, make_agent, make_customer):
    """A desk that grows a ticket at a time, each with its own customer, organization, assignee,
    department and product, so that a row loading any of them on its own shows in the count. The
    first FEW already put a ticket in every queue and filter measured below."""
    made = []

    def grow(total: int) -> None:
        while len(made) < total:
            i, n = len(made), next(_serial)
            department = Department(name=f"Department {n}")
            product = Product(name=f"Product {n}", department=department)
            db.session.add_all([department, product])
            customer = make_customer(name=f"Customer {n}", organization=f"Org {n}")
            ticket = conversation.open_ticket(
                actor=customer,
                customer=customer,
                department=department,
                product=product,
                priority=PRIORITIES[i % len(PRIORITIES)],
                subject=f"Printer {n} jams",
                body="Paper everywhere.",
            )
            colleague = make_agent(name=f"Agent {n}")
            if i % 3:  # the agent looking, a colleague, or nobody
                assignment.assign_ticket(ticket, agent if i % 3 == 1 else colleague, actor=agent)
            conversation.post_reply(ticket, actor=colleague, body="Which tray?")
            key = STATUSES[i % len(STATUSES)]
            if ticket.status.key != key:
                properties.change_status(ticket, rules.status_by_key(key), actor=agent)
            if i % 2 and key != "closed":  # the desk's turn
                conversation.post_reply(ticket, actor=customer, body="The lower one.")
            if key != "closed":  # a running SLA clock: half of them soon due, half overdue
                ticket.sla_due_at = utcnow() + timedelta(minutes=10 if i % 2 else -10)
            db.session.commit()
            made.append(ticket)

    return grow


QUEUE_PAGES = {
    "default": "/console/",
    "needs reply": "/console/?queue=needs_reply",
    "mine": "/console/?queue=mine",
    "unassigned": "/console/?queue=unassigned",
    "breaching soon": "/console/?queue=breaching_soon",
    "overdue": "/console/?queue=overdue",
    "a status": "/console/?queue=status:assigned",
    "filtered": "/console/?priority=high&type=question",
    "sorted by priority": "/console/?sort=priority&order=asc",
    "sorted by due": "/console/?queue=needs_reply&sort=due",
}


def test_the_queue_pages_run_as_many_statements_however_many_tickets(client, as_agent, db, desk):
    """Each queue, filtered and sorted, as a page and as its htmx list; the sidebar's counts with a
    saved view; and search, as a page and as its results."""
    saved = client.post("/console/views", data={"name": "Urgent", "query": "priority=urgent"})
    assert saved.status_code in (200, 303)
    pages = {name: (url, {}) for name, url in QUEUE_PAGES.items()}
    pages |= {f"{name}, list": (url, HTMX) for name, url in QUEUE_PAGES.items()}
    pages["counts"] = ("/console/queues/counts?queue=needs_reply", HTMX)
    pages["search"] = ("/console/search?q=printer", {})
    pages["search, results"] = ("/console/search?q=printer", HTMX)
    print(assert_constant(client, db.engine, desk, pages))


def test_a_ticket_page_runs_as_many_statements_however_long_its_history(
    client, as_agent, db, agent, make_agent, make_customer, make_ticket
):
    """Replies with files, notes by many agents, links to many tickets, time logged by many agents."""
    customer = make_customer(name="Dana Diaz", organization="Acme")
    ticket = make_ticket(customer, subject="The VPN drops", uploads=[Upload("log.txt", b"dropped")])

    def grow(total: int) -> None:
        while len(ticket.entries) < total:
            n = next(_serial)
            colleague = make_agent(name=f"Agent {n}")
            note = conversation.add_internal_note(
                ticket, actor=colleague, body=f"Note {n}", uploads=[Upload("n.txt", b"n")]
            )
            time_tracking.log(ticket, colleague, 5, entry=note)
            conversation.post_reply(ticket, actor=customer, body=f"Reply {n}", uploads=[Upload(f"{n}.txt", b"r")])
            other = make_ticket(make_customer(name=f"Customer {n}"), subject=f"VPN {n}")
            links.link_related(ticket, other, actor=colleague)
            db.session.commit()

    url = f"/console/tickets/{ticket.number}"
    print(assert_constant(client, db.engine, grow, {"ticket": (url, {}), "ticket, htmx": (url, HTMX)}))
