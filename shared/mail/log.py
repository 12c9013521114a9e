"""The read side of the mail logs: what came in and what went out, for the admins who keep the
desk's mail flowing, and the held messages the agents working a ticket decide on.

Nothing here changes a message; the verbs live in `mail.intake` (retry, accept, split) and
`outbox` (retry). Every row stays: the logs only filter and page them.
"""

from dataclasses import replace
from datetime import UTC
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path

from flask import Response, current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from shared.core.extensions import db
from shared.core.paging import Page, page_of
from shared.mail import body, catcher, parse, size
from shared.mail.catcher import CaughtMessage
from shared.mime.headers import RAW_HEADERS, raw_charset
from shared.models import InboundMessage, InboundState, OutboxMessage, Ticket
from shared.tickets import attachments

PER_PAGE = 50
# Parsing every caught file on each visit is fine for a demo's few hundred; older ones are not listed.
CAUGHT_LIMIT = 200
# The headers the inbound page shows, in this order, when the message has them.
SUMMARY_HEADERS = (
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Date",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "Precedence",
    "X-Spam-Flag",
    "X-Spam-Status",
    "Authentication-Results",
    "Content-Type",
)
# Enough of a message's text to judge it; the whole message is a download away.
TEXT_PREVIEW_CHARS = 6000

INBOUND_STATES = {
    InboundState.PENDING.value: lazy_pgettext("mail state", "Pending"),
    InboundState.PROCESSED.value: lazy_pgettext("mail state", "Processed"),
    InboundState.HELD.value: lazy_pgettext("mail state", "Held"),
    InboundState.IGNORED.value: lazy_pgettext("mail state", "Ignored"),
    InboundState.QUARANTINED.value: lazy_pgettext("mail state", "Quarantined"),
}
OUTBOX_STATES = {
    "pending": lazy_pgettext("mail state", "Pending"),
    "sent": lazy_pgettext("mail state", "Sent"),
    "failed": lazy_pgettext("mail state", "Failed"),
    "held": lazy_pgettext("mail state", "Held (address bounced)"),
}
# What `InboundMessage.reason` says, in words.
REASONS = {
    "new_ticket": _l("Opened a ticket"),
    "new_ticket_unacknowledged": _l("Opened a ticket, not acknowledged: too many acknowledgements to the sender"),
    "reply": _l("Posted as a reply"),
    "not_on_ticket": _l("Sender is not on the ticket"),
    "unverified_agent": _l("An agent's address, not answering the desk's mail to that agent"),
    "accepted": _l("Accepted by an agent"),
    "split": lazy_pgettext("mail outcome", "Split off into a new ticket"),
    "bounce": _l("Bounce"),
    "auto_reply": _l("Automatic reply"),
    "spam": _l("Marked as spam by the receiving mail server"),
    "own_address": _l("Sent from the desk's own address"),
    "rate_limited": _l("Over the sender's hourly limit"),
    "error": _l("Could not be processed"),
}


def inbound_state_label(state: str) -> str:
    return str(INBOUND_STATES.get(state, state))


def outbox_state_label(state: str) -> str:
    return str(OUTBOX_STATES.get(state, state))


def reason_label(reason: str) -> str:
    return str(REASONS.get(reason, reason))


def _words(text: str) -> str:
    return " ".join((text or "").split())


