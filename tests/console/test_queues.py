"""The console's queues: which tickets each queue holds, its count, filters, sorting, paging, and the
page or fragment answered for each kind of request."""

import itertools
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from shared.core.clock import frozen_at
from shared.core.extensions import db as _db
from shared.models import Department, Organization, Product
from shared.queues import lists
from shared.tickets import assignment, conversation, properties, rules

HTMX = {"HX-Request": "true"}
T0 = datetime(2026, 3, 2, 9, 0)


def at(hours: float):
    return frozen_at(T0 + timedelta(hours=hours))


def text(response) -> str:
    return response.get_data(as_text=True)


def numbers(page: lists.Page) -> list[int]:
    return [t.number for t in page.items]


def listed(html: str) -> list[int]:
    """The ticket numbers in a rendered list, in order."""
    return [int(n) for n in re.findall(r'<tr class="row[^"]*" data-number="(\d+)"', html)]


@pytest.fixture
def desk(db, customer, agent, make_agent, make_ticket):
    """Six tickets, one hour apart, each at a different point of its life.

    waiting  agent answered, now waiting on the customer   (mine)
    replied  the customer answered back                    (mine)
    theirs   a colleague's, the customer wrote last
    fresh    new, nobody on it
    filed    a bug filed; the customer added a comment
    closed   closed by an agent
    """
    colleague = make_agent("carol@desk.example", name="Carol Chen")
    made = {}
    for hour, name in enumerate(("waiting", "replied", "theirs", "fresh", "filed", "closed")):
        with at(hour):
            made[name] = make_ticket(customer, subject=f"The {name} ticket")
    with at(10):
        assignment.assign_ticket(made["waiting"], agent, actor=agent)
        conversation.post_reply(made["waiting"], actor=agent, body="Try turning it off and on.")
        assignment.assign_ticket(made["replied"], agent, actor=agent)
        conversation.post_reply(made["replied"], actor=agent, body="Which model is it?")
        assignment.assign_ticket(made["theirs"], colleague, actor=colleague)
        properties.change_status(made["filed"], rules.status_by_key("bug_filed"), actor=agent)
        properties.change_status(made["closed"], rules.status_by_key("closed"), actor=agent)
    with at(11):
        conversation.post_reply(made["replied"], actor=customer, body="The blue one.")
        conversation.post_reply(made["filed"], actor=customer, body="Any news?")
    db.session.commit()
    return made


def queue(agent, name, **filters) -> list[int]:
    return numbers(lists.queue_tickets(agent, name, filters=lists.QueueFilters(**filters)))


# --- What each queue holds ---------------------------------------------------------------


def test_each_queue_holds_its_tickets(agent, desk):
    n = {name: t.number for name, t in desk.items()}
    assert set(queue(agent, "all_open")) == {n[k] for k in ("waiting", "replied", "theirs", "fresh", "filed")}
    assert set(queue(agent, "needs_reply")) == {n["replied"], n["theirs"], n["fresh"], n["filed"]}
    assert set(queue(agent, "mine")) == {n["waiting"], n["replied"]}
    assert set(queue(agent, "unassigned")) == {n["fresh"], n["filed"]}
    assert queue(agent, "status:closed") == [n["closed"]]
    assert queue(agent, "status:bug_filed") == [n["filed"]]


def test_needs_reply_follows_who_spoke_last_in_public(agent, customer, make_ticket, db):
    """In it while the customer has the last public word on an open ticket; notes change nothing."""
    ticket = make_ticket(customer)

    def needs_reply() -> bool:
        return ticket.number in queue(agent, "needs_reply")

    assert needs_reply()
    conversation.add_internal_note(ticket, actor=agent, body="Looking into it")
    assert needs_reply()
    conversation.post_reply(ticket, actor=agent, body="Fixed?")
    assert not needs_reply()
    conversation.post_reply(ticket, actor=customer, body="Not yet.")
    assert needs_reply()
    properties.change_status(ticket, rules.status_by_key("closed"), actor=agent)
    assert not needs_reply()  # closing is a public change by the agent, and closed work is done
    db.session.commit()


