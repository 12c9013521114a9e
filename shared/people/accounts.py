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

from shared.access import sessions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, Customer, Organization, ResetToken, SignupRequest, utcnow
from shared.outgoing import outbox
from shared.outgoing.desk_addresses import is_desk_address
from shared.search import index

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
    """A new password ends every session of the account and retires its outstanding links.

    Whoever knew the old password (or held a reset link, or a stolen cookie) is out; the view
    starts a fresh session for the person who just chose it."""
    check_password_strength(password)
    account.password_hash = _hasher()[0].hash(password)
    if account.id is not None:
        _retire_tokens(account)
        sessions.end_all(account)


def _retire_tokens(account: Account) -> None:
    now = utcnow()
    db.session.execute(
        update(ResetToken)
        .where(_owner_filter(account), ResetToken.used_at.is_(None), ResetToken.expires_at > now)
        .values(expires_at=now)
    )


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
    if is_desk_address(email):  # the desk would answer itself: a mail loop
        raise DomainError(gettext("This is one of the desk's own addresses: it cannot be a customer."), field="email")
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
    hours = int(current_app.config["PASSWORD_RESET_HOURS"])
    if account is None or not account.is_active:
        # As long as a real reset takes: the page must not tell a stranger which addresses exist.
        outbox.rehearse(model(email=email or ""), "password_reset", reset_url=reset_url_for("x" * 43), hours=hours)
        return
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
    _retire_tokens(account)
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
    row = db.session.scalar(select(ResetToken).where(ResetToken.token_hash == _token_hash(token)))
    row.used_at = utcnow()
    set_password(account, password)  # ends every session: whoever else was in loses the address
    return account


# --- Self sign-up and the customer's own profile ---------------------------------------


def register_customer(
    email: str, name: str, password: str, *, confirm_url_for, login_url: str, locale: str | None
) -> None:
    """A sign-up from the portal: the address's owner is mailed, whoever typed it learns nothing.

    No account exists until the owner opens the mailed link (`confirm_signup`). An address that
    already has a password is mailed a note instead (log in, or reset); a deactivated one nothing.
    The password is hashed either way, so every answer takes as long."""
    email = normalize_email(email)
    if not (name or "").strip():
        raise DomainError(gettext("Enter your name."), field="name")
    check_password_strength(password)
    password_hash = _hasher()[0].hash(password)
    locale = _language(locale) if locale else None
    existing = find_customer(email)
    if existing is not None and existing.password_hash is not None and existing.is_active:
        outbox.enqueue(existing, "signup_account_exists", login_url=login_url)
        return
    if existing is not None and not existing.is_active:
        outbox.rehearse(existing, "signup_account_exists", login_url=login_url)  # as long, and no mail
        return
    hours = int(current_app.config["SIGNUP_CONFIRM_HOURS"])
    token = secrets.token_urlsafe(32)
    pending = SignupRequest(
        token_hash=_token_hash(token),
        email=email,
        name=name.strip(),
        password_hash=password_hash,
        locale=locale,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.session.add(pending)
    outbox.enqueue(pending, "signup_confirm", confirm_url=confirm_url_for(token), hours=hours)


def pending_signup(token: str) -> SignupRequest | None:
    """The sign-up a still-valid confirmation link names; None if unknown, used or expired."""
    row = db.session.scalar(select(SignupRequest).where(SignupRequest.token_hash == _token_hash(token or "")))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def confirm_signup(token: str, password: str) -> Customer:
    """Open the account a sign-up asked for, once its link and its password are both shown.

    The link proves the mailbox; the password proves the person who signed up, so an owner who
    opens a link someone else requested for their address hands nobody their mail. A customer the
    desk already knows from mail (no password yet) becomes the account, with their tickets."""
    pending = pending_signup(token)
    if pending is None:
        raise DomainError(gettext("This link has expired or was already used. Sign up again."))
    hasher, _ = _hasher()
    try:
        hasher.verify(pending.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise DomainError(gettext("That is not the password you chose when signing up."), field="password") from None
    now = utcnow()
    db.session.execute(
        update(SignupRequest)
        .where(func.lower(SignupRequest.email) == pending.email, SignupRequest.used_at.is_(None))
        .values(used_at=now)
    )
    customer = find_customer(pending.email)
    if customer is not None and (customer.password_hash is not None or not customer.is_active):
        raise DomainError(gettext("This address already has an account. Log in, or reset your password."))
    if customer is None:
        customer = Customer(email=pending.email, name=pending.name)
        db.session.add(customer)
    customer.name = customer.name or pending.name
    customer.locale = customer.locale or pending.locale
    customer.password_hash = pending.password_hash
    db.session.flush()
    _retire_tokens(customer)
    index.customer_changed(customer)
    return customer


def _language(locale: str) -> str:
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(gettext("Choose one of the languages offered."), field="locale")
    return locale


def set_language(account: Account, locale: str) -> None:
    """The language of the account's pages and mail, from the next page on; either account kind."""
    account.locale = _language(locale)
    db.session.flush()


def update_profile(customer: Customer, *, name: str, locale: str) -> Customer:
    """The customer's own name and language (pages and mail follow the language)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext("Enter your name."), field="name")
    customer.name = name
    customer.locale = _language(locale)
    db.session.flush()
    index.customer_changed(customer)
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
