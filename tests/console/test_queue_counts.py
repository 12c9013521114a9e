"""The counts the console shows: unnarrowed queues answered by the counters (never counting tickets),
counts without counters behind them stopping at a cap and saying "N+", all in the agent's number format."""

import re
from datetime import timedelta

import pytest

from shared.models import QueueCounter, Ticket, utcnow
from shared.queues import lists, saved_views

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def sidebar_count(page: str, label: str) -> str:
    found = re.search(rf'sidebar__label"[^>]*>{label}</span>\s*<span class="sidebar__count">([^<]*)</span>', page)
    assert found, label
    return found.group(1)


def heading_count(page: str) -> str:
    return re.search(r'<h1 id="queue-title">[^<]*<span class="count">([^<]*)</span>', page).group(1)


@pytest.fixture
def overdue(db, customer, make_ticket):
    """Four tickets whose SLA clock ran out an hour ago."""
    made = [make_ticket(customer, subject=f"Late {n}") for n in range(4)]
    for ticket in made:
        ticket.sla_due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    return made


def test_unnarrowed_totals_come_from_the_counters_in_the_agents_number_format(
    client, login_as, agent, customer, make_ticket, db
):
    """The counters say 12,345 tickets are new: the sidebar and the list's heading both say so, which
    they could only do by reading the counters instead of counting three tickets."""
    for n in range(3):
        make_ticket(customer, subject=f"Printer {n}")
    db.session.execute(QueueCounter.__table__.update().values(n=12345))
    db.session.commit()
    login_as(agent)
    page = text(client.get("/console/?queue=status:new"))
    assert heading_count(page) == "12,345"
    assert sidebar_count(page, "All open") == "12,345" and sidebar_count(page, "New") == "12,345"
    narrowed = text(client.get("/console/?queue=status:new&priority=normal", headers=HTMX))
    assert heading_count(narrowed) == "3"  # a narrowed list counts its own tickets


def test_counts_without_counters_stop_at_the_cap_and_say_so(client, login_as, agent, overdue, monkeypatch, app, db):
    monkeypatch.setattr(lists, "COUNT_CAP", 2)
    app.config["QUEUE_PAGE_SIZE"] = 1
    login_as(agent)
    saved_views.save_view(agent, "Normal ones", "priority=normal")
    db.session.commit()
    page = text(client.get("/console/?queue=overdue"))
    assert sidebar_count(page, "Overdue") == "2+"
    assert sidebar_count(page, "All open") == "4"  # from the counters: exact, however many
    assert sidebar_count(page, "Normal ones") == "2+"
    assert heading_count(page) == "2+"
    assert "1–1 of 2+" in page
    # Paged as far as it counted, as search is: the last page is the cap's.
    last = text(client.get("/console/?queue=overdue&page=9", headers=HTMX))
    assert "2–2 of 2+" in last
    narrowed = text(client.get("/console/?queue=all_open&priority=normal", headers=HTMX))
    assert heading_count(narrowed) == "2+"


def test_a_capped_count_is_exact_below_the_cap(agent, overdue, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 4)
    counts = lists.queue_counts(agent)
    assert counts["overdue"] == 4 and not isinstance(counts["overdue"], lists.AtLeast)
    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    assert isinstance(lists.queue_counts(agent)["overdue"], lists.AtLeast)
    assert lists.queue_tickets(agent, "overdue").total == 3
    assert {t.number for t in lists.queue_tickets(agent, "overdue").items} <= {t.number for t in overdue}
    assert lists.count_rows(lists.visible_tickets(agent).where(Ticket.id > 0)) == 4  # no cap: exact
