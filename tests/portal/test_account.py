"""The customer's own account over HTTP: self sign-up when the desk allows it, and the profile."""

import re

import pytest

from shared.core.config import DEFAULTS
from shared.models import Customer
from shared.people import accounts
from tests.conftest import PASSWORD
from tests.logins import enter_session

NEW_PASSWORD = "a much longer secret"


@pytest.fixture
def app_config() -> dict:
    return {"SIGNUP_ENABLED": True}


def signup_form(**overrides) -> dict:
    data = {"name": "Carol Chen", "email": "carol@example.com", "password": PASSWORD, "confirm": PASSWORD}
    return {**data, **overrides}


def logged_in_as(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


# --- Sign-up -----------------------------------------------------------------------------


def test_the_login_page_links_to_sign_up_when_it_is_on(client):
    assert 'href="/portal/signup"' in client.get("/portal/login").get_data(as_text=True)
    assert "Create your support account" in client.get("/portal/signup").get_data(as_text=True)


def test_with_sign_up_off_there_is_no_page_and_no_link(app, client, db):
    app.config["SIGNUP_ENABLED"] = False
    assert client.get("/portal/signup").status_code == 404
    assert client.post("/portal/signup", data=signup_form()).status_code == 404
    assert accounts.find_customer("carol@example.com") is None
    assert "/portal/signup" not in client.get("/portal/login").get_data(as_text=True)


def test_sign_up_is_off_unless_configured():
    assert DEFAULTS["SIGNUP_ENABLED"] is False


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password": "short", "confirm": "short"}, "password", "Use at least 10 characters."),
        ({"confirm": "something else entirely"}, "confirm", "The two passwords differ."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_sign_up_errors_are_shown_next_to_their_field(client, db, overrides, field, message):
    response = client.post("/portal/signup", data=signup_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in page
    assert db.session.query(Customer).count() == 0
    assert logged_in_as(client) is None


@pytest.mark.usefixtures("one_limit_window")
class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {
            "SIGNUP_ENABLED": True,
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "SIGNUP_RATE_LIMIT": "3 per minute",
        }

    def test_sign_up_attempts_are_rate_limited(self, client):
        codes = [client.post("/portal/signup", data=signup_form(email="bad")).status_code for _ in range(4)]
        assert codes == [422, 422, 422, 429]
        assert client.get("/portal/signup").status_code == 200

    def test_password_change_attempts_are_rate_limited(self, client, customer, login_as):
        login_as(customer)  # the first of the three attempts: logins and password changes share the limit
        data = {"current_password": "a wrong guess", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        codes = [client.post("/portal/profile/password", data=data).status_code for _ in range(3)]
        assert codes == [422, 422, 429]


# --- Profile -----------------------------------------------------------------------------


def test_the_profile_needs_a_customer_login(client):
    for path in ("/portal/profile", "/portal/profile/password"):
        response = client.post(path, data={"name": "Nobody", "locale": "en"})
        assert response.status_code == 302 and "/portal/login" in response.headers["Location"]
    assert client.get("/portal/profile").status_code == 302


def test_the_top_bar_name_links_to_the_profile(client, customer, login_as):
    login_as(customer)
    page = client.get("/portal/tickets").get_data(as_text=True)
    assert re.search(r'<a class="topbar__user[^"]*" href="/portal/profile"', page)
    profile = client.get("/portal/profile").get_data(as_text=True)
    assert 'value="Alice Archer"' in profile and customer.email in profile
    assert '<option selected value="en">English</option>' in profile


def test_saving_the_profile_changes_the_name(client, customer, login_as):
    login_as(customer)
    response = client.post("/portal/profile", data={"name": "  Alice Bright  ", "locale": "en"})
    assert response.status_code == 303 and response.headers["Location"] == "/portal/profile"
    assert accounts.find_customer(customer.email).name == "Alice Bright"
    page = client.get("/portal/profile").get_data(as_text=True)
    assert "Your profile is saved." in page and 'value="Alice Bright"' in page


def test_choosing_russian_switches_the_pages_right_away(client, customer, login_as):
    login_as(customer)
    assert "Мои обращения" not in client.get("/portal/profile").get_data(as_text=True)
    client.post("/portal/profile", data={"name": "Alice Archer", "locale": "ru"})
    assert accounts.find_customer(customer.email).locale == "ru"
    page = client.get("/portal/profile").get_data(as_text=True)
    assert "Мои обращения" in page and '<html lang="ru">' in page
    assert '<option selected value="ru">Русский</option>' in page
    client.post("/portal/profile", data={"name": "Alice Archer", "locale": "en"})
    assert "My tickets" in client.get("/portal/tickets").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "", "locale": "en"}, "name"), ({"name": "Alice", "locale": "de"}, "locale")],
)
def test_a_bad_profile_is_refused_next_to_the_field(client, customer, login_as, data, field):
    login_as(customer)
    response = client.post("/portal/profile", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    saved = accounts.find_customer(customer.email)
    assert saved.name == "Alice Archer" and saved.locale is None


def test_changing_the_password_with_the_right_current_one(client, customer, login_as):
    login_as(customer)
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = client.post("/portal/profile/password", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/portal/profile"
    assert "Your password is changed." in client.get("/portal/profile").get_data(as_text=True)
    client.post("/portal/logout")
    assert client.post("/portal/login", data={"email": customer.email, "password": PASSWORD}).status_code == 422
    assert client.post("/portal/login", data={"email": customer.email, "password": NEW_PASSWORD}).status_code == 303


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "current_password",
            "That is not your current password.",
        ),
        ({"current_password": PASSWORD, "password": "short", "confirm": "short"}, "password", "Use at least 10"),
        (
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "another secret entirely"},
            "confirm",
            "The two passwords differ.",
        ),
        ({"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "current_password", "This field is required."),
    ],
)
def test_a_refused_password_change_keeps_the_old_password(client, customer, login_as, data, field, message):
    login_as(customer)
    response = client.post("/portal/profile/password", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in page
    assert 'value="Alice Archer"' in page  # the other form is still filled in
    assert accounts.authenticate(Customer, customer.email, PASSWORD) is not None
    assert accounts.authenticate(Customer, customer.email, NEW_PASSWORD) is None


def test_an_account_without_a_password_sets_one_without_a_current_one(client, make_customer, db):
    customer = make_customer("erin@example.com", name="Erin", password=None)
    enter_session(client, customer)  # as after following an emailed link
    page = client.get("/portal/profile").get_data(as_text=True)
    assert 'name="current_password"' not in page and 'name="password"' in page
    response = client.post("/portal/profile/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert accounts.authenticate(Customer, "erin@example.com", NEW_PASSWORD) is not None
    assert 'name="current_password"' in client.get("/portal/profile").get_data(as_text=True)
