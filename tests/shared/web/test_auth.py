"""Logging in and out, password resets and rate limits, for both areas and their own account kind."""

import re
from datetime import timedelta

import pytest

from shared.core.clock import frozen_at, utcnow
from shared.models import Agent
from shared.people import accounts
from tests.conftest import PASSWORD
from tests.routes import endpoints

AREAS = ["portal", "console"]
STATE_CHANGES = [(area, path) for area in AREAS for _, path in endpoints(area, {"POST"})]


@pytest.fixture
def account_for(make_customer, make_agent):
    def make(area: str, **kwargs):
        return make_customer(**kwargs) if area == "portal" else make_agent(**kwargs)

    return make


def home_of(area: str) -> str:
    return "/portal/tickets" if area == "portal" else "/console/"


@pytest.mark.parametrize("area", AREAS)
def test_login_renews_the_session_and_lands_home(client, account_for, area):
    account = account_for(area)
    client.get(f"/{area}/login")
    with client.session_transaction() as before:
        before["planted"] = "before login"
    response = client.post(f"/{area}/login", data={"email": account.email.upper(), "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/{area}/"
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["_user_id"] == account.get_id()


@pytest.mark.parametrize("area", AREAS)
def test_wrong_password_and_unknown_address_get_the_same_answer(client, account_for, area):
    account = account_for(area)
    wrong = client.post(f"/{area}/login", data={"email": account.email, "password": "not the password"})
    unknown = client.post(f"/{area}/login", data={"email": "nobody@example.com", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Wrong email or password." in wrong.get_data(as_text=True)
    assert "Wrong email or password." in unknown.get_data(as_text=True)


@pytest.mark.parametrize("area", AREAS)
def test_accounts_only_log_in_to_their_own_area(client, account_for, area):
    other_area = "console" if area == "portal" else "portal"
    account = account_for(area)
    response = client.post(f"/{other_area}/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 422


def test_a_deactivated_agent_cannot_log_in_and_is_logged_out(client, agent, db, login_as):
    login_as(agent)
    agent.is_active = False
    db.session.commit()
    assert client.get("/console/").status_code == 302
    response = client.post("/console/login", data={"email": agent.email, "password": PASSWORD})
    assert response.status_code == 422


@pytest.mark.parametrize("area", AREAS)
def test_logout_ends_the_session(client, account_for, login_as, area):
    login_as(account_for(area))
    assert client.get(home_of(area)).status_code == 200
    assert client.post(f"/{area}/logout").status_code == 303
    assert client.get(home_of(area)).status_code == 302


@pytest.mark.parametrize("area", AREAS)
def test_logging_out_needs_a_post(client, account_for, login_as, area):
    login_as(account_for(area))
    assert client.get(f"/{area}/logout").status_code == 405


@pytest.mark.parametrize("area", AREAS)
def test_next_goes_back_within_the_area_only(client, account_for, area):
    account = account_for(area)
    data = {"email": account.email, "password": PASSWORD}
    inside = client.post(f"/{area}/login?next=/{area}/tickets/1001", data=data)
    assert inside.headers["Location"].endswith(f"/{area}/tickets/1001")
    client.post(f"/{area}/logout")
    outside = client.post(f"/{area}/login?next=//evil.example/x", data=data)
    assert "evil" not in outside.headers["Location"]


def reset_link(outbox) -> str:
    return re.search(r"http://\S+/reset/\S+", outbox()[-1].body_text).group(0)


@pytest.mark.parametrize("area", AREAS)
def test_password_reset_by_a_single_use_link(client, account_for, outbox, area):
    account = account_for(area)
    response = client.post(f"/{area}/reset", data={"email": account.email})
    assert response.status_code == 303
    link = reset_link(outbox).replace("http://desk.test", "")
    assert link.startswith(f"/{area}/reset/")
    assert "Choose a new password" in client.get(link).get_data(as_text=True)
    response = client.post(link, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert response.status_code == 303
    client.post(f"/{area}/logout")
    login = client.post(f"/{area}/login", data={"email": account.email, "password": "a brand new secret"})
    assert login.status_code == 303
    again = client.get(link)
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/{area}/reset")


@pytest.mark.parametrize("area", AREAS)
def test_reset_links_expire(client, account_for, outbox, area):
    account = account_for(area)
    client.post(f"/{area}/reset", data={"email": account.email})
    link = reset_link(outbox).replace("http://desk.test", "")
    with frozen_at(utcnow() + timedelta(hours=3)):
        response = client.post(link, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/{area}/reset")
    assert accounts.authenticate(type(account), account.email, PASSWORD) is not None


@pytest.mark.parametrize("area", AREAS)
def test_reset_of_an_unknown_address_says_the_same_and_sends_nothing(client, outbox, area):
    response = client.post(f"/{area}/reset", data={"email": "ghost@example.com"}, follow_redirects=True)
    assert "If that address has an account" in response.get_data(as_text=True)
    assert outbox() == []


def test_reset_links_use_the_configured_address_not_the_request_host(client, customer, outbox):
    client.post("/portal/reset", data={"email": customer.email}, headers={"Host": "evil.example"})
    assert reset_link(outbox).startswith("http://desk.test/portal/reset/")


def test_mail_outside_a_request_links_to_the_configured_address(app, customer, department, outbox):
    """The worker and the CLI have no request; their mail still carries working links."""
    from shared.tickets import conversation

    conversation.open_ticket(actor=customer, customer=customer, department=department, subject="From cron", body="x")
    assert "http://desk.test/portal/tickets/1001" in outbox()[-1].body_text


def test_a_weak_new_password_is_refused_next_to_the_field(client, customer, outbox):
    client.post("/portal/reset", data={"email": customer.email})
    link = reset_link(outbox).replace("http://desk.test", "")
    response = client.post(link, data={"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)


def test_a_customer_reset_link_does_not_work_in_the_console(client, make_customer, make_agent, outbox):
    customer = make_customer("same@example.com")
    make_agent("same@example.com")
    client.post("/portal/reset", data={"email": customer.email})
    link = reset_link(outbox).replace("http://desk.test", "").replace("/portal/", "/console/")
    client.post(link, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert accounts.authenticate(Agent, "same@example.com", "a brand new secret") is None


@pytest.mark.usefixtures("one_limit_window")
class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    @pytest.mark.parametrize("area", AREAS)
    def test_login_attempts_are_rate_limited(self, client, area):
        codes = [
            client.post(f"/{area}/login", data={"email": "x@example.com", "password": "guess"}).status_code
            for _ in range(4)
        ]
        assert codes == [422, 422, 422, 429]
        assert "Too many attempts" in client.post(f"/{area}/login", data={}).get_data(as_text=True)


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def token(self, client, path: str) -> str:
        return re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
            client.get(path).get_data(as_text=True),
        ).group(1, 2)

    def csrf_from(self, client, path):
        return next(t for t in self.token(client, path) if t)

    def test_a_login_without_the_token_is_refused(self, client, customer):
        response = client.post("/portal/login", data={"email": customer.email, "password": PASSWORD})
        assert response.status_code in (400, 422)
        with client.session_transaction() as session:
            assert "_user_id" not in session

    def test_a_login_with_the_token_works(self, client, customer):
        token = self.csrf_from(client, "/portal/login")
        data = {"email": customer.email, "password": PASSWORD, "csrf_token": token}
        assert client.post("/portal/login", data=data).status_code == 303

    def test_htmx_requests_carry_the_token_in_a_header(self, client, customer, make_ticket):
        ticket = make_ticket(customer)
        token = self.csrf_from(client, "/portal/login")
        client.post("/portal/login", data={"email": customer.email, "password": PASSWORD, "csrf_token": token})
        page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
        header_token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        url = f"/portal/tickets/{ticket.number}/reply"
        refused = client.post(url, data={"body": "no token"}, headers={"HX-Request": "true"})
        assert refused.status_code == 400
        accepted = client.post(
            url, data={"body": "with token"}, headers={"HX-Request": "true", "X-CSRFToken": header_token}
        )
        assert accepted.status_code == 303, accepted.get_data(as_text=True)

    @pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
    @pytest.mark.parametrize(("area", "path"), STATE_CHANGES)
    def test_every_state_change_without_the_token_is_refused_and_changes_nothing(
        self, client, account_for, make_customer, make_ticket, db, area, path, htmx
    ):
        owner = account_for(area) if area == "portal" else make_customer()
        make_ticket(owner)  # #1001, the number the URL map is built with
        if area == "console":
            account_for(area, email="agent@example.com")
        email = owner.email if area == "portal" else "agent@example.com"
        token = self.csrf_from(client, f"/{area}/login")
        client.post(f"/{area}/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        rows = {table: db.session.execute(db.text(f"SELECT count(*) FROM {table}")).scalar() for table in TABLES}
        headers = {"HX-Request": "true"} if htmx else {}
        data = {"body": "forged", "email": email, "password": PASSWORD, "score": "5", "name": "Forged"}
        response = client.post(path, data=data, headers=headers)
        assert response.status_code == 400
        assert {t: db.session.execute(db.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES} == rows
        with client.session_transaction() as session:
            assert "_user_id" in session  # not even logging out works without the token


# Where a forged request would leave a trace.
TABLES = ("tickets", "entries", "attachments", "outbox", "ratings", "customers", "reset_tokens")
