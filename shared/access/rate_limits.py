"""Abuse limits counted in the database, so they hold across gunicorn workers and servers.

A limit is "N per period" (e.g. `10 per minute`, `5 per 15 minutes`) counted in fixed windows: each
request adds one to its key's row for the current window with a single upsert, which returns the
new count. The database serialises the upserts of one row (SQLite's write lock, PostgreSQL's row
lock), so parallel requests each get their own count and no more than N ever pass in a window.
The counts are written on their own connection and committed at once: a request that fails or
rolls back still counts. Keys are keyed hashes, so the table holds no address or IP in clear.
"""

import calendar
import functools
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from shared.core.clock import utcnow
from shared.core.extensions import db
from shared.models import RateLimitCount

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_SPEC = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Limit:
    """At most `count` requests in each fixed window of `seconds`."""

    count: int
    seconds: int


def parse(spec: str | None) -> list[Limit]:
    """`10 per minute`, `5 per 15 minutes`, `100/day`; several joined by `;`. Empty: no limit."""
    limits = []
    for part in filter(str.strip, (spec or "").split(";")):
        match = _SPEC.match(part)
        if match is None:
            raise ValueError(f"not a rate limit: {part.strip()!r} (write e.g. '10 per minute' or '5 per 15 minutes')")
        count, multiple, unit = match.groups()
        seconds = int(multiple or 1) * _UNITS[unit.lower()]
        if seconds == 0:
            raise ValueError(f"not a rate limit: {part.strip()!r} (the period is zero)")
        limits.append(Limit(int(count), seconds))
    return limits


@dataclass(frozen=True)
class Hit:
    """One request to count: `name` says which limit (kept readable), `value` whose (hashed)."""

    name: str
    value: str
    limits: list[Limit]


def now_seconds() -> int:
    return calendar.timegm(utcnow().timetuple())


def _key(name: str, value: str, seconds: int) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, f"{name}\0{value}".encode(), hashlib.sha256).hexdigest()[:40]
    return f"{name}/{seconds}:{digest}"


_TABLE = RateLimitCount.__table__


@functools.cache
def _upsert(dialect: str):
    """One count added per row, the new counts returned; built once (its SQL is cached), with the
    rows passed as parameters, which SQLAlchemy sends as one multi-row INSERT."""
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(_TABLE)
    return statement.on_conflict_do_update(
        index_elements=["key", "window_start"], set_={"n": _TABLE.c.n + 1}
    ).returning(_TABLE.c.key, _TABLE.c.n, _TABLE.c.expires_at)


def count(hits: Iterable[Hit], *, own_transaction: bool = True, now: int | None = None) -> int | None:
    """Count one request against every limit of `hits`, in one statement: committed at once on its
    own connection, or (`own_transaction=False`) in the session's transaction, for the caller to
    commit or roll back. Answers None when every limit still allows the request, else the seconds
    until the last exceeded window ends (when it may be tried again)."""
    now = now_seconds() if now is None else now
    rows, limit_of = [], {}
    for hit in hits:
        for limit in hit.limits:
            start = now - now % limit.seconds
            key = _key(hit.name, hit.value, limit.seconds)
            rows.append({"key": key, "window_start": start, "expires_at": start + limit.seconds, "n": 1})
            limit_of[key] = limit
    if not rows:
        return None
    rows = list({row["key"]: row for row in rows}.values())  # one row per key: ON CONFLICT touches a row once
    statement = _upsert(db.engine.dialect.name)
    if own_transaction:
        with db.engine.begin() as connection:
            counted = connection.execute(statement, rows).all()
    else:
        counted = db.session.execute(statement, rows).all()
    waits = [expires - now for key, n, expires in counted if n > limit_of[key].count]
    return max(waits) if waits else None


def purge_expired(*, now: int | None = None) -> int:
    """Delete the counts whose window is over; the worker calls it with its timers."""
    now = now_seconds() if now is None else now
    result = db.session.execute(delete(RateLimitCount).where(RateLimitCount.expires_at <= now))
    return result.rowcount or 0
