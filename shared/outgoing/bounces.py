"""Hard bounces: the desk stops mailing an address its mail could not reach for good.

A DSN (RFC 3464), or a bounce in words that says as much (`mail.bounce_text`), that reports a
permanent failure (Action: failed, Status: 5.x.x) of a message the outbox sent makes the address
*bounced*: the worker holds every message to it (state "held", the reason in `last_error`, visible
in the outbox log) instead of sending, until an agent clears the address from the customer's card
on a ticket; clearing sends what was held. Only a bounce that names a message the desk really sent
counts (found by the Message-ID in its returned headers), so nobody can stop the desk's mail to an
address without having seen mail to it; and only the address that message went to is stopped.
Reading a bounce that came in is the intake's side (`mail.bounces`); this module is the sending
side's: which addresses are stopped, and clearing one.
"""

from flask_babel import gettext
from sqlalchemy import func, select, update

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, MailBounce, OutboxMessage, utcnow


def active(address: str | None) -> MailBounce | None:
    """The bounce that stops mail to `address` now, if any."""
    if not address:
        return None
    query = select(MailBounce).where(MailBounce.address == address.strip().lower(), MailBounce.cleared_at.is_(None))
    return db.session.scalars(query.order_by(MailBounce.id.desc()).limit(1)).first()


def held_reason(bounce: MailBounce) -> str:
    """What the outbox log says of a message held for `bounce`."""
    said = f"{bounce.status} {bounce.diagnostic}".strip()
    return gettext(
        "Not sent: mail to %(address)s bounced (%(said)s). An agent can clear the address on the customer's card.",
        address=bounce.address,
        said=said,
    )


def clear(bounce: MailBounce, *, actor: Agent) -> int:
    """An agent says the address works again: mail to it goes out, what was held first. Flushes;
    returns how many held messages were queued again."""
    if not permissions.can_clear_bounce(actor):
        raise DomainError(gettext("Only agents can do this."))
    if bounce.cleared_at is not None:
        raise DomainError(gettext("This address was already cleared."))
    bounce.cleared_at, bounce.cleared_by = utcnow(), actor
    resumed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "held", func.lower(OutboxMessage.to_addr) == bounce.address)
        .values(state="pending", attempts=0, next_attempt_at=utcnow(), last_error="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return resumed
