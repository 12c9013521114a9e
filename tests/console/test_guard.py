"""Every console address is for agents only; every portal address for customers only."""

import pytest

from tests.routes import endpoints

OPEN = {"/console/login", "/console/reset", "/portal/login", "/portal/reset", "/portal/signup"}


def is_open(path: str) -> bool:
    return path in OPEN or "/reset/" in path or "/signup/confirm/" in path


@pytest.fixture
def seeded(make_customer, make_ticket):
    owner = make_customer()
    make_ticket(owner, subject="Seeded ticket")


@pytest.mark.parametrize(("method", "path"), [e for e in endpoints("console") if not is_open(e[1])])
def test_console_refuses_the_logged_out(client, seeded, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login")


@pytest.mark.parametrize(("method", "path"), [e for e in endpoints("console") if not is_open(e[1])])
def test_console_refuses_customers(client, seeded, customer, login_as, method, path):
    login_as(customer)
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login")
    assert "Seeded ticket" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path"), [e for e in endpoints("portal") if not is_open(e[1])])
def test_portal_refuses_agents_and_the_logged_out(client, seeded, agent, login_as, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 302 and response.headers["Location"].startswith("/portal/login")
    login_as(agent)
    response = client.open(path, method=method)
    assert response.status_code == 302 and response.headers["Location"].startswith("/portal/login")


def test_the_guard_test_covers_the_ticket_pages():
    paths = {path for _, path in endpoints("console")}
    assert {"/console/", "/console/tickets/1001", "/console/tickets/1001/reply"} <= paths


def test_an_expired_session_on_an_htmx_request_redirects_the_whole_page(client):
    response = client.get("/console/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/console/login")
