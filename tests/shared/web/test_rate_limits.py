"""The abuse limits through the real app: login, password reset, sign-up and portal filing, each
per client IP and per address or account, answered with a 429 that says when to try again and
that is the same whether or not the address has an account. (Parallel requests against gunicorn:
tests/shared/web/test_rate_limits_server.py.)"""

import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared import worker
from shared.core.clock import frozen_at
from shared.core.config import ConfigError
from shared.models import RateLimitCount, Ticket
from tests.conftest import PASSWORD, make_app
from tests.portal.test_tickets import new_ticket_form

AREAS = ["portal", "console"]
NOON = datetime(2026, 12, 7, 12, 0, 0)  # a window boundary for every period used here
OFF = "1000 per minute"  # a limit a test does not exercise


def from_ip(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def login(client, area: str, email: str, password: str = "a wrong guess", ip: str = "198.51.100.1", **kwargs):
    return client.post(f"/{area}/login", data={"email": email, "password": password}, **from_ip(ip), **kwargs)


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "SIGNUP_ENABLED": True,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "3 per 15 minutes",
        "RESET_RATE_LIMIT": "3 per hour",
        "RESET_ADDRESS_RATE_LIMIT": "2 per hour",
        "SIGNUP_RATE_LIMIT": "3 per hour",
        "SIGNUP_ADDRESS_RATE_LIMIT": "2 per hour",
        "TICKET_RATE_LIMIT": "3 per hour",
        "TICKET_ACCOUNT_RATE_LIMIT": "2 per 10 minutes",
    }


@pytest.fixture
def known(make_customer, make_agent):
    """The same address with an account in each area."""
    return {"portal": make_customer("known@example.com"), "console": make_agent("known@example.com")}


# --- Login --------------------------------------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_login_attempts_per_address_are_limited_from_any_number_of_ips(client, area, known):
    with frozen_at(NOON + timedelta(seconds=20)):
        codes = [login(client, area, "Known@Example.com ", ip=f"198.51.100.{n}").status_code for n in range(3)]
        assert codes == [422, 422, 422]
        right = login(client, area, "known@example.com", PASSWORD, ip="203.0.113.7")
        assert right.status_code == 429  # refused before the password is checked: a guess is no use
        assert right.headers["Retry-After"] == str(15 * 60 - 20)
        page = right.get_data(as_text=True)
        assert "Too many attempts" in page and "Please wait: you can try again in 15 minutes." in page
        assert login(client, area, "other@example.com", ip="203.0.113.7").status_code == 422
    with frozen_at(NOON + timedelta(minutes=15)):
        assert login(client, area, "known@example.com", PASSWORD, ip="203.0.113.7").status_code == 303


@pytest.mark.parametrize("area", AREAS)
def test_login_attempts_per_ip_are_limited_whatever_the_address(client, area):
    with frozen_at(NOON):
        codes = [login(client, area, f"guess{n}@example.com", ip="198.51.100.9").status_code for n in range(4)]
        assert codes == [422, 422, 422, 429]
        assert login(client, area, "guess9@example.com", ip="198.51.100.10").status_code == 422
        # Either area counts its own logins.
        other = "console" if area == "portal" else "portal"
        assert login(client, other, "guess0@example.com", ip="198.51.100.9").status_code == 422


@pytest.mark.parametrize("area", AREAS)
def test_the_limit_answers_the_same_for_known_and_unknown_addresses(client, area, known):
    answers = {}
    for email in ("known@example.com", "nobody@example.com"):
        with frozen_at(NOON):
            for n in range(3):
                login(client, area, email, ip=f"192.0.2.{n}")
            response = login(client, area, email, ip="192.0.2.99")
        page = re.sub(r'"X-CSRFToken": "[^"]+"', "", response.get_data(as_text=True))  # signed with the time
        answers[email] = (response.status_code, response.headers["Retry-After"], page)
    assert answers["known@example.com"] == answers["nobody@example.com"]
    assert answers["known@example.com"][0] == 429


