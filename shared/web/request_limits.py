"""The request side of the abuse limits: which settings limit each action, the keys (the client's
IP, and the address or account the request is about), and the answer when a limit is reached.

Each action has two settings: `<ACTION>_RATE_LIMIT` per client IP (LOGIN_RATE_LIMIT always was)
and `<ACTION>_ADDRESS_RATE_LIMIT` / `<ACTION>_ACCOUNT_RATE_LIMIT` per address or account. The
address is counted whether or not an account has it, so the answer never tells which exist.
`RATELIMIT_ENABLED = False` turns every limit off (the test suite does, except where it tests them).
"""

import functools
import logging
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app, request
from flask_babel import format_timedelta, gettext
from werkzeug.exceptions import TooManyRequests

from shared.access import rate_limits
from shared.core.config import ConfigError

log = logging.getLogger("deskbell.limits")

# action → (the setting per client IP, the setting per address or account)
ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("LOGIN_RATE_LIMIT", "LOGIN_ADDRESS_RATE_LIMIT"),
    "reset": ("RESET_RATE_LIMIT", "RESET_ADDRESS_RATE_LIMIT"),
    "signup": ("SIGNUP_RATE_LIMIT", "SIGNUP_ADDRESS_RATE_LIMIT"),
    "ticket": ("TICKET_RATE_LIMIT", "TICKET_ACCOUNT_RATE_LIMIT"),
}


class Throttled(TooManyRequests):
    """A 429 that says when to try again (also as a Retry-After header)."""

    def __init__(self, message: str, wait_seconds: int) -> None:
        super().__init__(description=message, retry_after=wait_seconds)
        self.try_again = message


@functools.lru_cache(maxsize=64)
def _limits(spec: str | None) -> list[rate_limits.Limit]:
    return rate_limits.parse(spec)


def _hits(action: str, subject: str | None) -> list[rate_limits.Hit]:
    ip_setting, subject_setting = ACTIONS[action]
    config, area = current_app.config, request.blueprint or ""
    ip = request.remote_addr or "unknown"
    hits = [rate_limits.Hit(f"{action}-ip", f"{area}\0{ip}", _limits(config[ip_setting]))]
    if subject:
        hits.append(rate_limits.Hit(f"{action}-subject", f"{area}\0{subject}", _limits(config[subject_setting])))
    return hits


def _when(wait_seconds: int) -> str:
    return format_timedelta(timedelta(seconds=max(wait_seconds, 1)), add_direction=True, threshold=1)


def try_again_message(wait_seconds: int) -> str:
    """Under the 429 page's "Too many attempts" heading."""
    return gettext("Please wait: you can try again %(when)s.", when=_when(wait_seconds))


def ticket_flood_message(wait_seconds: int) -> str:
    """Above the new-ticket form, which keeps what was written."""
    return gettext(
        "Too many new tickets in a short time. You can file this one %(when)s; what you wrote is kept below.",
        when=_when(wait_seconds),
    )


def wait(action: str, subject: str | None, *, own_transaction: bool = True) -> int | None:
    """Count this request against `action`'s limits; the seconds to wait when over one, else None.

    `own_transaction=False` counts inside the request's transaction: the count stays only if the
    request commits (refused or failed requests roll it back), at the cost of one statement."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    return rate_limits.count(_hits(action, subject), own_transaction=own_transaction)


def enforce(action: str, subject: str | None) -> None:
    """Count this request; over a limit, stop it with a 429 that says when to try again."""
    seconds = wait(action, subject)
    if seconds is not None:
        raise Throttled(try_again_message(seconds), seconds)


def form_address() -> str | None:
    """The address typed into the form, as accounts compare addresses (valid or not: it is hashed)."""
    return request.form.get("email", "").strip().lower()[:254] or None


def limited(action: str, subject: Callable[[], str | None] = form_address):
    """Count each POST to the view against `action`'s limits, before the view runs (and so before
    any password is checked); over a limit, answer 429 instead."""

    def decorate(view):
        @functools.wraps(view)
        def limited_view(*args, **kwargs):
            if request.method == "POST":
                enforce(action, subject())
            return view(*args, **kwargs)

        return limited_view

    return decorate


def init_limits(app: Flask) -> None:
    """Refuse to start with a limit that cannot be read, rather than run without it."""
    for setting in [*(name for pair in ACTIONS.values() for name in pair), "MAIL_ACKNOWLEDGEMENT_LIMIT"]:
        try:
            rate_limits.parse(app.config[setting])
        except ValueError as error:
            raise ConfigError(f"DESKBELL_{setting}: {error}") from None
    if app.config.get("RATELIMIT_STORAGE_URI"):
        log.warning("DESKBELL_RATELIMIT_STORAGE_URI is no longer used: the limits are counted in the database.")