def test_counts_match_the_lists_for_every_queue(agent, desk):
    counts = lists.queue_counts(agent)
    statuses = ["status:" + key for key in ("new", "assigned", "waiting", "feature_filed", "bug_filed", "closed")]
    for name in [*lists.QUEUE_LABELS, *statuses]:
        assert counts[name] == lists.queue_tickets(agent, name).total, name
    assert (counts["all_open"], counts["needs_reply"], counts["mine"], counts["status:feature_filed"]) == (5, 4, 2, 0)


def statements_of(work) -> list[str]:
    found: list[str] = []

    def record(conn, cursor, statement, *args):
        found.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)
    return found


def test_all_counts_take_one_read_of_the_counters_and_one_count_per_sla_queue(agent, desk, db):
    db.session.refresh(agent)
    assert len(statements_of(lambda: lists.queue_counts(agent))) == 1 + len(lists.SLA_QUEUES)


def test_the_page_runs_as_many_queries_for_eight_rows_as_for_two(
    client, login_as, agent, make_customer, make_ticket, db
):
    """Customer, organization, assignee, department, product and last author are loaded per page, not per row."""

    def fill(count: int) -> None:
        for _ in range(count):
            i = next(made)
            person = make_customer(name=f"Person {i}", organization=f"Org {i}")
            product = Product(name=f"Product {i}")
            db.session.add(product)
            ticket = make_ticket(person, subject=f"Ticket {i}", product=product)
            assignment.assign_ticket(ticket, agent, actor=agent)
            conversation.post_reply(ticket, actor=agent, body="On it.")
        db.session.commit()

    made = itertools.count()
    login_as(agent)
    fill(2)
    few = statements_of(lambda: client.get("/console/"))
    fill(6)
    many = statements_of(lambda: client.get("/console/"))
    assert "Person 7" in text(client.get("/console/"))
    assert len(many) == len(few)


# --- Filters and sorting -----------------------------------------------------------------


@pytest.fixture
def catalog_rows(db):
    sales = Department(name="Sales")
    terminal = Product(name="Terminal", department=sales)
    db.session.add_all([sales, terminal])
    db.session.commit()
    return sales, terminal


def test_filters_narrow_the_queue(agent, customer, make_ticket, catalog_rows, desk, db):
    sales, terminal = catalog_rows
    sold = conversation.open_ticket(
        actor=customer,
        customer=customer,
        subject="Quote please",
        body="For ten terminals.",
        department=sales,
        product=terminal,
        type="feature",
        priority="high",
    )
    db.session.commit()
    assert queue(agent, "all_open", department=sales.id) == [sold.number]
    assert queue(agent, "all_open", product=terminal.id) == [sold.number]
    assert queue(agent, "all_open", priority="high") == [sold.number]
    assert queue(agent, "all_open", type="feature") == [sold.number]
    unassigned = {desk["fresh"].number, desk["filed"].number, sold.number}
    assert set(queue(agent, "all_open", assignee=lists.NOBODY)) == unassigned
    assert set(queue(agent, "needs_reply", assignee=agent.id)) == {desk["replied"].number}


def test_sorting_by_each_key_both_ways(agent, customer, make_ticket, db):
    with at(0):
        old_urgent = make_ticket(customer, subject="Old and urgent", priority="urgent")
    with at(1):
        new_low = make_ticket(customer, subject="New and low", priority="low")
    with at(2):
        middle = make_ticket(customer, subject="Middle")
    with at(3):
        conversation.add_internal_note(old_urgent, actor=agent, body="Touched last")
    db.session.commit()
    a, b, c = old_urgent.number, new_low.number, middle.number
    assert queue(agent, "all_open") == [a, c, b]  # the latest activity first
    assert queue(agent, "all_open", descending=False) == [b, c, a]
    assert queue(agent, "all_open", sort="created") == [c, b, a]
    assert queue(agent, "all_open", sort="priority") == [a, c, b]
    assert queue(agent, "all_open", sort="priority", descending=False) == [b, c, a]
    assert queue(agent, "all_open", sort="number", descending=False) == [a, b, c]
    # First response due: urgent in an hour, normal in a business day, low in two.
    assert queue(agent, "all_open", sort="due", descending=False) == [a, c, b]
    assert queue(agent, "all_open", sort="due") == [b, c, a]