def test_the_limit_page_is_translated_and_htmx_gets_a_fragment(client, known):
    with frozen_at(NOON):
        for n in range(3):
            login(client, "portal", "known@example.com", ip=f"192.0.2.{n}")
        russian = login(client, "portal", "known@example.com", headers={"Accept-Language": "ru"})
        fragment = login(client, "portal", "known@example.com", headers={"HX-Request": "true"})
    assert russian.status_code == 429
    assert "Слишком много попыток" in russian.get_data(as_text=True)
    assert "Подождите: попробовать снова можно через 15 минут." in russian.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 429 and "<html" not in body and 'id="error"' in body
    assert "Please wait: you can try again in 15 minutes." in body


def test_a_login_page_is_never_limited(client):
    with frozen_at(NOON):
        for _ in range(4):
            login(client, "portal", "x@example.com")
        assert client.get("/portal/login", **from_ip("198.51.100.1")).status_code == 200


# --- Password reset -----------------------------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_reset_requests_per_address_are_limited_and_mail_stops(client, area, known, outbox):
    def reset(email, ip):
        return client.post(f"/{area}/reset", data={"email": email}, **from_ip(ip)).status_code

    with frozen_at(NOON):
        assert [reset("known@example.com", f"198.51.100.{n}") for n in range(3)] == [303, 303, 429]
        assert [reset("nobody@example.com", f"198.51.100.{n}") for n in range(3)] == [303, 303, 429]
    assert len(outbox()) == 2


@pytest.mark.parametrize("area", AREAS)
def test_reset_requests_per_ip_are_limited(client, area):
    with frozen_at(NOON):
        codes = [
            client.post(f"/{area}/reset", data={"email": f"n{n}@example.com"}, **from_ip("198.51.100.5")).status_code
            for n in range(4)
        ]
    assert codes == [303, 303, 303, 429]


# --- Sign-up ------------------------------------------------------------------------------


def signup(client, email: str, ip: str):
    data = {"name": "Carol Chen", "email": email, "password": PASSWORD, "confirm": PASSWORD}
    return client.post("/portal/signup", data=data, **from_ip(ip))


def test_sign_ups_per_address_are_limited(client):
    with frozen_at(NOON):
        codes = [signup(client, "carol@example.com", f"198.51.100.{n}").status_code for n in range(3)]
    assert codes[2] == 429 and 429 not in codes[:2]


def test_sign_ups_per_ip_are_limited(client):
    with frozen_at(NOON):
        codes = [signup(client, f"c{n}@example.com", "198.51.100.3").status_code for n in range(4)]
        assert signup(client, "c9@example.com", "198.51.100.4").status_code == 303
    assert codes == [303, 303, 303, 429]


# --- Filing tickets -----------------------------------------------------------------------


def test_a_flood_of_tickets_from_one_account_is_held_back_with_the_form_kept(client, db, customer, login_as):
    login_as(customer)
    with frozen_at(NOON + timedelta(minutes=1)):
        assert client.post("/portal/tickets/new", data=new_ticket_form(subject="")).status_code == 422
        codes = [client.post("/portal/tickets/new", data=new_ticket_form()).status_code for _ in range(2)]
        held = client.post("/portal/tickets/new", data=new_ticket_form(subject="Third one", body="Still **here**"))
        russian = client.post("/portal/tickets/new", data=new_ticket_form(), headers={"Accept-Language": "ru"})
    assert codes == [303, 303]  # the invalid form filed nothing and did not count
    assert held.status_code == 429 and held.headers["Retry-After"] == str(9 * 60)
    page = held.get_data(as_text=True)
    assert "Too many new tickets in a short time. You can file this one in 9 minutes;" in page
    assert 'value="Third one"' in page and "Still **here**" in page  # the form is kept
    assert "Отправить это обращение можно через 9 минут" in russian.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 2
    with frozen_at(NOON + timedelta(minutes=10)):
        assert client.post("/portal/tickets/new", data=new_ticket_form()).status_code == 303


