"""The outbox: mail queued in the caller's transaction, and the claims that let workers send it.

Queueing renders the message in the recipient's language and gives it its Message-ID; nothing
is sent before the change that caused it commits, and nothing is lost after. Workers claim a
row for a while (a lease), send it, and mark it sent, retried later, or failed, never deleted.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from jinja2 import Environment, meta
from sqlalchemy import insert, or_, select, update

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, Customer, Entry, MailMessageId, OutboxMessage, Ticket, utcnow
from shared.outgoing import message_ids
from shared.records.history import last_entry_id

# Candidates looked at per claim: a worker that loses the race for one tries the next.
_CANDIDATES = 5


def enqueue(
    recipient: Customer | Agent,
    template: str,
    *,
    ticket: Ticket | None = None,
    entry: Entry | None = None,
    automatic: bool = True,
    with_attachments: bool = False,
    **context: object,
) -> OutboxMessage:
    """Render `email/<template>.txt|.html|.subject.txt` in the recipient's language and queue it.

    Ticket mail gets a Message-ID naming the ticket and `entry`, signed for the recipient and
    stored so replies thread;
    `automatic` mail (anything but an agent's own reply) says so in `Auto-Submitted`."""
    [values] = _messages([recipient], template, ticket, entry, automatic, with_attachments, context)
    message = OutboxMessage(**values)
    db.session.add(message)
    if ticket is not None:
        # A freshly signed ID is new by construction: nothing to look up before storing it.
        db.session.add(MailMessageId(**_sent_id(values)))
    return message


def rehearse(recipient: Customer | Agent, template: str, **context: object) -> None:
    """Render `template` as `enqueue` would and queue nothing: an answer about an address without an
    account does the same work as one with, so its timing does not tell which it was."""
    _messages([recipient], template, None, None, True, False, context)


def enqueue_each(
    recipients: list[Customer | Agent],
    template: str,
    *,
    ticket: Ticket | None = None,
    entry: Entry | None = None,
    automatic: bool = True,
    with_attachments: bool = False,
    **context: object,
) -> None:
    """`enqueue` to each of `recipients`, a message of their own each: a notice to every agent.

    What most of filing a ticket used to cost a desk with many agents is done once: a template that
    never reads the recipient is rendered once per language, and the rows go in one bulk insert."""
    rows = _messages(recipients, template, ticket, entry, automatic, with_attachments, context)
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
    if rows and ticket is not None:
        db.session.execute(insert(MailMessageId), [_sent_id(values) for values in rows])


def _messages(
    recipients: list[Customer | Agent],
    template: str,
    ticket: Ticket | None,
    entry: Entry | None,
    automatic: bool,
    attached: bool,
    context: dict,
) -> list[dict]:
    """The outbox rows' values for `recipients`, each rendered in the recipient's language."""
    if ticket is not None and (ticket.id is None or (entry is not None and entry.id is None)):
        db.session.flush()
    headers = {"Reply-To": current_app.config["MAIL_FROM"]}
    if automatic:
        # RFC 3834, and the header Exchange and Outlook honour, so out-of-office replies stay away.
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    personal = _mentions_recipient(current_app.jinja_env, template)
    by_locale: dict[str, tuple[str, str, str]] = {}
    rows = []
    for recipient in recipients:
        locale = recipient.locale or "en"
        rendered = None if personal else by_locale.get(locale)
        if rendered is None:
            rendered = _render(template, locale, {"recipient": recipient, "ticket": ticket, **context})
            by_locale[locale] = rendered
        subject, text, html = rendered
        if ticket is not None:
            subject = f"[#{ticket.number}] {subject}"
            message_id = message_ids.sign(ticket, entry, recipient.email)
        else:
            message_id = message_ids.random_id()
        rows.append(
            {
                "to_addr": recipient.email,
                "subject": subject[:300],
                "body_text": text,
                "body_html": html,
                "headers": dict(headers),
                "message_id": message_id,
                "template": template,
                "ticket_id": ticket.id if ticket is not None else None,
                "entry_id": entry.id if entry is not None else None,
                "with_attachments": attached,
            }
        )
    return rows


def _sent_id(values: dict) -> dict:
    """The stored Message-ID row of an outbox row's values, so replies to it thread."""
    return {
        "message_id": values["message_id"],
        "ticket_id": values["ticket_id"],
        "entry_id": values["entry_id"],
        "direction": "out",
    }


def _render(template: str, locale: str, context: dict) -> tuple[str, str, str]:
    """The subject (one line), text and HTML of `template` in `locale`. Mail is no page: it is
    rendered from its own context alone, without the context processors of the request it is queued
    in (the console's build forms), so it reads the same from a view, mail intake or the worker."""
    context = {"desk_name": current_app.config["DESK_NAME"], **context}
    env = current_app.jinja_env
    with force_locale(locale):
        subject = env.get_template(f"email/{template}.subject.txt").render(context)
        text = env.get_template(f"email/{template}.txt").render(context)
        html = env.get_template(f"email/{template}.html").render(context)
    return " ".join(subject.split()), text, html  # one line, whatever the template or ticket subject held


def _mentions_recipient(env: Environment, template: str) -> bool:
    """Whether any part of `template`, or a template it extends, includes or imports, reads
    `recipient`. Kept with the app per template, unless templates reload while it runs (debug)."""
    if env.auto_reload:
        return _scan_for_recipient(env, template)
    known = current_app.extensions.setdefault("deskbell_personal_mail", {})
    if template not in known:
        known[template] = _scan_for_recipient(env, template)
    return known[template]


def _scan_for_recipient(env: Environment, template: str) -> bool:
    pending = [f"email/{template}.{part}" for part in ("subject.txt", "txt", "html")]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = env.parse(env.loader.get_source(env, name)[0])
        if "recipient" in meta.find_undeclared_variables(tree):
            return True
        referenced = list(meta.find_referenced_templates(tree))
        if None in referenced:  # a name worked out while rendering: it might read anything
            return True
        pending += referenced
    return False


def notify_customer(ticket: Ticket, template: str) -> OutboxMessage | None:
    """Mail the ticket's customer, if it has one (internal tasks have none), about its latest entry."""
    if ticket.customer is None:
        return None
    db.session.flush()
    entry = db.session.get(Entry, last_entry_id(ticket))
    return enqueue(ticket.customer, template, ticket=ticket, entry=entry)


# --- Claiming and settling, for the worker ------------------------------------------------


def _free(now: datetime):
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def claim_next(worker: str, *, now: datetime | None = None) -> OutboxMessage | None:
    """Take the next due message for `worker` until its lease ends, committed, or None.

    The claim is one conditional UPDATE that only a free pending row passes, so of several
    workers exactly one gets it. On PostgreSQL the candidates are read `FOR UPDATE SKIP LOCKED`,
    so workers do not even queue up behind each other's rows. Each claim counts as an attempt:
    a message that crashes its worker still runs out of attempts."""
    now = now or utcnow()
    lease_end = now + timedelta(seconds=int(current_app.config["MAIL_CLAIM_SECONDS"]))
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now, _free(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(_CANDIDATES)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    for message_id in db.session.scalars(due).all():
        claim = (
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.state == "pending", _free(now))
            .values(claimed_until=lease_end, claimed_by=worker, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if db.session.execute(claim).rowcount == 1:
            db.session.commit()
            return db.session.get(OutboxMessage, message_id)
    db.session.commit()  # ends the read; on PostgreSQL this releases the skipped-over locks
    return None


def _settle(message: OutboxMessage, worker: str, **values: object) -> bool:
    """Write the outcome only if `worker` still holds the claim (it may have expired and passed on)."""
    done = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == worker, OutboxMessage.state == "pending")
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return done == 1


def mark_sent(message: OutboxMessage, worker: str, *, headers: dict[str, str], now: datetime | None = None) -> bool:
    """The server took the message; `headers` records the thread headers it went out with."""
    return _settle(message, worker, state="sent", sent_at=now or utcnow(), headers=headers)


def mark_held(message: OutboxMessage, worker: str, reason: str) -> bool:
    """Not sent, on purpose: its address bounced for good (`shared.bounces`). It waits, with the
    reason, until an agent clears the address."""
    return _settle(message, worker, state="held", last_error=reason)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: MAIL_RETRY_SECONDS, doubling, capped."""
    first = int(current_app.config["MAIL_RETRY_SECONDS"])
    cap = int(current_app.config["MAIL_RETRY_MAX_SECONDS"])
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), cap))


def mark_failed(
    message: OutboxMessage, worker: str, error: str, *, permanent: bool = False, now: datetime | None = None
) -> str:
    """Retry later with backoff, or give up ("failed") when attempts run out or the server refused
    for good; the row and its last error stay. Returns the new state."""
    now = now or utcnow()
    if permanent or message.attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"]):
        _settle(message, worker, state="failed", last_error=error)
        return "failed"
    _settle(message, worker, last_error=error, next_attempt_at=now + backoff(message.attempts))
    return "pending"


def retry(message: OutboxMessage, *, actor: Agent) -> None:
    """An admin sends a failed (or waiting) message again now, with a fresh set of attempts."""
    if not permissions.can_administer(actor):
        raise DomainError(gettext("Only admins can resend mail."))
    if message.state == "sent":
        raise DomainError(gettext("This message was already sent."))
    if message.claimed_until is not None and message.claimed_until > utcnow():
        raise DomainError(gettext("This message is being sent right now."))
    message.state = "pending"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None
    message.claimed_by = None
    db.session.flush()
