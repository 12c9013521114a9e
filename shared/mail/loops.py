"""Breaking mail loops on the desk's side: how often one address is acknowledged.

Automatic mail is recognised and never answered (`mail.parse`, `auto_replies`), and a sender over
MAIL_SENDER_LIMIT_PER_HOUR is kept but not processed (`mail.intake`). A responder that looks like
a person and answers each acknowledgement with a fresh mail that threads nowhere would still get
a ticket and an acknowledgement per round, until that hourly limit: so the acknowledgements sent
to each address are counted as well (MAIL_ACKNOWLEDGEMENT_LIMIT, in the database like every
limit), and over the limit a new ticket from that address is opened without one. The loop ends
the first time the desk stays silent. Each new ticket that would be acknowledged counts, silent
ones too, so a sender who keeps writing past the hourly limit uses up the day's as well.
"""

import functools

from flask import current_app

from shared.access import rate_limits

SETTING = "MAIL_ACKNOWLEDGEMENT_LIMIT"


@functools.lru_cache(maxsize=8)
def _limits(spec: str | None) -> list[rate_limits.Limit]:
    return rate_limits.parse(spec)


def limit_text() -> str:
    return str(current_app.config[SETTING] or "")


def may_acknowledge(address: str) -> bool:
    """Count one acknowledgement to `address`; False when that is over the limit (send none).
    Counted in the session's transaction: a message whose processing fails counts nothing."""
    limits = _limits(limit_text())
    if not limits:
        return True
    hit = rate_limits.Hit("mail-acknowledgement", address.strip().lower(), limits)
    return rate_limits.count([hit], own_transaction=False) is None