def test_filing_per_ip_is_limited_across_accounts(app, db, make_customer):
    customers = [make_customer() for _ in range(2)]
    codes = []
    with frozen_at(NOON):
        for customer in customers:
            client = app.test_client()
            client.post("/portal/login", data={"email": customer.email, "password": PASSWORD})
            codes += [
                client.post("/portal/tickets/new", data=new_ticket_form(), **from_ip("198.51.100.8")).status_code
                for _ in range(2)
            ]
        other_ip = client.post("/portal/tickets/new", data=new_ticket_form(), **from_ip("198.51.100.200"))
    assert codes == [303, 303, 303, 429]
    assert other_ip.status_code == 303


def test_a_filing_that_fails_in_the_domain_does_not_count(client, customer, login_as, app):
    app.config["MAX_ATTACHMENT_MB"] = 0  # every attachment is refused by the domain
    login_as(customer)
    with frozen_at(NOON):
        for _ in range(2):
            too_big = {**new_ticket_form(), "attachments": [(io.BytesIO(b"x" * 10), "a.txt")]}
            assert client.post("/portal/tickets/new", data=too_big).status_code == 422
        codes = [client.post("/portal/tickets/new", data=new_ticket_form()).status_code for _ in range(3)]
    assert codes == [303, 303, 429]


# --- Switches, settings, storage ----------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False, "LOGIN_RATE_LIMIT": "1 per hour"}])
def test_ratelimit_enabled_false_turns_every_limit_off(client, db):
    with frozen_at(NOON):
        assert {login(client, "portal", "x@example.com").status_code for _ in range(5)} == {422}
    assert db.session.scalar(select(func.count()).select_from(RateLimitCount)) == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_ADDRESS_RATE_LIMIT": ""}])
def test_an_empty_setting_means_no_limit(client):
    with frozen_at(NOON):
        codes = {login(client, "portal", "x@example.com", ip=f"192.0.2.{n}").status_code for n in range(12)}
    assert codes == {422}


@pytest.mark.parametrize("spec", ["lots", "10 per fortnight", "10 per 0 minutes", "-1 per minute"])
def test_a_limit_that_cannot_be_read_stops_the_app_from_starting(databases, tmp_path, spec):
    with pytest.raises(ConfigError, match="DESKBELL_TICKET_ACCOUNT_RATE_LIMIT"):
        make_app(databases, tmp_path / "instance", TICKET_ACCOUNT_RATE_LIMIT=spec)


def test_the_counts_hold_no_address_nor_ip_and_the_worker_deletes_old_ones(client, db, known):
    with frozen_at(NOON - timedelta(hours=2)):
        login(client, "portal", "known@example.com", ip="203.0.113.77")
    with frozen_at(NOON):
        login(client, "portal", "known@example.com", ip="203.0.113.77")
        keys = db.session.scalars(select(RateLimitCount.key)).all()
        assert len(keys) == 4 and not any("known" in key or "203.0.113" in key for key in keys)
        purge = next(job for job in worker.JOBS if job.name == "rate-limit-purge")
        assert worker.run_once([purge])["rate-limit-purge"] == "2 expired rate-limit count(s) deleted"
        assert len(db.session.scalars(select(RateLimitCount.key)).all()) == 2


def test_the_old_storage_setting_is_named_as_unused(databases, tmp_path, caplog):
    make_app(databases, tmp_path / "instance", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379")
    assert "DESKBELL_RATELIMIT_STORAGE_URI is no longer used" in caplog.text


# (A NUL in the address is left to the login's own checks: PostgreSQL refuses it in the lookup.)
@pytest.mark.parametrize("email", ["x" * 100_000, "a\tb@example.com", "ünï@例え.jp", "", "   "])
def test_a_hostile_address_is_counted_without_an_error(client, email):
    with frozen_at(NOON):
        codes = [login(client, "portal", email, ip=f"192.0.2.{n}").status_code for n in range(4)]
    assert codes == [422, 422, 422, 429 if email.strip() else 422]
