"""Login sessions kept on the server, so that they can end: start, find, list and end them.

The cookie carries a random token; the `sessions` row is keyed by its sha256. A request is logged
in only while its row is open, younger than SESSION_ABSOLUTE_HOURS and seen within
SESSION_IDLE_HOURS. Logging out, a new password and a deactivation end rows (and with them every
copy of the cookie).
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Select, bindparam, select, update

from shared.core.extensions import db
from shared.models import Agent, Customer, LoginSession, utcnow

Account = Customer | Agent

# last_seen_at is written at most this often per session: one write a minute, not one per page.
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner_column(kind: type[Account]):
    return LoginSession.agent_id if kind is Agent else LoginSession.customer_id


def start(account: Account, *, user_agent: str, ip: str) -> str:
    """A new session for `account`; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = LoginSession(id=token_hash(token), created_at=now, last_seen_at=now, user_agent=user_agent[:300], ip=ip[:64])
    if isinstance(account, Agent):
        row.agent_id = account.id
    else:
        row.customer_id = account.id
    db.session.add(row)
    db.session.flush()
    return token


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    idle, absolute = float(config["SESSION_IDLE_HOURS"]), float(config["SESSION_ABSOLUTE_HOURS"])
    return timedelta(hours=idle), timedelta(hours=absolute)


def _open_filter(now: datetime):
    idle, absolute = _limits()
    return (
        LoginSession.ended_at.is_(None),
        LoginSession.last_seen_at > now - idle,
        LoginSession.created_at > now - absolute,
    )


@cache
def _lookup(kind: type[Account]) -> Select:
    """The per-request lookup, built once per account kind (building it cost as much as running it)."""
    owner = _owner_column(kind)
    return (
        select(kind, LoginSession.last_seen_at)
        .join(LoginSession, kind.id == owner)
        .where(
            LoginSession.id == bindparam("session_id"),
            owner == bindparam("account_id"),
            LoginSession.ended_at.is_(None),
            LoginSession.last_seen_at > bindparam("seen_after"),
            LoginSession.created_at > bindparam("made_after"),
        )
    )


class Found(NamedTuple):
    account: Account
    session_id: str
    last_seen_at: datetime


def find(kind: type[Account], account_id: int, token: str) -> Found | None:
    """The active account of `kind` whose open session `token` names, in one lookup by primary key
    (the account and two of the session's columns: every request pays for it)."""
    session_id = token_hash(token)
    idle, absolute = _limits()
    now = utcnow()
    values = {
        "session_id": session_id,
        "account_id": account_id,
        "seen_after": now - idle,
        "made_after": now - absolute,
    }
    found = db.session.execute(_lookup(kind), values).first()
    if found is None or not found[0].is_active:
        return None
    return Found(found[0], session_id, found[1])


def needs_touch(found: Found) -> bool:
    return utcnow() - found.last_seen_at >= TOUCH_EVERY


def touch(session_id: str) -> None:
    db.session.execute(update(LoginSession).where(LoginSession.id == session_id).values(last_seen_at=utcnow()))


def end(session_id: str) -> None:
    still_open = (LoginSession.id == session_id, LoginSession.ended_at.is_(None))
    db.session.execute(update(LoginSession).where(*still_open).values(ended_at=utcnow()))


def end_all(account: Account, *, keep: str | None = None) -> int:
    """End every open session of `account` but the one whose id is `keep`; how many ended."""
    if account.id is None:
        return 0
    query = update(LoginSession).where(_owner_column(type(account)) == account.id, LoginSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    return db.session.execute(query.values(ended_at=utcnow())).rowcount


def open_sessions(account: Account) -> list[LoginSession]:
    """The account's open sessions, the most recently used first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(_owner_column(type(account)) == account.id, *_open_filter(utcnow()))
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.created_at.desc())
        )
    )


def session_of(account: Account, session_id: str) -> LoginSession | None:
    """One of the account's own open sessions by id; another account's is None, as unknown ones."""
    if not re.fullmatch(r"[0-9a-f]{64}", session_id or ""):
        return None
    return db.session.scalar(
        select(LoginSession).where(
            LoginSession.id == session_id, _owner_column(type(account)) == account.id, *_open_filter(utcnow())
        )
    )


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_name(user_agent: str) -> str:
    """ "Firefox on Linux" from a User-Agent header; empty when it names neither."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system