# --- Over HTTP: pages, fragments, addresses ----------------------------------------------


def test_the_page_shows_everything_an_agent_scans(client, login_as, agent, customer, desk, db):
    customer.organization = Organization(name="Acme Corp")
    db.session.commit()
    login_as(agent)
    html = text(client.get("/console/?queue=needs_reply"))
    replied = desk["replied"]
    row = re.search(rf'data-number="{replied.number}".*?</tr>', html, re.S).group(0)
    for expected in (
        "The replied ticket",  # subject
        f"#{replied.number}",
        "Alice Archer",
        "Acme Corp",
        "Assigned",  # status
        "Normal",  # priority
        "Bob Baker",  # assignee
        "General",
        "Question",
        "badge--customer",  # last updated by: the customer, by name
        "The blue one.",  # the last public message
    ):
        assert expected in row, expected
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">', row)  # relative, exact on hover


def test_a_row_tells_when_the_last_public_message_was_written_and_by_whom(
    client, login_as, agent, make_agent, customer, make_ticket, db
):
    """An internal note, an assignment and a status change later do not pass for the customer's
    message: they show apart, labelled as activity."""
    with at(0):
        ticket = make_ticket(customer, subject="Quiet printer", body="It hums.")
    with at(0.5):
        quiet = make_ticket(customer, subject="Nothing since", body="Hello.")
    with at(30):
        conversation.add_internal_note(ticket, actor=make_agent(name="Nora Note"), body="Checking.")
        assignment.assign_ticket(ticket, agent, actor=agent)
        properties.change_status(ticket, rules.status_by_key("feature_filed"), actor=agent)
        db.session.commit()
    login_as(agent)
    with at(31):
        html = text(client.get("/console/?queue=needs_reply"))
    row = re.search(rf'data-number="{ticket.number}".*?</tr>', html, re.S).group(0)
    when = row[row.index('class="row__when"') :]
    exact = re.findall(r'<time datetime="([^"]+)"', when)
    assert exact == [T0.isoformat() + "Z", (T0 + timedelta(hours=30)).isoformat() + "Z"]
    assert "Last public message:" in when and "badge--customer" in when and "Alice Archer" in when
    assert "Nora Note" not in when and "badge--agent" not in when and "activity <time" in when
    other = re.search(rf'data-number="{quiet.number}".*?</tr>', html, re.S).group(0)
    assert "row__activity" not in other  # nothing happened after its message


def test_the_sidebar_counts_every_queue(client, login_as, agent, desk):
    login_as(agent)
    html = text(client.get("/console/"))
    nav = html[html.index('id="queue-nav"') : html.index("</aside>")]

    def count(label: str) -> int:
        return int(re.search(rf">{label}</span>\s*<span class=\"sidebar__count\">(\d+)<", nav).group(1))

    assert (count("All open"), count("Needs reply"), count("Mine"), count("Unassigned")) == (5, 4, 2, 2)
    assert (count("Closed"), count("Bug report filed")) == (1, 1)


