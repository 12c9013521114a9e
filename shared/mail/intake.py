"""Mail intake: store every message first, then make something of it exactly once.

`receive` writes the raw bytes to the content-addressed store and commits a row for them before
anything else; the same message seen before (same Message-ID, sender and content: `mail.dedupe`)
is not recorded again, while a different message reusing a Message-ID is. `process_one` then
handles a pending message in one transaction that also flips its state, so a crash at any point
leaves it either processed once or still pending. These functions commit because each step must
be durable before the next starts; the domain verbs they call (`open_ticket`, `post_reply`) do not.

What a message becomes (see `mail.routing` for who may post where):
- a reply on its ticket, when its thread headers or `[#number]` tag match and the sender is on it;
- held on that ticket for an agent, when the sender is not on it;
- a new ticket, when nothing matches (no acknowledgement for list mail and the like, nor past
  the address's acknowledgement limit: `mail.loops`);
- an internal note on its ticket for a bounce or auto-reply of the desk's mail (out-of-office
  replies without the standard headers too: `auto_replies`), else ignored; a hard bounce of the
  desk's mail also stops mail to the address (`mail.bounces`);
- held for an agent, unacknowledged, when the receiving server marked it as spam (`mail.spam`);
- quarantined with its error, when it cannot be processed or its sender is over the rate limit.
"""

import logging
import traceback
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.mail import body, bounces, dedupe, loops, parse, routing, size, spam
from shared.mail.parse import ParsedMail
from shared.mime.charsets import clean
from shared.models import Agent, InboundMessage, InboundState, utcnow
from shared.outgoing import desk_addresses
from shared.tickets import attachments, participants

log = logging.getLogger("deskbell.mail")

SOURCES = ("pipe", "imap")
# Each batch of pending messages is processed oldest first, one transaction each.
_BATCH = 100


class EmptyMessage(ValueError):
    """Nothing to store: the input had no bytes but white space."""


