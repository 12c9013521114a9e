"""Automatic assignment over HTTP: the department's card and the agent's settings in the admin
area (plain posts and htmx, errors beside their fields), the away switch in the header (no-JS,
htmx, CSRF), and the reason as the ticket's history shows it."""

import html
import re

import pytest
from sqlalchemy import select

from shared.models import Agent, AuditEvent
from shared.tickets import assignment, conversation

HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin(make_agent) -> Agent:
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


@pytest.fixture
def team(make_agent) -> list[Agent]:
    return [make_agent(name=name) for name in ("Bea Brown", "Carol Chen")]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_department_page_sets_the_strategy_and_members_without_javascript(
    client, login_as, admin, team, department, db
):
    login_as(admin)
    page = text(client.get(f"/console/admin/departments/{department.id}"))
    assert "Assignment" in page and 'value="round_robin"' in page and "Bea Brown" in page
    form = {"strategy": "round_robin", "agents": [team[0].id, team[1].id]}
    response = client.post(f"/console/admin/departments/{department.id}/assignment", data=form)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/departments/{department.id}")
    assert "Assignment saved." in text(client.get(response.headers["Location"]))
    assert department.assignment_strategy == "round_robin" and department.agents == team
    listing = text(client.get("/console/admin/departments"))
    assert "Round-robin · 2 agents" in " ".join(listing.split())
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "department.assignment_updated"))
    assert event.data["changes"]["strategy"] == ["manual", "round_robin"]


def test_the_department_card_swaps_in_place_with_htmx(client, login_as, admin, team, department):
    login_as(admin)
    url = f"/console/admin/departments/{department.id}/assignment"
    response = client.post(url, data={"strategy": "least_open", "agents": [team[1].id]}, headers=HTMX)
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card settings" id="department-assignment"')
    assert "Assignment saved." in body and "<html" not in body
    assert department.assignment_strategy == "least_open" and department.agents == [team[1]]

    response = client.post(url, data={"strategy": "lottery", "agents": [team[0].id]}, headers=HTMX)
    assert response.status_code == 422 and "Not a valid choice" in text(response)
    assert department.assignment_strategy == "least_open"
    response = client.post(url, data={"strategy": "lottery"})
    assert response.status_code == 422 and "<html" in text(response) and "Not a valid choice" in text(response)


def test_the_agent_settings_page_saves_cap_away_and_departments(client, login_as, admin, team, department):
    login_as(admin)
    bea = team[0]
    assert "Assignment settings for Bea Brown" in text(client.get("/console/admin/agents"))
    page = text(client.get(f"/console/admin/agents/{bea.id}/assignment"))
    assert "Open-ticket cap" in page and "General" in page
    form = {"cap": "8", "away": "y", "departments": [department.id]}
    response = client.post(f"/console/admin/agents/{bea.id}/assignment", data=form)
    assert response.status_code == 303
    listing = " ".join(text(client.get(response.headers["Location"])).split())
    assert "Assignment settings saved for Bea Brown." in listing and "cap 8" in listing and "Away" in listing
    assert (bea.open_ticket_cap, bea.is_away, assignment.departments_of(bea)) == (8, True, [department])


@pytest.mark.parametrize("cap", ["ten", "0", "-1", "3.5", "5000"])
def test_a_bad_cap_is_explained_beside_the_field_and_nothing_is_lost(client, login_as, admin, team, department, cap):
    login_as(admin)
    bea = team[0]
    form = {"cap": cap, "away": "y", "departments": [department.id]}
    response = client.post(f"/console/admin/agents/{bea.id}/assignment", data=form)
    page = text(response)
    assert response.status_code == 422
    error = re.search(r'<p class="field__error" id="cap-error">([^<]+)</p>', page)
    assert error and "whole number of open tickets from 1 to 1000" in error[1]
    assert f'value="{cap}"' in page and 'aria-invalid="true"' in page
    assert re.search(rf'value="{department.id}" checked', page) and re.search(r'<input checked[^>]*id="away"', page)
    assert (bea.open_ticket_cap, bea.is_away) == (None, False)


def test_agents_who_are_not_admins_cannot_reach_the_settings(client, login_as, team, department):
    login_as(team[0])
    assert client.get(f"/console/admin/agents/{team[0].id}/assignment").status_code == 404
    url = f"/console/admin/departments/{department.id}/assignment"
    assert client.post(url, data={"strategy": "round_robin"}).status_code == 404
    assert department.assignment_strategy == "manual"


def test_the_away_switch_without_javascript_returns_to_the_page(client, login_as, agent):
    login_as(agent)
    page = text(client.get("/console/?queue=mine"))
    assert 'id="away-switch"' in page and 'role="switch" aria-checked="false"' in page
    response = client.post("/console/away", data={"state": "on", "next": "/console/?queue=mine"})
    assert response.status_code == 303 and response.headers["Location"] == "/console/?queue=mine"
    assert agent.is_away
    assert "You are away" in text(client.get(response.headers["Location"]))
    response = client.post("/console/away", data={"state": "off", "next": "https://evil.example/console/"})
    assert response.headers["Location"] == "/console/" and not agent.is_away


def test_the_away_switch_with_htmx_answers_with_itself(client, login_as, agent):
    login_as(agent)
    response = client.post("/console/away", data={"state": "on"}, headers=HTMX)
    body = text(response)
    assert response.status_code == 200
    assert 'id="away-switch"' in body and 'aria-checked="true"' in body and "<html" not in body
    assert 'name="state" value="off"' in body and agent.is_away
    assert client.post("/console/away", data={"state": "sideways"}, headers=HTMX).status_code == 400


def test_the_history_shows_the_choice_and_its_reason(client, login_as, admin, team, department, customer, db):
    bea, carol = team
    assignment.update_department(department, strategy="round_robin", members=team, actor=admin)
    bea.is_away = True
    db.session.commit()
    ticket = conversation.open_ticket(
        actor=customer, customer=customer, subject="Hi", body="Hello", department=department
    )
    db.session.commit()
    login_as(carol)
    page = " ".join(text(client.get(f"/console/tickets/{ticket.number}")).split())
    assert "Assigned to Carol Chen by round-robin (Bea Brown is away)" in page
    login_as(customer)  # the customer never sees it: the event is internal
    assert "Carol" not in text(client.get(f"/portal/tickets/{ticket.number}"))


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_away_switch_needs_the_token(self, client, agent, db):
        page = client.get("/console/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        login = {"email": agent.email, "password": "correct horse battery", "csrf_token": token}
        assert client.post("/console/login", data=login).status_code == 303
        page = client.get("/console/").get_data(as_text=True)
        assert client.post("/console/away", data={"state": "on"}).status_code == 400
        assert client.post("/console/away", data={"state": "on"}, headers=HTMX).status_code == 400
        assert not db.session.get(Agent, agent.id).is_away
        header = {**HTMX, "X-CSRFToken": re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)}
        assert client.post("/console/away", data={"state": "on"}, headers=header).status_code == 200
        form_token = re.search(r'id="away-switch".*?name="csrf_token" value="([^"]+)"', page, re.S).group(1)
        response = client.post("/console/away", data={"state": "off", "csrf_token": form_token})
        assert response.status_code == 303 and not db.session.get(Agent, agent.id).is_away
