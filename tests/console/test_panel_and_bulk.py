"""The ticket page's side panel and the queue's bulk bar change properties through the same verb,
`properties.update`, so the same change leaves the same history, whichever page it came from."""

import pytest

from shared.core.errors import DomainError
from shared.tickets import properties
from tests.shared.tickets.rulekit import status


def property_events(ticket) -> list[tuple[str, object, int | None]]:
    return [
        (e.event, e.data["to"], e.agent_id) for e in ticket.entries if e.event in {"assignment", "status", "priority"}
    ]


@pytest.fixture
def calls(monkeypatch) -> list[tuple[int, dict]]:
    """Each call of `properties.update`: the ticket's number and the changes asked (records by id)."""
    seen = []
    real = properties.update

    def update(ticket, changes, *, actor):
        seen.append((ticket.number, {name: getattr(value, "id", value) for name, value in changes.items()}))
        return real(ticket, changes, actor=actor)

    monkeypatch.setattr(properties, "update", update)
    return seen


def test_the_panel_and_the_bulk_bar_leave_the_same_history(client, login_as, agent, customer, make_ticket, calls):
    by_panel, by_bulk = make_ticket(customer), make_ticket(customer)
    waiting = status("waiting")
    login_as(agent)
    panel = {"props-assignee": agent.id, "props-status": waiting.id, "props-priority": "high"}
    assert client.post(f"/console/tickets/{by_panel.number}/properties", data=panel).status_code == 303
    bulk = {"ticket": [by_bulk.number], "assignee": agent.id, "status": waiting.id, "priority": "high", "next": "/"}
    assert client.post("/console/tickets/bulk", data=bulk).status_code == 303

    expected = [
        ("assignment", agent.id, agent.id),
        ("status", "assigned", agent.id),  # rule 2, on the assignment
        ("status", "waiting", agent.id),  # the agent's choice, after it
        ("priority", "high", agent.id),
    ]
    assert property_events(by_panel) == property_events(by_bulk) == expected
    wanted = {"assignee": agent.id, "status": waiting.id, "priority": "high"}
    assert calls == [(by_panel.number, wanted), (by_bulk.number, wanted)]


def test_the_panel_passes_only_the_fields_it_changes(client, login_as, agent, customer, make_ticket, calls):
    ticket = make_ticket(customer)
    login_as(agent)
    data = {"props-status": ticket.status_id, "props-assignee": agent.id, "props-priority": "normal"}
    client.post(f"/console/tickets/{ticket.number}/properties", data=data)
    assert calls == [(ticket.number, {"assignee": agent.id})]
    assert ticket.status.key == "assigned"  # the untouched status did not undo rule 2


def test_the_verbs_refusal_shows_beside_its_field_and_changes_nothing(
    client, login_as, agent, customer, make_ticket, monkeypatch
):
    ticket = make_ticket(customer)

    def refuse(ticket, changes, *, actor):
        properties.change_priority(ticket, changes["priority"], actor=actor)
        raise DomainError("Choose a department.", field="department")

    monkeypatch.setattr(properties, "update", refuse)
    login_as(agent)
    data = {"props-priority": "high"}
    response = client.post(f"/console/tickets/{ticket.number}/properties", data=data, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="props-department-error">Choose a department.<' in html
    assert ticket.priority == "normal"  # rolled back