def receive(raw: bytes, *, source: str) -> tuple[InboundMessage, bool]:
    """Store one message and commit: (its row, True) or, for a message already recorded, (the
    existing row, False). Raises EmptyMessage for empty input; database and disk errors pass
    through (the caller asks the sender to try again later)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if not raw or raw.isspace():
        raise EmptyMessage("the message is empty")
    digest = attachments.store_blob(raw)
    try:
        head = parse.peek(raw)
    except Exception:  # stored all the same; processing will quarantine it with the error
        head = ParsedMail()
    message_id = head.message_id if head.message_id and len(head.message_id) <= 500 else None
    content = dedupe.content_digest(raw)
    key = dedupe.key(message_id, head.from_addr, content)
    known = _known(key, dedupe.legacy_key(message_id, digest), content)
    if known is not None:
        db.session.rollback()
        return known, False
    row = InboundMessage(
        dedupe_key=key,
        message_id=message_id,
        sha256=digest,
        size=len(raw),
        source=source,
        from_addr=(head.from_addr or "")[:254],
        subject=head.subject[:300],
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # the same message stored a moment ago by another process
        db.session.rollback()
        return _by_key(key), False
    return row, True


def _known(key: str, legacy: str, content: str) -> InboundMessage | None:
    """The row of this same message if it was stored before: under its key, or under the key rows
    had before different messages could share a Message-ID, if what its author wrote is the same."""
    rows = db.session.scalars(select(InboundMessage).where(InboundMessage.dedupe_key.in_((key, legacy)))).all()
    found = next((row for row in rows if row.dedupe_key == key), None)
    return found or next((row for row in rows if _same_content(row, content)), None)


def _same_content(row: InboundMessage, content: str) -> bool:
    try:
        return dedupe.content_digest(raw_bytes(row)) == content
    except OSError:  # its bytes are gone: nothing shows it is the same message
        return False


def _by_key(key: str) -> InboundMessage | None:
    return db.session.scalar(select(InboundMessage).where(InboundMessage.dedupe_key == key))


def raw_bytes(inbound: InboundMessage) -> bytes:
    """The message exactly as it arrived."""
    return attachments.blob_path(inbound.sha256).read_bytes()


def read(inbound: InboundMessage) -> ParsedMail:
    """The stored message parsed, without its files over the attachment limit: those are never
    read into memory, only named in `refused` (`mail.size`)."""
    slimmed = size.slim(raw_bytes(inbound), attachments.limit_bytes())
    return size.restore(parse.parse(slimmed.raw), slimmed)


def process_pending(limit: int | None = None) -> int:
    """Process stored messages still pending (after a crash, or stored by `mail fetch` or an MTA),
    oldest first; returns how many this call processed."""
    done = 0
    while limit is None or done < limit:
        ids = db.session.scalars(
            select(InboundMessage.id)
            .where(InboundMessage.state == InboundState.PENDING)
            .order_by(InboundMessage.id)
            .limit(_BATCH)
        ).all()
        db.session.rollback()
        if not ids:
            break
        progressed = False
        for inbound_id in ids[: None if limit is None else limit - done]:
            db.session.rollback()  # start each from no transaction: its first statement takes the write lock
            if process_one(inbound_id) is not None:
                done += 1
                progressed = True
        if not progressed:
            break
    return done


def process_one(inbound_id: int, *, rate_limit: bool = True) -> InboundMessage | None:
    """Process one pending message in one committed transaction; None if it was not pending
    (another worker took it). A message that fails is quarantined with the error. `rate_limit`
    off: an admin's retry lets a sender over the limit through."""
    claim = (
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id, InboundMessage.state == InboundState.PENDING)
        .values(attempts=InboundMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    # The conditional UPDATE takes the row's write lock first, so a second worker waits here and
    # then finds the message no longer pending.
    if db.session.execute(claim).rowcount != 1:
        db.session.rollback()
        return None
    inbound = db.session.get(InboundMessage, inbound_id, populate_existing=True)
    try:
        _process(inbound, rate_limit=rate_limit)
        inbound.processed_at = utcnow()
        db.session.commit()
    except OperationalError:
        db.session.rollback()  # the database is unwell, not the message: it stays pending
        raise
    except Exception as exc:
        db.session.rollback()
        log.warning("mail %s quarantined", inbound_id, exc_info=not isinstance(exc, DomainError))
        _quarantine(inbound_id, exc)
    return db.session.get(InboundMessage, inbound_id, populate_existing=True)


def _quarantine(inbound_id: int, exc: Exception) -> None:
    error = exc.message if isinstance(exc, DomainError) else "".join(traceback.format_exception_only(exc)).strip()
    error = clean(error)
    db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id, InboundMessage.state == InboundState.PENDING)
        .values(
            state=InboundState.QUARANTINED,
            reason="error",
            error=error[:4000],
            attempts=InboundMessage.attempts + 1,
            processed_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _process(inbound: InboundMessage, *, rate_limit: bool) -> None:
    mail = read(inbound)
    if desk_addresses.is_desk_address(mail.from_addr):  # the desk's own mail coming back: a loop
        _settle(inbound, InboundState.IGNORED, "own_address")
        return
    if rate_limit and _over_limit(inbound):
        limit = int(current_app.config["MAIL_SENDER_LIMIT_PER_HOUR"])
        _settle(inbound, InboundState.QUARANTINED, "rate_limited")
        inbound.error = gettext(
            "More than %(num)d messages from %(sender)s within an hour: kept, not processed, to break a mail loop.",
            num=limit,
            sender=inbound.from_addr,
        )
        return
    match = routing.find_ticket(mail)
    if mail.is_auto_reply:
        _automatic(inbound, mail, match)
        return
    if not mail.from_addr:
        raise DomainError(gettext("The message has no sender address."))
    verdict = spam.spam_verdict(mail)
    if verdict is not None:
        _hold_spam(inbound, mail, match, verdict)
        return
    if match.ticket is None:
        _open(inbound, mail)
        return
    poster = routing.poster_for(match, mail)
    if poster is None:
        impostor = routing.is_unverified_agent(mail)
        note = routing.hold(inbound, mail, match.ticket, agent_address=impostor)
        reason = "unverified_agent" if impostor else "not_on_ticket"
        _settle(inbound, InboundState.HELD, reason, ticket=match.ticket, entry=note)
        return
    entry = routing.post_from_mail(inbound, mail, match.ticket, poster)
    _settle(inbound, InboundState.PROCESSED, "reply", ticket=entry.ticket, entry=entry)


def _automatic(inbound: InboundMessage, mail: ParsedMail, match: routing.Match) -> None:
    """A bounce or auto-reply: a note on the ticket it answers (found by the desk's own Message-IDs,
    or sent by someone on the ticket); otherwise kept and ignored. Never a ticket, never a reply."""
    kind = "bounce" if mail.is_bounce else "auto_reply"
    bounce = bounces.record(inbound, mail) if mail.is_bounce else None
    ticket = match.ticket
    if ticket is not None and (match.by_message_id or routing.poster_for(match, mail) is not None):
        note = routing.note_automatic(inbound, mail, ticket, kind, bounce=bounce)
        _settle(inbound, InboundState.PROCESSED, kind, ticket=ticket, entry=note)
    else:
        _settle(inbound, InboundState.IGNORED, kind)


def _hold_spam(inbound: InboundMessage, mail: ParsedMail, match: routing.Match, verdict: str) -> None:
    """Spam, as the receiving server says: held for an agent (on the ticket it answers, with a note
    agents see, else in the mail log alone), never acknowledged, never posted."""
    note = routing.hold_spam(inbound, mail, match.ticket, verdict) if match.ticket is not None else None
    _settle(inbound, InboundState.HELD, "spam", ticket=match.ticket, entry=note)
    inbound.error = gettext("The receiving mail server marked it as spam: %(verdict)s", verdict=verdict)


def _open(inbound: InboundMessage, mail: ParsedMail) -> None:
    """A new ticket; acknowledged unless the mail wants none or its address had too many already."""
    limited = not mail.wants_no_acknowledgement and not loops.may_acknowledge(mail.from_addr)
    ticket = routing.open_from_mail(inbound, mail, acknowledge=not limited)
    reason = "new_ticket_unacknowledged" if limited else "new_ticket"
    _settle(inbound, InboundState.PROCESSED, reason, ticket=ticket, entry=ticket.entries[0])
    if limited:
        routing.record_unacknowledged(ticket, mail.from_addr, loops.limit_text())
        log.warning("mail %s: ticket %s opened without an acknowledgement (over the limit)", inbound.id, ticket.number)


def _settle(inbound: InboundMessage, state: InboundState, reason: str, *, ticket=None, entry=None) -> None:
    inbound.state, inbound.reason, inbound.error = state, reason, ""
    inbound.ticket, inbound.entry = ticket, entry


def _over_limit(inbound: InboundMessage) -> bool:
    """More than the hourly limit from this sender, counting this message and the hour before it."""
    if not inbound.from_addr:
        return False
    since = inbound.received_at - timedelta(hours=1)
    count = db.session.scalar(
        select(func.count(InboundMessage.id)).where(
            InboundMessage.from_addr == inbound.from_addr,
            InboundMessage.received_at > since,
            InboundMessage.id <= inbound.id,
        )
    )
    return count > int(current_app.config["MAIL_SENDER_LIMIT_PER_HOUR"])


# --- What agents do with held, ignored and quarantined mail ----------------------------------


def _check_agent(actor: Agent, inbound: InboundMessage) -> None:
    if not permissions.can_decide_held_mail(actor, inbound.ticket):
        raise DomainError(gettext("Only agents can do this."))


def accept_held(inbound: InboundMessage, *, actor: Agent):
    """Let a held message in: its sender becomes a participant of the ticket, and the message is
    posted as theirs. Flushes; the caller commits."""
    _check_agent(actor, inbound)
    if inbound.state != InboundState.HELD:
        raise DomainError(gettext("This message is not waiting for a decision."))
    if inbound.ticket is None:
        raise DomainError(gettext("This message answers no ticket: make it a ticket of its own instead."))
    mail = read(inbound)
    if inbound.reason == "unverified_agent" or (inbound.reason == "spam" and routing.is_unverified_agent(mail)):
        raise DomainError(
            gettext(
                "Mail from an agent's address that does not answer the desk's mail to that agent is never "
                "posted: the agent can answer in the console, or split it into a new ticket."
            )
        )
    customer = participants.put_on(inbound.ticket, mail.from_addr, name=mail.from_name, actor=actor)
    if not permissions.can_reply(customer, inbound.ticket):  # merged here across customers (shared/access/parties.py)
        raise DomainError(
            gettext(
                "%(sender)s's ticket was merged into this one across customers, so this ticket's customer "
                "must not read them here: split their message into a new ticket instead.",
                sender=mail.from_addr,
            )
        )
    entry = routing.post_from_mail(inbound, mail, inbound.ticket, customer)
    _settle(inbound, InboundState.PROCESSED, "accepted", ticket=entry.ticket, entry=entry)
    inbound.resolved_by = actor
    db.session.flush()
    return entry


def split_held(inbound: InboundMessage, *, actor: Agent):
    """Open a new ticket from a held message (a stranger who quoted someone else's ticket), from
    ignored automatic mail an agent wants worked after all, or from a quarantined message (with
    what can be read of it when it still cannot be parsed). Flushes; the caller commits."""
    _check_agent(actor, inbound)
    if inbound.state not in (InboundState.HELD, InboundState.IGNORED, InboundState.QUARANTINED):
        raise DomainError(gettext("Only held, ignored or quarantined messages can become a new ticket."))
    mail = readable(inbound) if inbound.state == InboundState.QUARANTINED else read(inbound)
    if not mail.from_addr:
        raise DomainError(gettext("The message has no sender address."))
    held_on = inbound.ticket
    ticket = routing.open_from_mail(inbound, mail, by_agent=actor)
    if held_on is not None:
        routing.record_split(held_on, ticket, actor=actor)
    _settle(inbound, InboundState.PROCESSED, "split", ticket=ticket, entry=ticket.entries[0])
    inbound.resolved_by = actor
    db.session.flush()
    return ticket


def readable(inbound: InboundMessage) -> ParsedMail:
    """The message as the current code parses it; when parsing fails, what can be salvaged: the
    header block (sender, subject, thread) and its text read line by line, with a word that the
    rest is in the original (attached to the ticket as always). No files: they stay in the original."""
    try:
        return read(inbound)
    except Exception:
        log.warning("mail %s salvaged: it still cannot be parsed", inbound.id, exc_info=True)
    raw = raw_bytes(inbound)
    try:
        mail = parse.peek(raw)
    except Exception:
        mail = ParsedMail(from_addr=inbound.from_addr or None, subject=inbound.subject)
    note = gettext("(Only part of this message could be read. The whole message is attached as original.eml.)")
    mail.text = "\n\n".join(t for t in (body.salvage_text(raw), note) if t)
    return mail


def retry(inbound: InboundMessage, *, actor: Agent) -> InboundMessage:
    """Process a quarantined message again now, past the sender's rate limit (an admin looked at
    it), or a pending one without waiting for the worker: the stored original parsed afresh by the
    code now running (after an upgrade that fixed what failed, say). Commits, like all processing;
    a message that fails again is quarantined again."""
    if not permissions.can_administer(actor):
        raise DomainError(gettext("Only admins can retry mail."))
    if inbound.state not in (InboundState.QUARANTINED, InboundState.PENDING):
        raise DomainError(gettext("Only quarantined or waiting messages can be retried."))
    _reread_head(inbound)
    inbound.state, inbound.reason, inbound.error = InboundState.PENDING, "", ""
    inbound.resolved_by = actor
    db.session.commit()
    return process_one(inbound.id, rate_limit=False) or inbound


def _reread_head(inbound: InboundMessage) -> None:
    """The sender and subject the log shows, read again by the current code: the version that
    stored the message may have read them wrong, or not at all."""
    try:
        head = parse.peek(raw_bytes(inbound))
    except Exception:  # processing will say what is wrong
        return
    inbound.from_addr = (head.from_addr or inbound.from_addr or "")[:254]
    inbound.subject = (head.subject or inbound.subject or "")[:300]
