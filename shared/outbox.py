"""The outbox: mail queued in the caller's transaction, and the claims that let workers send it.

Queueing renders the message in the recipient's language and gives it its Message-ID; nothing
is sent before the change that caused it commits, and nothing is lost after. Workers claim a
row for a while (a lease), send it, and mark it sent, retried later, or failed, never deleted.
"""

from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from jinja2 import Environment, meta
from sqlalchemy import insert, or_, select, update

from shared import mail_ids, permissions
from shared.errors import DomainError
from shared.extensions import db
from shared.history import last_entry_id
from shared.models import Agent, Customer, Entry, OutboxMessage, Ticket, utcnow

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

    Ticket mail gets a signed Message-ID naming the ticket and `entry`, stored so replies thread;
    `automatic` mail (anything but an agent's own reply) says so in `Auto-Submitted`."""
    subject, text, html = _render(recipient, template, ticket, context)
    if ticket is not None:
        if ticket.id is None or (entry is not None and entry.id is None):
            db.session.flush()
        message_id = mail_ids.sign(ticket, entry)
    else:
        message_id = mail_ids.random_id()
    message = OutboxMessage(
        **_row(recipient, template, (subject, text, html), message_id, ticket, entry, automatic, with_attachments)
    )
    db.session.add(message)
    if ticket is not None:
        mail_ids.remember_signed([message_id], ticket, entry)
    return message


def enqueue_each(recipients: list[Customer | Agent], template: str, *, ticket: Ticket, entry: Entry, **context) -> int:
    """The same automatic ticket mail to each of `recipients`, queued as `enqueue` would one by one;
    returns how many. A notice to every agent is most of the work of opening a ticket, so the mail
    is rendered once per language when its templates never name the recipient, and the rows are
    inserted together."""
    if not recipients:
        return 0
    if ticket.id is None or entry.id is None:
        db.session.flush()
    personal = _names_recipient(current_app.jinja_env, template)
    rendered: dict[object, tuple[str, str, str]] = {}
    rows, message_ids = [], []
    for recipient in recipients:
        key = id(recipient) if personal else (recipient.locale or "en")
        if key not in rendered:
            rendered[key] = _render(recipient, template, ticket, context)
        message_ids.append(mail_ids.sign(ticket, entry))
        rows.append(_row(recipient, template, rendered[key], message_ids[-1], ticket, entry, True, False))
    db.session.execute(insert(OutboxMessage), rows)
    mail_ids.remember_signed(message_ids, ticket, entry)
    return len(rows)


def _render(recipient: Customer | Agent, template: str, ticket: Ticket | None, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's language; a ticket's subject starts with its number."""
    context = {"recipient": recipient, "ticket": ticket, "desk_name": current_app.config["DESK_NAME"], **context}
    with force_locale(recipient.locale or "en"):
        subject = render_template(f"email/{template}.subject.txt", **context)
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    subject = " ".join(subject.split())  # one line, whatever the template or ticket subject held
    if ticket is not None:
        subject = f"[#{ticket.number}] {subject}"
    return subject, text, html


def _row(
    recipient: Customer | Agent,
    template: str,
    rendered: tuple[str, str, str],
    message_id: str,
    ticket: Ticket | None,
    entry: Entry | None,
    automatic: bool,
    with_attachments: bool,
) -> dict[str, object]:
    subject, text, html = rendered
    headers = {"Reply-To": current_app.config["MAIL_FROM"]}
    if automatic:
        # RFC 3834, and the header Exchange and Outlook honour, so out-of-office replies stay away.
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    return {
        "to_addr": recipient.email,
        "subject": subject[:300],
        "body_text": text,
        "body_html": html,
        "headers": headers,
        "message_id": message_id,
        "template": template,
        "ticket_id": ticket.id if ticket is not None else None,
        "entry_id": entry.id if entry is not None else None,
        "with_attachments": with_attachments,
    }


# Per Jinja environment (one per app), template name -> whether it names its recipient.
_PERSONAL: WeakKeyDictionary[Environment, dict[str, bool]] = WeakKeyDictionary()


def _names_recipient(environment: Environment, template: str) -> bool:
    """Whether any of the mail's three templates (or what they extend, include or import) uses
    `recipient`, so the text differs from one recipient to the next. Read once per app."""
    known = _PERSONAL.setdefault(environment, {})
    if template not in known:
        known[template] = _uses_recipient(environment, template)
    return known[template]


def _uses_recipient(environment: Environment, template: str) -> bool:
    names = [f"email/{template}.subject.txt", f"email/{template}.txt", f"email/{template}.html"]
    seen: set[str] = set()
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = environment.parse(environment.loader.get_source(environment, name)[0])
        if "recipient" in meta.find_undeclared_variables(tree):
            return True
        for referenced in meta.find_referenced_templates(tree):
            if referenced is None:  # a name worked out at render time: assume the worst
                return True
            names.append(referenced)
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
