"""SLA in the console: due chips on the list, the Breaching soon and Overdue queues with their
counts, and the ticket page's SLA card (paused, met, refreshed by a panel change)."""

import re
from datetime import datetime

import pytest

from shared.core.clock import frozen_at
from shared.queues import lists

HTMX = {"HX-Request": "true"}
MONDAY_9AM = datetime(2026, 12, 7, 9, 0)


def text(response) -> str:
    return response.get_data(as_text=True)


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="row[^"]*" data-number="(\d+)"', html)]


@pytest.fixture
def desk(db, customer, make_ticket):
    """Made on Monday 09:00 (Standard hours, UTC): urgent is due in 1 h, high in 4 h, normal at 17:00,
    and one waits on the customer (no due time while paused)."""
    with frozen_at(MONDAY_9AM):
        made = {p: make_ticket(customer, subject=f"A {p} matter", priority=p) for p in ("urgent", "high", "normal")}
        waiting = make_ticket(customer, subject="Waiting matter", priority="urgent")
    return made | {"waiting": waiting}


@pytest.fixture
def waiting_on_customer(desk, agent, db):
    from shared.tickets import conversation

    with frozen_at(MONDAY_9AM):
        conversation.post_reply(desk["waiting"], actor=agent, body="Which version do you run?")
        db.session.commit()
    return desk["waiting"]


def test_queues_hold_what_is_due_soon_and_what_is_overdue(desk, waiting_on_customer, agent, db):
    with frozen_at(datetime(2026, 12, 7, 9, 30)):
        soon = lists.queue_tickets(agent, "breaching_soon").items
        assert [t.number for t in soon] == [desk["urgent"].number]
        assert lists.queue_tickets(agent, "overdue").total == 0
    with frozen_at(datetime(2026, 12, 7, 12, 30)):
        counts = lists.queue_counts(agent)
        assert (counts["overdue"], counts["breaching_soon"]) == (1, 1)  # urgent overdue, high due at 13:00
    with frozen_at(datetime(2026, 12, 8, 9, 0)):
        overdue = {t.number for t in lists.queue_tickets(agent, "overdue").items}
        assert overdue == {desk[p].number for p in ("urgent", "high", "normal")}  # never the paused one


def test_the_list_shows_due_chips_and_the_sidebar_the_new_queues(client, login_as, agent, desk, waiting_on_customer):
    login_as(agent)
    with frozen_at(datetime(2026, 12, 7, 9, 30)):
        page = text(client.get("/console/"))
        fragment = text(client.get("/console/?queue=breaching_soon", headers=HTMX))
    assert re.search(
        r'<time class="sla sla--soon" datetime="2026-12-07T10:00:00Z" title="Due [^"]+">due in 30 min</time>', page
    )
    assert 'class="sla sla--ok"' in page
    assert "Breaching soon" in page and "Overdue" in page
    assert listed(fragment) == [desk["urgent"].number]
    with frozen_at(datetime(2026, 12, 7, 12, 0)):
        page = text(client.get("/console/?queue=overdue"))
    assert listed(page) == [desk["urgent"].number]
    assert "overdue 2 hr" in page and 'class="sla sla--overdue"' in page


def test_the_ticket_page_shows_both_targets_and_a_paused_clock(client, login_as, agent, desk, waiting_on_customer):
    login_as(agent)
    with frozen_at(datetime(2026, 12, 7, 10, 0)):
        running = text(client.get(f"/console/tickets/{desk['high'].number}"))
        paused = text(client.get(f"/console/tickets/{waiting_on_customer.number}"))
    card = running[running.index('id="ticket-sla"') :]
    assert "First response" in card and "Resolution" in card and "due in 3 hr" in card
    assert "Business hours: Standard hours" in card
    assert re.search(r'data-target="first_response">.*?Met\b', paused, re.S)
    assert re.search(r'data-target="resolution">.*?Paused.*?4 hr left', paused, re.S)


def test_a_clock_paused_after_its_due_time_says_when_it_was_due(client, login_as, agent, desk, db):
    from shared.tickets import conversation

    with frozen_at(datetime(2026, 12, 7, 14, 0)):  # resolution was due at 13:00
        conversation.post_reply(desk["urgent"], actor=agent, body="Fixed, can you check?")
        db.session.commit()
    login_as(agent)
    with frozen_at(datetime(2026, 12, 7, 15, 0)):
        page = text(client.get(f"/console/tickets/{desk['urgent'].number}"))
    assert re.search(r'data-target="resolution">.*?Paused.*?Was due <time[^>]*>2 hours ago', page, re.S)


def test_a_priority_change_from_the_panel_refreshes_the_card(client, login_as, agent, desk):
    login_as(agent)
    ticket = desk["normal"]
    with frozen_at(datetime(2026, 12, 7, 9, 15)):
        response = client.post(
            f"/console/tickets/{ticket.number}/properties", data={"props-priority": "urgent"}, headers=HTMX
        )
    assert response.status_code == 200
    body = text(response)
    assert re.search(r'id="ticket-sla"[^>]*hx-swap-oob="true"', body)
    assert "due in 45 min" in body
