"""Self sign-up proves the address, and no answer tells a stranger which addresses have accounts.

Through the real app and the outbox: the mailed link, the confirmation page, mail intake from the
address before it is proved, and the sign-up, reset and login answers side by side."""

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.mail import intake
from shared.models import Customer, SignupRequest, Ticket, utcnow
from shared.people import accounts
from tests.conftest import PASSWORD
from tests.shared.mail.inbound import compose

OTHER_PASSWORD = "someone else's secret"


@pytest.fixture
def app_config() -> dict:
    return {"SIGNUP_ENABLED": True}


def sign_up(client, email="carol@example.com", password=PASSWORD, name="Carol Chen"):
    data = {"name": name, "email": email, "password": password, "confirm": password}
    return client.post("/portal/signup", data=data)


def confirm_path(outbox) -> str:
    [mail] = [m for m in outbox() if m.template == "signup_confirm"][-1:]
    return re.search(r"http://desk\.test(/portal/signup/confirm/\S+)", mail.body_text).group(1)


def logs_in(client, email="carol@example.com", password=PASSWORD) -> bool:
    return client.post("/portal/login", data={"email": email, "password": password}).status_code == 303


def test_sign_up_mails_a_link_and_opens_no_account_until_it_is_confirmed(client, db, outbox):
    response = sign_up(client, email="Carol@Example.com")
    assert response.status_code == 303 and response.headers["Location"] == "/portal/login"
    page = client.get("/portal/login").get_data(as_text=True)
    assert "Check your mail: we sent Carol@Example.com a link to finish signing up." in page
    assert accounts.find_customer("carol@example.com") is None
    assert client.get("/portal/tickets").status_code == 302  # not logged in
    assert not logs_in(client)  # the same "Wrong email or password." as any stranger gets
    [mail] = outbox()
    assert mail.to_addr == "carol@example.com" and mail.template == "signup_confirm"
    assert "Hello Carol Chen," in mail.body_text and "expires in 24 hours" in mail.body_text

    link = confirm_path(outbox)
    form = client.get(link)
    assert form.status_code == 200
    assert "Confirm your address" in form.get_data(as_text=True)
    assert db.session.scalar(select(SignupRequest)).used_at is None  # opening the link changes nothing

    wrong = client.post(link, data={"password": OTHER_PASSWORD})
    assert wrong.status_code == 422
    assert "That is not the password you chose when signing up." in wrong.get_data(as_text=True)
    assert accounts.find_customer("carol@example.com") is None

    done = client.post(link, data={"password": PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/portal/tickets"
    assert "Welcome, Carol Chen! Your account is ready." in client.get("/portal/tickets").get_data(as_text=True)
    customer = accounts.find_customer("carol@example.com")
    assert customer.name == "Carol Chen"

    client.post("/portal/logout")
    assert logs_in(client)
    again = client.get(link)
    assert again.status_code == 404 and "This link does not work" in again.get_data(as_text=True)
    assert client.post(link, data={"password": PASSWORD}).status_code == 404


def test_the_address_owner_cannot_be_tricked_into_opening_a_strangers_sign_up(app, client, db, outbox):
    sign_up(client, password=OTHER_PASSWORD, name="Mallory")  # a stranger types Carol's address
    owner = app.test_client()
    link = confirm_path(outbox)
    assert owner.get(link).status_code == 200
    assert owner.post(link, data={"password": PASSWORD}).status_code == 422
    assert accounts.find_customer("carol@example.com") is None
    # Carol signs up herself; her own link works, the stranger's is retired with it.
    sign_up(owner)
    assert owner.post(confirm_path(outbox), data={"password": PASSWORD}).status_code == 303
    assert client.post(link, data={"password": OTHER_PASSWORD}).status_code == 404
    assert accounts.find_customer("carol@example.com").name == "Carol Chen"


def test_an_unconfirmed_sign_up_never_sees_the_mail_of_its_address(app, client, db, outbox):
    sign_up(client)
    inbound, _ = intake.receive(compose(sender="Carol <carol@example.com>", subject="Invoice 77"), source="pipe")
    db.session.commit()
    intake.process_one(inbound.id)
    db.session.commit()
    ticket = db.session.scalar(select(Ticket))
    assert ticket.subject == "Invoice 77"
    customer = ticket.customer
    assert customer.email == "carol@example.com" and customer.password_hash is None
    assert not logs_in(client)  # the sign-up's password opens nothing
    assert client.get(f"/portal/tickets/{ticket.number}").status_code == 302
    assert {m.template for m in outbox() if m.to_addr == "carol@example.com"} == {"signup_confirm", "ticket_created"}
    # Once the owner proves the address, the customer the desk knew becomes the account, tickets and all.
    assert client.post(confirm_path(outbox), data={"password": PASSWORD}).status_code == 303
    assert accounts.find_customer("carol@example.com").id == customer.id
    assert "Invoice 77" in client.get("/portal/tickets").get_data(as_text=True)


def test_an_expired_link_is_a_clear_404_and_changes_nothing(client, db, outbox):
    sign_up(client)
    link = confirm_path(outbox)
    pending = db.session.scalar(select(SignupRequest))
    pending.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(link, data={"password": PASSWORD})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "It has expired, was already used, or was copied incompletely. Nothing was changed." in page
    assert accounts.find_customer("carol@example.com") is None


@pytest.mark.parametrize("tamper", [lambda t: t[:-1], lambda t: t + "x", lambda t: t.upper(), lambda t: "x" * 600])
def test_a_tampered_link_is_a_clear_404_and_changes_nothing(client, db, outbox, tamper):
    sign_up(client)
    token = confirm_path(outbox).rsplit("/", 1)[1]
    for method in ("GET", "POST"):
        response = client.open(f"/portal/signup/confirm/{tamper(token)}", method=method, data={"password": PASSWORD})
        assert response.status_code == 404 and "This link does not work" in response.get_data(as_text=True)
    assert accounts.find_customer("carol@example.com") is None
    assert db.session.scalar(select(SignupRequest)).used_at is None


def test_confirming_when_the_address_got_a_password_meanwhile_opens_nothing(client, db, make_customer, outbox):
    sign_up(client, password=OTHER_PASSWORD, name="Mallory")
    link = confirm_path(outbox)
    make_customer("carol@example.com", name="Carol Chen")  # e.g. an admin invited her since
    response = client.post(link, data={"password": OTHER_PASSWORD})
    assert response.status_code == 422
    assert "This address already has an account." in response.get_data(as_text=True)
    assert accounts.authenticate(Customer, "carol@example.com", OTHER_PASSWORD) is None
    assert client.get("/portal/tickets").status_code == 302


# --- The same answer for known and unknown addresses -----------------------------------


@pytest.fixture
def known(make_customer, db):
    """One address of each kind the desk can hold."""
    make_customer("has-password@example.com", name="Pat")
    make_customer("from-mail@example.com", name="Mo", password=None)
    make_customer("closed@example.com", name="Cy").is_active = False
    db.session.commit()
    return ["has-password@example.com", "from-mail@example.com", "closed@example.com", "nobody@example.com"]


def answer(response, client) -> tuple:
    """What a person sees: the status, where it leads and the page there (with its message)."""
    location = response.headers.get("Location")
    shown = client.get(location).get_data(as_text=True) if location else response.get_data(as_text=True)
    return response.status_code, location, strip_tokens(shown)


def strip_tokens(page: str) -> str:
    """Each client gets its own CSRF token; nothing else may differ."""
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


def test_sign_up_answers_alike_for_every_address_only_the_mail_differs(app, db, known, outbox):
    answers = set()
    for email in known:
        client = app.test_client()
        response = sign_up(client, email=email, name="Someone")
        status, location, page = answer(response, client)
        answers.add((status, location, page.replace(email, "ADDRESS")))  # the message repeats what was typed
    assert len(answers) == 1
    [(status, location, page)] = answers
    assert (status, location) == (303, "/portal/login")
    assert "Check your mail: we sent ADDRESS a link to finish signing up." in page
    by_address = {m.to_addr: m.template for m in outbox()}
    assert by_address == {
        "has-password@example.com": "signup_account_exists",
        "from-mail@example.com": "signup_confirm",
        "nobody@example.com": "signup_confirm",
    }
    assert accounts.authenticate(Customer, "has-password@example.com", PASSWORD) is not None


@pytest.mark.parametrize("area", ["portal", "console"])
def test_reset_answers_alike_for_known_and_unknown_addresses(app, db, known, make_agent, area):
    make_agent("has-password@example.com")
    answers = set()
    for email in known:
        client = app.test_client()
        answers.add(answer(client.post(f"/{area}/reset", data={"email": email}), client))
    assert len(answers) == 1


@pytest.mark.parametrize("area", ["portal", "console"])
def test_login_answers_alike_for_unknown_addresses_wrong_passwords_and_unconfirmed_sign_ups(
    app, db, known, make_agent, area
):
    make_agent("has-password@example.com")
    sign_up(app.test_client(), email="pending@example.com")
    answers = set()
    for email, password in [*((e, OTHER_PASSWORD) for e in known), ("pending@example.com", PASSWORD)]:
        client = app.test_client()
        response = client.post(f"/{area}/login", data={"email": email, "password": password})
        body = strip_tokens(response.get_data(as_text=True)).replace(email, "ADDRESS")
        answers.add((response.status_code, body))
    assert len(answers) == 1
    [(status, body)] = answers
    assert status == 422 and "Wrong email or password." in body


class TestTiming:
    """Each answer takes about as long for an address with an account as for one without: argon2
    runs for unknown addresses too. The hashing here is as costly as a small production setting,
    so that it, not the test client, is what a difference would show."""

    @pytest.fixture
    def app_config(self):
        return {"SIGNUP_ENABLED": True, "ARGON2_TIME_COST": 2, "ARGON2_MEMORY_KIB": 16384}

    @staticmethod
    def seconds(app, send) -> float:
        client = app.test_client()
        started = time.perf_counter()
        send(client)
        return time.perf_counter() - started

    def assert_alike(self, app, send_known, send_unknown):
        """The fastest of several alternating tries of each: the machine's noise only ever adds time."""
        known_times, unknown_times = [], []
        for _ in range(9):
            known_times.append(self.seconds(app, send_known))
            unknown_times.append(self.seconds(app, send_unknown))
        known_time, unknown_time = min(known_times), min(unknown_times)
        assert max(known_time, unknown_time) / min(known_time, unknown_time) < 3, (known_time, unknown_time)

    def test_login(self, app, db, known):
        def send(email):
            return lambda c: c.post("/portal/login", data={"email": email, "password": OTHER_PASSWORD})

        self.assert_alike(app, send("has-password@example.com"), send("nobody@example.com"))

    def test_sign_up(self, app, db, known):
        self.assert_alike(
            app,
            lambda c: sign_up(c, email="has-password@example.com"),
            lambda c: sign_up(c, email="nobody@example.com"),
        )

    def test_reset(self, app, db, known):
        def send(email):
            return lambda c: c.post("/portal/reset", data={"email": email})

        self.assert_alike(app, send("has-password@example.com"), send("nobody@example.com"))
