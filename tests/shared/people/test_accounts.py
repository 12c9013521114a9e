"""Accounts: argon2 passwords, logging in, addresses, and single-use expiring reset links."""

import re
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from shared.core.clock import frozen_at
from shared.core.errors import DomainError
from shared.models import Agent, Customer, Organization, ResetToken
from shared.people import accounts
from tests.conftest import PASSWORD

T0 = datetime(2026, 3, 2, 9, 0)
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def clock():
    """Every test here starts at T0; tests that move on nest another `frozen_at`."""
    with frozen_at(T0):
        yield


def reset_url_for(token: str) -> str:
    return f"http://desk.test/portal/reset/{token}"


def mailed_token(message) -> str:
    """The token in the link of a password-reset mail."""
    [token] = re.findall(r"http://desk\.test/portal/reset/([\w-]+)", message.body_text)
    assert reset_url_for(token) in message.body_html
    return token


# Passwords -------------------------------------------------------------------------------


def test_passwords_are_stored_as_salted_argon2_hashes(make_customer, make_agent):
    customer, agent = make_customer(), make_agent()

    for account in (customer, agent):
        assert account.password_hash.startswith("$argon2")
        assert PASSWORD not in account.password_hash
    assert customer.password_hash != agent.password_hash  # same password, different salt


@pytest.mark.parametrize("password", ["", "short", "nine char"])
def test_a_short_password_is_refused_and_nothing_is_created(db, password):
    with pytest.raises(DomainError) as error:
        accounts.create_customer("carol@example.com", password=password)
    db.session.rollback()

    assert error.value.field == "password"
    assert accounts.find_customer("carol@example.com") is None


# Logging in ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Customer, Agent])
def test_the_right_password_logs_in_and_records_when(make_customer, make_agent, model):
    account = (make_customer if model is Customer else make_agent)()

    with frozen_at(T0 + timedelta(minutes=1)):
        assert accounts.authenticate(model, account.email, PASSWORD) is account
    assert account.last_login_at == T0 + timedelta(minutes=1)


def test_the_address_is_matched_without_case_or_surrounding_spaces(customer):
    assert accounts.authenticate(Customer, "  ALICE@Example.com ", PASSWORD) is customer


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("alice@example.com", "not the password"),
        ("alice@example.com", PASSWORD.upper()),
        ("alice@example.com", ""),
        ("alice@example.com", None),
        ("nobody@example.com", PASSWORD),
        ("", PASSWORD),
        (None, PASSWORD),
    ],
)
def test_wrong_passwords_and_unknown_addresses_get_nothing(customer, email, password):
    assert accounts.authenticate(Customer, email, password) is None
    assert customer.last_login_at is None


def test_a_deactivated_account_cannot_log_in(customer, db):
    customer.is_active = False
    db.session.commit()

    assert accounts.authenticate(Customer, customer.email, PASSWORD) is None


@pytest.mark.parametrize("password", ["", "deskbell-timing-equaliser", PASSWORD])
def test_an_account_without_a_password_cannot_log_in(make_customer, password):
    """Customers created from inbound mail have no password until they set one."""
    customer = make_customer("dave@example.com", password=None)

    assert customer.password_hash is None
    assert accounts.authenticate(Customer, "dave@example.com", password) is None


def test_the_account_kinds_never_mix(customer, make_agent):
    """An agent with the same address and password still cannot log in as the customer, and back."""
    agent = make_agent("alice@example.com")

    assert accounts.authenticate(Agent, "alice@example.com", PASSWORD) is agent
    assert accounts.authenticate(Customer, "alice@example.com", PASSWORD) is customer


@pytest.mark.parametrize("email", ["alice@example.com", "nobody@example.com", "carol@example.com"])
def test_every_login_attempt_verifies_a_hash(customer, make_customer, monkeypatch, email):
    """Unknown addresses and password-less accounts take as long as wrong passwords."""
    make_customer("carol@example.com", password=None)
    verified = []
    verify = PasswordHasher.verify

    def counting_verify(self, *args, **kwargs):
        verified.append(args)
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)

    assert accounts.authenticate(Customer, email, "not the password") is None
    assert len(verified) == 1


# Addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize("create", [accounts.create_customer, accounts.create_agent])
def test_addresses_are_stored_lower_case_and_trimmed(db, create):
    account = create("  Carol.Smith@Example.COM \n")

    assert account.email == "carol.smith@example.com"


@pytest.mark.parametrize(
    "email",
    ["", "   ", "carol", "carol@", "@example.com", "carol@example", "carol smith@example.com", "a" * 250 + "@x.com"],
)
def test_invalid_addresses_are_refused(db, email):
    with pytest.raises(DomainError) as error:
        accounts.create_customer(email)

    assert error.value.field == "email"


@pytest.mark.parametrize("spelling", ["alice@example.com", "ALICE@example.com", " Alice@Example.Com "])
def test_a_customer_address_is_used_once(customer, db, spelling):
    with pytest.raises(DomainError) as error:
        accounts.create_customer(spelling)
    db.session.rollback()

    assert error.value.field == "email"
    assert db.session.scalar(select(func.count(Customer.id))) == 1


def test_an_agent_address_is_used_once(agent, db):
    with pytest.raises(DomainError) as error:
        accounts.create_agent("Bob@Desk.Example")

    assert error.value.field == "email"


def test_a_customer_and_an_agent_may_share_an_address(customer, make_agent):
    assert make_agent("alice@example.com").email == customer.email


