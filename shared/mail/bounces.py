"""A bounce that came in: the address it stops, when it reports a hard failure of the desk's own mail.

What a stopped address means for sending, and clearing it, is `bounces`; this is the intake's half,
called for every bounce `mail.parse` recognises (DSNs and bounces in words alike).
"""

from sqlalchemy import select

from shared.core.extensions import db
from shared.mail.parse import ParsedMail
from shared.models import InboundMessage, MailBounce, OutboxMessage
from shared.outgoing.bounces import active


def record(inbound: InboundMessage, mail: ParsedMail) -> MailBounce | None:
    """Make the address a hard bounce reports on bounced (once: a second bounce while it is stopped
    changes nothing), or None when the mail is no hard bounce of the desk's own mail."""
    if not mail.hard_failures:
        return None
    ids = [m for m in mail.reported_ids if m] or mail.thread_ids
    rows = (
        list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.message_id.in_(ids)).limit(20)))
        if ids
        else []
    )
    failed = {f[0] for f in mail.hard_failures}
    # The desk's message to an address the bounce names as failed, else (forwarded mail fails under
    # another name) the first it quotes. Only ever the address the desk itself mailed is stopped.
    sent = next((row for row in rows if row.to_addr.strip().lower() in failed), rows[0] if rows else None)
    if sent is None:
        return None
    address = sent.to_addr.strip().lower()
    known = active(address)
    if known is not None:
        return known
    # The failure reported for this address, or (forwarded mail fails under another name) the first.
    _recipient, status, diagnostic = next((f for f in mail.hard_failures if f[0] == address), mail.hard_failures[0])
    bounce = MailBounce(address=address, status=status, diagnostic=diagnostic, inbound_id=inbound.id, outbox_id=sent.id)
    db.session.add(bounce)
    db.session.flush()
    return bounce
