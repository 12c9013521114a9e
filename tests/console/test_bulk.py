"""Bulk changes from the queue list: the same verbs per ticket, history per ticket, and the way back
to the same list, as a plain form post and through htmx."""

import re

import pytest

from shared.core.errors import DomainError
from shared.models import Status
from shared.people import accounts
from shared.tickets import bulk, rules

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def status_id(db, key: str) -> int:
    return db.session.query(Status).filter_by(key=key).one().id


@pytest.fixture
def three(customer, make_ticket):
    return [make_ticket(customer, subject=f"Printer {i}") for i in range(3)]


def events(ticket, name: str) -> list:
    return [e for e in ticket.entries if e.event == name]


# --- The domain: one verb call per ticket -------------------------------------------------


def test_each_ticket_gets_its_own_history_and_rules(agent, three, db):
    outcome = bulk.update_tickets([t.number for t in three], actor=agent, assignee=agent, priority="high")
    db.session.commit()
    for ticket in three:
        assert [e.data["to"] for e in events(ticket, "assignment")] == [agent.id]
        [moved] = events(ticket, "status")
        assert moved.data["to"] == "assigned" and moved.data["rule"].startswith("2. ")  # rule 2 ran for each
        assert [e.data for e in events(ticket, "priority")] == [{"from": "normal", "to": "high"}]
        assert all(e.agent_id == agent.id for e in ticket.entries if e.is_event)
    assert (outcome.assigned, outcome.reprioritized, outcome.moved) == (3, 3, 0)
    assert outcome.messages() == [
        ("3 tickets assigned to Bob Baker.", "success"),
        ("3 tickets set to high priority.", "success"),
    ]


def test_only_real_changes_are_counted_and_recorded(agent, three, db):
    closed = rules.status_by_key("closed")
    bulk.update_tickets([three[0].number], actor=agent, status=closed)
    outcome = bulk.update_tickets([t.number for t in three], actor=agent, status=closed)
    assert outcome.moved == 2 and outcome.messages() == [("2 tickets closed.", "success")]
    assert len(events(three[0], "status")) == 1


def test_unknown_numbers_are_refused_and_the_rest_changed(agent, three, db):
    outcome = bulk.update_tickets([three[0].number, 9999], actor=agent, assignee=None, priority="low")
    assert outcome.refused == [9999] and outcome.reprioritized == 1
    assert ("Not changed (no such ticket, or not yours to change): #9999.", "warning") in outcome.messages()


def test_a_customer_may_change_nothing(customer, three):
    outcome = bulk.update_tickets([t.number for t in three], actor=customer, priority="urgent")
    assert outcome.refused == [t.number for t in three]
    assert all(t.priority == "normal" for t in three)


@pytest.mark.parametrize(
    ("numbers", "changes", "message"),
    [([], {"priority": "low"}, "Select at least one ticket."), ([1001], {}, "Choose what to change.")],
)
def test_nothing_selected_or_nothing_chosen_is_refused(agent, three, numbers, changes, message):
    with pytest.raises(DomainError, match=message):
        bulk.update_tickets(numbers, actor=agent, **changes)


# --- Over HTTP ------------------------------------------------------------------------------


def test_a_plain_post_closes_the_rows_and_returns_to_the_same_list(client, login_as, agent, three, db):
    login_as(agent)
    back = "/console/?queue=needs_reply&sort=number&order=asc"
    data = {"ticket": [three[0].number, three[2].number], "status": status_id(db, "closed"), "next": back}
    response = client.post("/console/tickets/bulk", data=data)
    assert response.status_code == 303 and response.headers["Location"] == back
    assert [t.status.key for t in three] == ["closed", "new", "closed"]
    for ticket in (three[0], three[2]):
        assert [(e.agent_id, e.data["to"]) for e in events(ticket, "status")] == [(agent.id, "closed")]
    page = text(client.get(back))
    assert "2 tickets closed." in page and "<html" in page
    assert re.findall(r'data-number="(\d+)"', page) == [str(three[1].number)]


def test_through_htmx_the_list_comes_back_with_the_message_and_a_count_refresh(client, login_as, agent, three, db):
    login_as(agent)
    data = {"ticket": [t.number for t in three], "priority": "urgent", "next": "/console/?queue=all_open"}
    response = client.post("/console/tickets/bulk", data=data, headers=HTMX)
    assert response.status_code == 303  # the browser follows it, still as an htmx request
    fragment = client.get(response.headers["Location"], headers=HTMX)
    assert "3 tickets set to urgent priority." in text(fragment)
    assert "<html" not in text(fragment) and fragment.headers["HX-Trigger-After-Swap"] == "queue-changed"


@pytest.mark.parametrize(
    ("asked", "back"),
    [
        ("/console/?queue=mine&page=2", "/console/?queue=mine&page=2"),
        ("https://evil.example/console/", "/console/"),
        ("//evil.example/console/", "/console/"),
        ("/console/tickets/1001", "/console/"),
        ("/portal/tickets", "/console/"),
        ("", "/console/"),
    ],
)
def test_the_way_back_stays_on_the_queue_list(client, login_as, agent, three, asked, back):
    login_as(agent)
    data = {"ticket": [three[0].number], "priority": "low", "next": asked}
    assert client.post("/console/tickets/bulk", data=data).headers["Location"] == back


def test_nothing_chosen_keeps_the_selection_with_a_message(client, login_as, agent, three, db):
    login_as(agent)
    data = {"ticket": [three[1].number], "next": "/console/?sort=number"}
    response = client.post("/console/tickets/bulk", data=data)
    html = text(response)
    assert response.status_code == 422 and "Choose what to change." in html and "<html" in html
    assert re.search(rf'value="{three[1].number}" id="pick-{three[1].number}"[^>]*checked', html)
    assert not re.search(rf'value="{three[0].number}" id="pick-{three[0].number}"[^>]*checked', html)
    fragment = client.post("/console/tickets/bulk", data=data, headers=HTMX)
    assert fragment.status_code == 422 and "<html" not in text(fragment) and "Choose what to change." in text(fragment)
    assert all(len(t.entries) == 1 for t in three)


def test_no_rows_selected_says_so(client, login_as, agent, three):
    login_as(agent)
    response = client.post("/console/tickets/bulk", data={"priority": "low", "next": "/console/"})
    assert response.status_code == 422 and "Select at least one ticket." in text(response)


def test_a_deactivated_agent_cannot_be_assigned(client, login_as, agent, make_agent, three, db):
    gone = make_agent("gone@desk.example", name="Gone Gary")
    gone.is_active = False
    db.session.commit()
    login_as(agent)
    data = {"ticket": [three[0].number], "assignee": gone.id, "next": "/console/"}
    response = client.post("/console/tickets/bulk", data=data)
    assert response.status_code == 422 and "Not a valid choice." in text(response)
    assert three[0].assignee is None


def test_assigning_to_nobody(client, login_as, agent, three, db):
    bulk.update_tickets([t.number for t in three], actor=agent, assignee=accounts.find_agent(agent.email))
    db.session.commit()
    login_as(agent)
    client.post("/console/tickets/bulk", data={"ticket": [three[0].number], "assignee": "none", "next": "/console/"})
    assert three[0].assignee is None and three[1].assignee_id == agent.id
    assert [e.data["to"] for e in events(three[0], "assignment")] == [agent.id, None]
