"""The console's admin area over HTTP: who may enter, and each action on the team of agents, with
its mail, its audit entry and its errors (customers and the catalog: test_admin_records.py)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.core.clock import frozen_at, utcnow
from shared.core.errors import DomainError
from shared.models import Organization, Product
from shared.people import accounts
from shared.tickets import agents, assignment, conversation, properties
from tests.conftest import PASSWORD
from tests.console.admin.adminkit import audit_actions, flashed, mailed_link, page_text
from tests.routes import endpoints

NEW_PASSWORD = "a fresh agent passphrase"
ADMIN_ENDPOINTS = [e for e in endpoints("console") if e[1].startswith("/console/admin/")]


# Who may enter -------------------------------------------------------------------------------


def test_the_guard_test_covers_every_admin_page():
    paths = {path for _, path in ADMIN_ENDPOINTS}
    assert {"/console/admin/agents", "/console/admin/customers", "/console/admin/organizations"} <= paths
    assert {"/console/admin/departments", "/console/admin/products", "/console/admin/agents/1/deactivate"} <= paths


@pytest.mark.parametrize(("method", "path"), ADMIN_ENDPOINTS)
def test_an_agent_who_is_not_an_admin_finds_nothing_there(
    client, login_as, agent, admin, customer, db, outbox, method, path
):
    """404, as for an address that does not exist, and nothing changes (the ids exist: agent 1 is
    the admin, customer 1 Alice)."""
    db.session.add_all([Organization(name="Atlas"), Product(name="Card reader")])
    db.session.commit()
    login_as(agent)
    data = {"name": "Forged", "email": "forged@example.com", "state": "off", "organization": 0, "department": 0}
    response = client.open(path, method=method, data=data)
    assert response.status_code == 404
    assert "Forged" not in page_text(response) and "Ada Admin" not in page_text(response)
    assert audit_actions(db) == [] and outbox() == []
    assert admin.is_active and admin.is_admin and customer.name == "Alice Archer"


def test_only_admins_see_the_way_in(client, login_as, agent, admin):
    login_as(agent)
    assert "/console/admin/" not in page_text(client.get("/console/"))
    client.post("/console/logout")
    login_as(admin)
    assert 'href="/console/admin/"' in page_text(client.get("/console/"))
    response = client.get("/console/admin/")
    assert response.status_code == 302 and response.headers["Location"] == "/console/admin/agents"


def test_an_admin_who_is_demoted_loses_the_area_at_once(client, as_admin, admin, make_agent, db):
    other = make_agent(is_admin=True)
    agents.set_admin(admin, False, actor=other)
    db.session.commit()
    assert client.get("/console/admin/agents").status_code == 404


# Agents ------------------------------------------------------------------------------------


def test_an_invited_agent_sets_a_password_through_the_mail_and_lands_in_the_console(
    client, as_admin, admin, outbox, db
):
    response = client.post(
        "/console/admin/agents", data={"name": "Dana Scully", "email": "Dana@Desk.example", "is_admin": "y"}
    )
    assert "Invitation sent to dana@desk.example." in flashed(client, response)
    dana = accounts.find_agent("dana@desk.example")
    assert dana.name == "Dana Scully" and dana.is_admin and dana.password_hash is None
    assert audit_actions(db) == ["agent.invited_admin"]

    [mail] = outbox()
    assert mail.to_addr == "dana@desk.example" and mail.template == "agent_invitation"
    assert mail.subject == "You are invited to the Deskbell console"
    assert "Ada Admin has invited you" in mail.body_text and "expires in 7 days" in mail.body_text
    link = mailed_link(mail)
    assert link.startswith("/console/reset/")

    client.post("/console/logout")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/console/"
    home = page_text(client.get("/console/"))
    assert "Dana Scully" in home and "Your password is set." in home
    client.post("/console/logout")
    assert client.post("/console/login", data={"email": dana.email, "password": NEW_PASSWORD}).status_code == 303


def test_an_invitation_lasts_a_week_not_the_two_hours_of_a_reset(client, as_admin, outbox):
    client.post("/console/admin/agents", data={"name": "Dana Scully", "email": "dana@desk.example"})
    link = mailed_link(outbox()[-1])
    client.post("/console/logout")
    with frozen_at(utcnow() + timedelta(days=6, hours=23)):
        assert client.get(link).status_code == 200
    with frozen_at(utcnow() + timedelta(days=7, minutes=1)):
        response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/console/reset"


def test_resending_an_invitation_retires_the_first_link(client, as_admin, outbox, db):
    client.post("/console/admin/agents", data={"name": "Dana Scully", "email": "dana@desk.example"})
    first = mailed_link(outbox()[-1])
    dana = accounts.find_agent("dana@desk.example")
    response = client.post(f"/console/admin/agents/{dana.id}/invitation")
    assert "A new invitation is on its way to dana@desk.example." in flashed(client, response)
    second = mailed_link(outbox()[-1])
    assert second != first and len(outbox()) == 2
    client.post("/console/logout")
    assert client.get(first).status_code == 303
    assert client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    assert audit_actions(db) == ["agent.invited", "agent.invitation_resent"]


def test_an_agent_with_a_password_gets_no_invitation(client, as_admin, agent, outbox):
    response = client.post(f"/console/admin/agents/{agent.id}/invitation")
    assert "Bob Baker has already set a password." in flashed(client, response)
    assert outbox() == []


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"name": "Bob Again", "email": "BOB@desk.example"}, "An agent with this address already exists."),
        ({"name": "Nobody", "email": "not-an-address"}, "Enter a valid email address."),
        ({"name": "", "email": "dana@desk.example"}, "This field is required."),
    ],
)
def test_a_refused_invitation_says_why_next_to_the_field_and_keeps_the_input(
    client, as_admin, agent, outbox, db, data, field_error
):
    response = client.post("/console/admin/agents", data=data)
    text = page_text(response)
    assert response.status_code == 422
    assert re.search(rf'field__error" id="[a-z_]+-error">{re.escape(field_error)}', text)
    assert f'value="{data["email"]}"' in text and (not data["name"] or f'value="{data["name"]}"' in text)
    assert outbox() == [] and audit_actions(db) == []


def test_a_deactivated_agent_is_locked_out_gives_back_open_tickets_and_keeps_their_name(
    client, login_as, admin, agent, customer, make_ticket, db, app
):
    open_one, closed_one = make_ticket(customer, subject="Still open"), make_ticket(customer, subject="Done")
    assignment.assign_ticket(open_one, agent, actor=agent)
    assignment.assign_ticket(closed_one, agent, actor=agent)
    conversation.add_internal_note(open_one, actor=agent, body="Checked the **firmware**")
    properties.change_status(
        closed_one, db.session.scalar(select(conversation.Status).filter_by(key="closed")), actor=agent
    )
    db.session.commit()
    bobs_browser = app.test_client()
    assert bobs_browser.post("/console/login", data={"email": agent.email, "password": PASSWORD}).status_code == 303

    login_as(admin)
    response = client.post(f"/console/admin/agents/{agent.id}/deactivate")
    assert "Bob Baker is deactivated. 1 open ticket is unassigned." in flashed(client, response)
    assert not agent.is_active
    assert (open_one.assignee, closed_one.assignee) == (None, agent)
    assert audit_actions(db) == ["agent.deactivated"]

    assert bobs_browser.get("/console/").status_code == 302  # the open session ends too
    login = bobs_browser.post("/console/login", data={"email": agent.email, "password": PASSWORD})
    assert login.status_code == 422 and "Wrong email or password." in page_text(login)

    ticket_page = page_text(client.get(f"/console/tickets/{open_one.number}"))
    assert "Checked the <strong>firmware</strong>" in ticket_page and "Bob Baker" in ticket_page
    assert ">Bob Baker</option>" not in ticket_page  # gone from the assignee choices
    assert "Bob Baker" in page_text(client.get(f"/console/tickets/{closed_one.number}"))


def test_a_reactivated_agent_can_log_in_again(client, as_admin, agent, db):
    client.post(f"/console/admin/agents/{agent.id}/deactivate")
    response = client.post(f"/console/admin/agents/{agent.id}/reactivate")
    assert "Bob Baker can log in again." in flashed(client, response)
    assert agent.is_active and audit_actions(db) == ["agent.deactivated", "agent.reactivated"]
    client.post("/console/logout")
    assert client.post("/console/login", data={"email": agent.email, "password": PASSWORD}).status_code == 303


def test_an_admin_cannot_deactivate_or_demote_themselves(client, as_admin, admin, db):
    response = client.post(f"/console/admin/agents/{admin.id}/deactivate")
    assert "You cannot deactivate yourself. Ask another admin." in flashed(client, response)
    response = client.post(f"/console/admin/agents/{admin.id}/admin", data={"state": "off"})
    assert "You cannot remove your own admin rights. Ask another admin." in flashed(client, response)
    assert admin.is_active and admin.is_admin and audit_actions(db) == []


def test_the_last_active_admin_stays(db, admin, make_agent):
    """From the console an admin can only reach other admins, so there are always two; the
    command line (no actor) or an inactive second admin must not empty the desk either."""
    with pytest.raises(DomainError, match="Ada Admin is the last active admin"):
        agents.deactivate_agent(admin, actor=None)
    with pytest.raises(DomainError, match="Ada Admin is the last active admin"):
        agents.set_admin(admin, False, actor=None)
    retired = make_agent(is_admin=True)
    agents.deactivate_agent(retired, actor=admin)
    with pytest.raises(DomainError, match="last active admin"):
        agents.deactivate_agent(admin, actor=retired)
    assert admin.is_active and admin.is_admin


def test_admin_rights_are_given_and_taken(client, as_admin, agent, db):
    response = client.post(f"/console/admin/agents/{agent.id}/admin", data={"state": "on"})
    assert "Bob Baker is now an admin." in flashed(client, response) and agent.is_admin
    response = client.post(f"/console/admin/agents/{agent.id}/admin", data={"state": "off"})
    assert "Bob Baker is no longer an admin." in flashed(client, response) and not agent.is_admin
    assert client.post(f"/console/admin/agents/{agent.id}/admin", data={"state": "maybe"}).status_code == 400
    assert audit_actions(db) == ["agent.admin_granted", "agent.admin_revoked"]


def test_row_actions_answer_htmx_with_the_row_alone(client, as_admin, admin, agent):
    htmx = {"HX-Request": "true"}
    response = client.post(f"/console/admin/agents/{agent.id}/deactivate", headers=htmx)
    text = page_text(response)
    assert response.status_code == 200 and text.lstrip().startswith("<tr") and "<html" not in text
    assert f'id="agent-{agent.id}"' in text and "Deactivated" in text and "Reactivate" in text
    refused = client.post(f"/console/admin/agents/{admin.id}/deactivate", headers=htmx)
    assert refused.status_code == 422 and "You cannot deactivate yourself." in page_text(refused)
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
    # The flash was shown in the row, so the next page does not repeat it.
    assert "is deactivated" not in page_text(client.get("/console/admin/agents"))


def test_the_team_page_lists_everyone_with_their_state(client, as_admin, agent, make_agent, db):
    agents.invite_agent("new@desk.example", name="Nia New", is_admin=False, actor=None, set_url_for=str)
    gone = make_agent(name="Gil Gone")
    agents.deactivate_agent(gone, actor=None)
    db.session.commit()
    text = page_text(client.get("/console/admin/agents"))
    for expected in ("Ada Admin", "Bob Baker", "Nia New", "Gil Gone", "Invited", "Deactivated", "Never logged in"):
        assert expected in text
    assert text.index("Nia New") < text.index("Gil Gone")  # the active first