def test_htmx_gets_the_list_alone_and_a_reload_or_history_restore_the_page(client, login_as, agent, desk):
    login_as(agent)
    page = client.get("/console/?queue=mine")
    fragment = client.get("/console/?queue=mine", headers=HTMX)
    restored = client.get("/console/?queue=mine", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(page) and 'id="queue-nav"' in text(page)
    assert "<html" not in text(fragment) and 'id="queue-nav"' not in text(fragment)
    assert re.match(r'\s*<title>Mine · Deskbell</title>\s*<div id="queue-list"', text(fragment))
    assert listed(text(fragment)) == listed(text(page)) == [desk["replied"].number, desk["waiting"].number]
    assert fragment.headers["HX-Trigger-After-Swap"] == "queue-changed"
    assert "<html" in text(restored)
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_list_refreshes_from_its_own_address(client, login_as, agent, desk):
    login_as(agent)
    html = text(client.get("/console/?queue=needs_reply&priority=normal&sort=number&order=asc&page=1"))
    refresh = re.search(r'<span class="queue__refresh"[^>]*hx-get="([^"]+)"', html).group(1)
    assert refresh.replace("&amp;", "&") == "/console/?queue=needs_reply&priority=normal&sort=number&order=asc"


def test_filters_sorting_and_paging_over_http(client, login_as, agent, customer, make_ticket, db, app):
    app.config["QUEUE_PAGE_SIZE"] = 2
    for hour in range(5):
        with at(hour):
            make_ticket(customer, subject=f"Ticket {hour}", priority="high" if hour % 2 else "normal")
    db.session.commit()
    login_as(agent)
    first = text(client.get("/console/?sort=number&order=asc", headers=HTMX))
    second = text(client.get("/console/?sort=number&order=asc&page=2", headers=HTMX))
    assert listed(first) == [1001, 1002] and listed(second) == [1003, 1004]
    assert "3–4 of 5" in second
    assert 'href="/console/?sort=number&amp;order=asc&amp;page=3"' in second
    assert 'href="/console/?sort=number&amp;order=asc"' in second  # page 1 has no page argument
    assert listed(text(client.get("/console/?sort=number&order=asc&page=99"))) == [1005]  # the last page
    assert listed(text(client.get("/console/?sort=number&order=asc&page=abc"))) == [1001, 1002]
    assert listed(text(client.get("/console/?priority=high&sort=number"))) == [1004, 1002]


def test_an_unknown_queue_is_404_as_page_and_as_fragment(client, login_as, agent):
    login_as(agent)
    assert client.get("/console/?queue=nope").status_code == 404
    assert client.get("/console/?queue=status:nope", headers=HTMX).status_code == 404


@pytest.mark.parametrize(
    ("argument", "field"),
    [
        ("department=9999", "department"),
        ("assignee=bogus", "assignee"),
        ("priority=meh", "priority"),
        ("sort=colour", "sort"),
    ],
)
def test_an_unknown_filter_is_switched_off_with_a_note_beside_it(client, login_as, agent, desk, argument, field):
    login_as(agent)
    response = client.get(f"/console/?{argument}")
    html = text(response)
    assert response.status_code == 200
    value = argument.partition("=")[2]
    assert re.search(rf'id="{field}-error">“{value}” is not one of the choices, so this filter is off.<', html)
    assert len(listed(html)) == 5  # the whole queue, in the default order


def test_clear_filters_keeps_the_queue_and_order(client, login_as, agent, desk):
    login_as(agent)
    html = text(client.get("/console/?queue=mine&priority=normal&sort=created"))
    assert re.search(r'href="/console/\?queue=mine&amp;sort=created"[^>]*>Clear filters<', html)
    assert "Clear filters" not in text(client.get("/console/?queue=mine&sort=created"))


def test_an_empty_filtered_list_says_how_to_get_out(client, login_as, agent, desk):
    login_as(agent)
    html = text(client.get("/console/?priority=urgent"))
    assert "No tickets match these filters" in html and "Clear filters" in html


def test_the_counts_fragment_marks_the_current_queue(client, login_as, agent, desk):
    login_as(agent)
    fragment = text(client.get("/console/queues/counts?queue=mine", headers=HTMX))
    assert fragment.lstrip().startswith('<aside id="queue-nav"')
    assert re.search(r'href="/console/\?queue=mine"[^>]*aria-current="page"', fragment)
    plain = client.get("/console/queues/counts?queue=mine")
    assert plain.status_code == 302 and plain.headers["Location"] == "/console/?queue=mine"
