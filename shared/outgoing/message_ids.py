"""Message-IDs that say which ticket they belong to, and the store of every ID sent or received.

The desk's own IDs carry the ticket and entry they were written for and an HMAC of both and of
the address the message went to, keyed by the secret key. An ID proves only that the desk sent
that message to that recipient: a reply quoting it speaks for its recipient and nobody else, so a
customer who quotes the desk's mail to them cannot pass for the agent whose address they forge.
Every ID the desk sends or receives is also stored, which is what threads replies to other
people's IDs (and to IDs of the first format, signed without the recipient: they thread, but
prove nothing) and survives a key change.
"""

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from flask import current_app
from sqlalchemy import case, func, or_, select

from shared.core.extensions import db
from shared.mime.headers import normalize
from shared.models import Entry, InboundMessage, MailMessageId, OutboxMessage, Ticket

# "dbr": signed for one recipient. (IDs of the first format began "db." and named no recipient.)
PREFIX = "dbr"
# References keeps the thread's first ID and the most recent ones, like mail clients do (RFC 5322 3.6.4).
MAX_REFERENCES = 20
# Short enough that "In-Reply-To: <id>" fits on one 78-character line for most domains.
_SIGNED = re.compile(rf"^<{PREFIX}\.(\d+)\.(\d+)\.([a-z2-7]{{8}})\.([a-z2-7]{{16}})@[^<>\s]+>$")


def _domain() -> str:
    return current_app.config["MAIL_FROM"].rpartition("@")[2] or "deskbell.localhost"


@lru_cache(maxsize=8)
def _key(secret: str) -> bytes:
    # A key of its own, derived from the secret, so these signatures can never stand in for another use of it.
    return hmac.new(secret.encode(), b"deskbell mail message-id", hashlib.sha256).digest()


def _signature(ticket_id: int, entry_id: int, nonce: str, recipient: str) -> str:
    key = _key(current_app.config["SECRET_KEY"])
    message = f"{ticket_id}.{entry_id}.{nonce}.{recipient.strip().lower()}"
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return _base32(digest[:10])  # 80 bits: forging one means guessing it, one mail at a time


def _base32(data: bytes) -> str:
    return base64.b32encode(data).decode().lower()


def random_id() -> str:
    """A Message-ID for mail that belongs to no ticket (password resets, invitations)."""
    return f"<{secrets.token_hex(16)}@{_domain()}>"


def sign(ticket: Ticket, entry: Entry | None, recipient: str) -> str:
    """A new, unique Message-ID naming `ticket` and `entry` (both flushed), signed with the secret
    key for the message to `recipient` (an address)."""
    entry_id = entry.id if entry is not None else 0
    nonce = _base32(secrets.token_bytes(5))
    signature = _signature(ticket.id, entry_id, nonce, recipient)
    return f"<{PREFIX}.{ticket.id}.{entry_id}.{nonce}.{signature}@{_domain()}>"


def verify(message_id: str, recipient: str) -> tuple[int, int | None] | None:
    """(ticket id, entry id or None) if `message_id` is one the desk signed with its key for a
    message to `recipient`; else None. The domain is not checked: it follows MAIL_FROM, which may
    change."""
    match = _SIGNED.match(normalize(message_id).lower())
    if match is None or not recipient:
        return None
    ticket_id, entry_id, nonce, signature = match.groups()
    if not hmac.compare_digest(signature, _signature(int(ticket_id), int(entry_id), nonce, recipient)):
        return None
    return int(ticket_id), int(entry_id) or None


def tickets_sent_to(message_ids: list[str], address: str) -> set[int]:
    """The tickets of those of `message_ids` that the desk sent to `address`: signed for it, or
    recorded in the outbox as mail to it (which covers IDs of the first format). What lets a mail
    from an agent's address speak for the agent."""
    address = (address or "").strip().lower()
    wanted = [normalize(m) for m in message_ids if m and m.strip()]
    if not address or not wanted:
        return set()
    found = {signed[0] for m in wanted if (signed := verify(m, address)) is not None}
    sent = select(OutboxMessage.ticket_id).where(
        OutboxMessage.message_id.in_(wanted),
        func.lower(OutboxMessage.to_addr) == address,
        OutboxMessage.ticket_id.is_not(None),
    )
    return found | set(db.session.scalars(sent))


def remember(message_id: str, ticket: Ticket, entry: Entry | None, direction: str) -> MailMessageId:
    """Store an ID the desk sent ("out") or received ("in") for `ticket`; a known one is kept as it is
    (a different message reusing an ID never becomes its second owner)."""
    if direction not in ("in", "out"):
        raise ValueError(f"direction must be 'in' or 'out', not {direction!r}")
    message_id = normalize(message_id)
    known = db.session.scalar(select(MailMessageId).where(MailMessageId.message_id == message_id))
    if known is not None:
        return known
    row = MailMessageId(message_id=message_id, ticket=ticket, entry_id=entry.id if entry else None, direction=direction)
    db.session.add(row)
    return row


def find(message_ids: list[str]) -> MailMessageId | None:
    """The stored row of the first of `message_ids` the desk knows (callers pass In-Reply-To first,
    then References newest first), passing over received IDs that different messages reused."""
    wanted = [normalize(m) for m in message_ids if m and m.strip()]
    if not wanted:
        return None
    rows = db.session.scalars(select(MailMessageId).where(MailMessageId.message_id.in_(wanted)))
    by_id = {row.message_id: row for row in rows}
    received = [m for m, row in by_id.items() if row.direction == "in"]
    for message_id in _reused(received) if received else ():
        del by_id[message_id]
    return next((by_id[m] for m in wanted if m in by_id), None)


def _reused(message_ids: list[str]) -> set[str]:
    """Which of these received IDs different messages carried (a contact form that sends every
    message with one ID): such an ID says nothing about which of them a reply answers."""
    query = (
        select(InboundMessage.message_id)
        .where(InboundMessage.message_id.in_(message_ids))
        .group_by(InboundMessage.message_id)
        .having(func.count(InboundMessage.id) > 1)
    )
    return set(db.session.scalars(query))


def thread_for(message: OutboxMessage) -> list[str]:
    """The earlier Message-IDs of the message's ticket as its recipient saw them, oldest first: what
    the desk received, and what it sent to this same address, up to the message's own entry.
    Worked out at send time, so a received message stored after this one was queued (in the same
    transaction, as mail intake does when a mail opens a ticket) still counts."""
    if message.ticket_id is None:
        return []
    sent_to = select(OutboxMessage.message_id).where(
        OutboxMessage.ticket_id == message.ticket_id, OutboxMessage.to_addr == message.to_addr
    )
    query = select(MailMessageId.message_id).where(
        MailMessageId.ticket_id == message.ticket_id,
        MailMessageId.message_id != message.message_id,
        or_(MailMessageId.direction == "in", MailMessageId.message_id.in_(sent_to)),
    )
    if message.entry_id is not None:
        query = query.where(func.coalesce(MailMessageId.entry_id, 0) <= message.entry_id)
    # By entry; within one entry the received message came first and the desk's answers to it after.
    order = (func.coalesce(MailMessageId.entry_id, 0), case((MailMessageId.direction == "in", 0), else_=1))
    ids = list(db.session.scalars(query.order_by(*order, MailMessageId.id)))
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return ids