def inbound_log(state: str = "", text: str = "", *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Received messages, newest first; `state` one of InboundState (else all), `text` a piece
    of the sender's address or the subject."""
    query = select(InboundMessage).options(selectinload(InboundMessage.ticket)).order_by(InboundMessage.id.desc())
    if state in INBOUND_STATES:
        query = query.where(InboundMessage.state == state)
    if text := _words(text):
        query = query.where(
            or_(
                InboundMessage.from_addr.icontains(text, autoescape=True),
                InboundMessage.subject.icontains(text, autoescape=True),
            )
        )
    return page_of(query, page, per_page)


def inbound_counts() -> dict[str, int]:
    """How many messages are in each state (every state present, zero or not)."""
    rows = db.session.execute(select(InboundMessage.state, func.count()).group_by(InboundMessage.state))
    return dict.fromkeys(INBOUND_STATES, 0) | {state: count for state, count in rows}


def outbox_log(state: str = "", text: str = "", *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Queued and sent mail, newest first, each item (message, its ticket's number or None); `text`
    a piece of the recipient's address or the subject."""
    query = (
        select(OutboxMessage, Ticket.number)
        .outerjoin(Ticket, Ticket.id == OutboxMessage.ticket_id)
        .order_by(OutboxMessage.id.desc())
    )
    if state in OUTBOX_STATES:
        query = query.where(OutboxMessage.state == state)
    if text := _words(text):
        query = query.where(
            or_(
                OutboxMessage.to_addr.icontains(text, autoescape=True),
                OutboxMessage.subject.icontains(text, autoescape=True),
            )
        )
    return page_of(query, page, per_page)


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
    return dict.fromkeys(OUTBOX_STATES, 0) | {state: count for state, count in rows}


def attention_counts() -> dict[str, int]:
    """What waits for an admin: quarantined mail in, failed mail out."""
    quarantined = select(func.count()).where(InboundMessage.state == InboundState.QUARANTINED)
    failed = select(func.count()).where(OutboxMessage.state == "failed")
    return {"quarantined": db.session.scalar(quarantined) or 0, "failed": db.session.scalar(failed) or 0}


def outbox_ticket(message: OutboxMessage) -> Ticket | None:
    return db.session.get(Ticket, message.ticket_id) if message.ticket_id else None


def held_on(ticket: Ticket) -> list[InboundMessage]:
    """Mail that matched this ticket from someone not on it, waiting for an agent, oldest first."""
    query = select(InboundMessage).where(
        InboundMessage.ticket_id == ticket.id, InboundMessage.state == InboundState.HELD
    )
    return list(db.session.scalars(query.order_by(InboundMessage.id)))


# --- One received message ---------------------------------------------------------------------


def _raw(inbound: InboundMessage) -> bytes | None:
    try:
        return attachments.blob_path(inbound.sha256).read_bytes()
    except (OSError, ValueError):
        return None


def header_summary(inbound: InboundMessage) -> list[tuple[str, str]] | None:
    """(name, decoded value) for the telling headers the message has; None when its stored
    bytes cannot be read."""
    raw = _raw(inbound)
    if raw is None:
        return None
    headers: Message = BytesParser(policy=RAW_HEADERS).parsebytes(parse.header_block(raw), headersonly=True)
    charset = raw_charset(headers)  # raw 8-bit headers read as the message's other ones are
    return [
        (name, parse.header_text(value, charset)) for name in SUMMARY_HEADERS for value in headers.get_all(name) or []
    ]


def text_preview(inbound: InboundMessage) -> str:
    """The message's readable text as the desk reads it (cut short), or "" when there is none."""
    raw = _raw(inbound)
    if raw is None:
        return ""
    try:
        text = parse.parse(size.slim(raw, attachments.limit_bytes()).raw).text.strip()
    except Exception:  # a message the parser gives up on: what can be read of it line by line
        text = body.salvage_text(raw)
    return text if len(text) <= TEXT_PREVIEW_CHARS else text[:TEXT_PREVIEW_CHARS].rstrip() + " […]"


def download(inbound: InboundMessage) -> Response:
    """The message exactly as it arrived, always as a file to save, never rendered by the browser."""
    return attachments.send_blob(inbound.sha256, mimetype="message/rfc822", download_name=f"inbound-{inbound.id}.eml")


# --- The demo's mail catcher ------------------------------------------------------------------


def catcher_in_use() -> bool:
    """Whether this instance's mail catcher has run (it makes its folder when it catches mail)."""
    return Path(current_app.config["MAIL_CATCHER_DIR"]).is_dir()


def caught_mail() -> list[CaughtMessage]:
    """The catcher's newest messages, their dates in naive UTC like every other time the pages show."""
    return [
        replace(m, date=m.date.astimezone(UTC).replace(tzinfo=None)) if m.date and m.date.tzinfo else m
        for m in catcher.caught(limit=CAUGHT_LIMIT)
    ]


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return ""
    try:
        return part.get_content()
    except (LookupError, ValueError):  # an unknown charset: the bytes as best they read
        return part.get_payload(decode=True).decode("utf-8", "replace")


def caught_parts(message: EmailMessage) -> tuple[str, str, list[str]]:
    """A caught message's text part, its HTML part (as sent: show it only in a sandbox), and the
    names of its attached files."""
    files = [part.get_filename() or part.get_content_type() for part in message.iter_attachments()]
    return _part(message, "plain"), _part(message, "html"), files
