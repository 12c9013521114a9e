"""Accounts: creating them, passwords (argon2), logging in and single-use reset links."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import func, select, update

from shared import outbox, search
from shared.errors import DomainError
from shared.extensions import db
from shared.models import Agent, Customer, Organization, ResetToken, utcnow

PASSWORD_MIN = 10
Account = Customer | Agent


@cache
def _hasher_for(time_cost: int, memory_cost: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    # Verified against when the address is unknown, so a miss takes as long as a wrong password.
    return hasher, hasher.hash("deskbell-timing-equaliser")


def _hasher() -> tuple[PasswordHasher, str]:
    """argon2 with the library's defaults, unless the config lowers them (the test suite does)."""
    config = current_app.config
    return _hasher_for(int(config["ARGON2_TIME_COST"]), int(config["ARGON2_MEMORY_KIB"]))


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or any(ch.isspace() for ch in email) or len(email) > 254:
        raise DomainError(gettext("Enter a valid email address."), field="email")
    return email


def check_password_strength(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise DomainError(
            ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.", PASSWORD_MIN),
            field="password",
        )


def set_password(account: Account, password: str) -> None:
    check_password_strength(password)
    account.password_hash = _hasher()[0].hash(password)


def _find(model: type[Account], email: str) -> Account | None:
    return db.session.scalar(select(model).where(func.lower(model.email) == email.strip().lower()))


def find_customer(email: str) -> Customer | None:
    return _find(Customer, email)


def find_agent(email: str) -> Agent | None:
    return _find(Agent, email)


def create_agent(email: str, *, name: str = "", password: str | None = None, is_admin: bool = False) -> Agent:
    email = normalize_email(email)
    if find_agent(email) is not None:
        raise DomainError(gettext("An agent with this address already exists."), field="email")
    agent = Agent(email=email, name=name.strip(), is_admin=is_admin)
    if password is not None:
        set_password(agent, password)
    db.session.add(agent)
    db.session.flush()
    return agent


def create_customer(
    email: str, *, name: str = "", password: str | None = None, organization: str | None = None
) -> Customer:
    """A customer; without a password they set one through a reset link."""
    email = normalize_email(email)
    if find_customer(email) is not None:
        raise DomainError(gettext("A customer with this address already exists."), field="email")
    customer = Customer(email=email, name=name.strip())
    if organization:
        customer.organization = _organization(organization)
    if password is not None:
        set_password(customer, password)
    db.session.add(customer)
    db.session.flush()
    return customer


def _organization(name: str) -> Organization:
    name = name.strip()
    org = db.session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name)
        db.session.add(org)
    return org


def authenticate(model: type[Account], email: str, password: str) -> Account | None:
    """The account if the password matches; the same answer for unknown addresses and wrong passwords."""
    account = _find(model, email or "")
    stored = account.password_hash if account is not None and account.is_active else None
    try:
        hasher, dummy_hash = _hasher()
        hasher.verify(stored or dummy_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    if hasher.check_needs_rehash(stored):
        account.password_hash = hasher.hash(password)
    account.last_login_at = utcnow()
    return account


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(model: type[Account], email: str, *, reset_url_for) -> None:
    """Mail a single-use link if the address belongs to an active account; silent otherwise."""
    account = _find(model, email or "")
    if account is None or not account.is_active:
        return
    hours = int(current_app.config["PASSWORD_RESET_HOURS"])
    token = _issue_token(account, timedelta(hours=hours))
    outbox.enqueue(account, "password_reset", reset_url=reset_url_for(token), hours=hours)


def _issue_token(account: Account, lifetime: timedelta) -> str:
    """A new single-use link token for `account`; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    row = ResetToken(token_hash=_token_hash(token), expires_at=utcnow() + lifetime)
    if isinstance(account, Agent):
        row.agent_id = account.id
    else:
        row.customer_id = account.id
    db.session.add(row)
    return token


def _owner_filter(account: Account):
    return ResetToken.agent_id == account.id if isinstance(account, Agent) else ResetToken.customer_id == account.id


def send_invitation(account: Account, *, set_url_for, inviter: Agent | None) -> None:
    """Mail a link to choose a first password. It lasts INVITATION_DAYS (longer than a reset), and
    sending a new one retires the links sent before, so only the latest mail works."""
    if account.password_hash is not None:
        raise DomainError(gettext("%(name)s has already set a password.", name=account.display_name))
    if not account.is_active:
        raise DomainError(gettext("%(name)s is deactivated.", name=account.display_name))
    now = utcnow()
    db.session.execute(
        update(ResetToken)
        .where(_owner_filter(account), ResetToken.used_at.is_(None), ResetToken.expires_at > now)
        .values(expires_at=now)
    )
    days = int(current_app.config["INVITATION_DAYS"])
    token = _issue_token(account, timedelta(days=days))
    template = "agent_invitation" if isinstance(account, Agent) else "customer_invitation"
    outbox.enqueue(account, template, set_url=set_url_for(token), days=days, inviter=inviter)


def account_for_token(model: type[Account], token: str) -> Account | None:
    """The account a still-valid token belongs to, or None if it is unknown, used or expired."""
    row = db.session.scalar(select(ResetToken).where(ResetToken.token_hash == _token_hash(token or "")))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    account_id = row.agent_id if model is Agent else row.customer_id
    account = db.session.get(model, account_id) if account_id is not None else None
    return account if account is not None and account.is_active else None


def reset_password(model: type[Account], token: str, password: str) -> Account:
    account = account_for_token(model, token)
    if account is None:
        raise DomainError(gettext("This link has expired or was already used. Ask for a new one."))
    set_password(account, password)
    row = db.session.scalar(select(ResetToken).where(ResetToken.token_hash == _token_hash(token)))
    row.used_at = utcnow()
    return account


# --- Self sign-up and the customer's own profile ---------------------------------------


def register_customer(
    email: str, name: str, password: str, *, reset_url_for, locale: str | None = None
) -> Customer | None:
    """A new customer from the portal's sign-up form, or None when the address already has an
    account without a password (made from an email): instead of letting whoever typed the
    address claim it, its owner is mailed a link to set a password."""
    email = normalize_email(email)
    existing = find_customer(email)
    if existing is not None and existing.password_hash is not None:
        raise DomainError(
            gettext("An account with this address exists — log in or reset your password."), field="email"
        )
    if existing is not None:
        request_password_reset(Customer, email, reset_url_for=reset_url_for)
        return None
    if not (name or "").strip():
        raise DomainError(gettext("Enter your name."), field="name")
    customer = create_customer(email, name=name, password=password)
    customer.locale = _language(locale) if locale else None
    return customer


def _language(locale: str) -> str:
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(gettext("Choose one of the languages offered."), field="locale")
    return locale


def update_profile(customer: Customer, *, name: str, locale: str) -> Customer:
    """The customer's own name and language (pages and mail follow the language)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext("Enter your name."), field="name")
    customer.name = name
    customer.locale = _language(locale)
    db.session.flush()
    search.customer_changed(customer)
    return customer


def change_password(account: Account, current: str | None, new: str) -> None:
    """A new password, once the current one is confirmed; accounts without one just set it."""
    if account.password_hash is not None:
        hasher = _hasher()[0]
        try:
            hasher.verify(account.password_hash, current or "")
        except (VerificationError, InvalidHashError):
            raise DomainError(gettext("That is not your current password."), field="current_password") from None
    set_password(account, new)
    db.session.flush()