def test_customers_of_one_organization_share_it(make_customer, db):
    first = make_customer(organization="Acme Ltd")
    second = make_customer(organization=" Acme Ltd ")

    assert first.organization is second.organization
    assert db.session.scalar(select(func.count(Organization.id))) == 1


# Password reset --------------------------------------------------------------------------


@pytest.fixture
def requested(customer, db, outbox):
    """A reset link requested at T0; the token from the mail."""
    accounts.request_password_reset(Customer, "Alice@Example.com", reset_url_for=reset_url_for)
    db.session.commit()
    [message] = outbox()
    return mailed_token(message)


def test_a_reset_request_mails_a_link(customer, requested, outbox, db):
    [message] = outbox()

    assert (message.to_addr, message.template) == ("alice@example.com", "password_reset")
    assert "2 hours" in message.body_text
    # Only a hash of the token is kept.
    [row] = db.session.scalars(select(ResetToken))
    assert requested not in row.token_hash
    assert (row.customer_id, row.agent_id, row.expires_at) == (customer.id, None, T0 + timedelta(hours=2))


def test_the_link_sets_a_new_password(customer, requested, db):
    assert accounts.account_for_token(Customer, requested) is customer

    with frozen_at(T0 + timedelta(minutes=5)):
        assert accounts.reset_password(Customer, requested, NEW_PASSWORD) is customer
    db.session.commit()

    assert accounts.authenticate(Customer, customer.email, NEW_PASSWORD) is customer
    assert accounts.authenticate(Customer, customer.email, PASSWORD) is None


def test_the_link_works_once(customer, requested, db):
    accounts.reset_password(Customer, requested, NEW_PASSWORD)
    db.session.commit()

    assert accounts.account_for_token(Customer, requested) is None
    with pytest.raises(DomainError):
        accounts.reset_password(Customer, requested, "yet another passphrase")
    db.session.rollback()
    assert accounts.authenticate(Customer, customer.email, NEW_PASSWORD) is customer


@pytest.mark.parametrize(
    ("delay", "valid"),
    [(timedelta(hours=1, minutes=59), True), (timedelta(hours=2, seconds=1), False), (timedelta(days=3), False)],
)
def test_the_link_expires(customer, requested, db, delay, valid):
    with frozen_at(T0 + delay):
        assert (accounts.account_for_token(Customer, requested) is customer) == valid
        if valid:
            accounts.reset_password(Customer, requested, NEW_PASSWORD)
        else:
            with pytest.raises(DomainError):
                accounts.reset_password(Customer, requested, NEW_PASSWORD)
    db.session.commit()

    assert (accounts.authenticate(Customer, customer.email, NEW_PASSWORD) is customer) == valid


def test_a_weak_new_password_keeps_the_link_usable(customer, requested, db):
    with pytest.raises(DomainError) as error:
        accounts.reset_password(Customer, requested, "short")
    db.session.rollback()

    assert error.value.field == "password"
    assert accounts.account_for_token(Customer, requested) is customer


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_unknown_tokens_lead_nowhere(customer, requested, token):
    assert accounts.account_for_token(Customer, token) is None
    with pytest.raises(DomainError):
        accounts.reset_password(Customer, token, NEW_PASSWORD)


def test_a_customers_token_does_not_reset_an_agent(customer, agent, requested):
    """Both accounts have id 1; the token still belongs to one kind only."""
    assert customer.id == agent.id

    assert accounts.account_for_token(Agent, requested) is None
    with pytest.raises(DomainError):
        accounts.reset_password(Agent, requested, NEW_PASSWORD)


def test_a_deactivated_account_cannot_use_its_link(customer, requested, db):
    customer.is_active = False
    db.session.commit()

    assert accounts.account_for_token(Customer, requested) is None


def test_a_customer_without_a_password_sets_one_through_the_link(make_customer, db, outbox):
    dave = make_customer("dave@example.com", password=None)

    accounts.request_password_reset(Customer, "dave@example.com", reset_url_for=reset_url_for)
    accounts.reset_password(Customer, mailed_token(outbox()[0]), NEW_PASSWORD)
    db.session.commit()

    assert accounts.authenticate(Customer, "dave@example.com", NEW_PASSWORD) is dave


def test_an_agent_gets_a_link_for_the_agent_account(agent, db, outbox):
    accounts.request_password_reset(Agent, agent.email, reset_url_for=reset_url_for)
    token = mailed_token(outbox()[0])

    assert accounts.account_for_token(Agent, token) is agent
    assert accounts.account_for_token(Customer, token) is None


@pytest.mark.parametrize(
    ("model", "email"),
    [(Customer, "nobody@example.com"), (Customer, ""), (Agent, "alice@example.com"), (Customer, "bob@desk.example")],
)
def test_no_mail_for_unknown_addresses(customer, agent, db, outbox, model, email):
    accounts.request_password_reset(model, email, reset_url_for=reset_url_for)
    db.session.commit()

    assert outbox() == []
    assert db.session.scalar(select(func.count(ResetToken.id))) == 0


def test_no_mail_for_a_deactivated_account(customer, db, outbox):
    customer.is_active = False
    db.session.commit()

    accounts.request_password_reset(Customer, customer.email, reset_url_for=reset_url_for)

    assert outbox() == []


def test_either_account_kind_chooses_a_language_the_desk_offers(db, agent, customer):
    for account in (agent, customer):
        accounts.set_language(account, "ru")
        assert account.locale == "ru"
        with pytest.raises(DomainError) as refused:
            accounts.set_language(account, "xx")
        assert refused.value.field == "locale" and account.locale == "ru"
