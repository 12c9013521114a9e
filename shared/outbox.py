"""Queueing mail: a row in the outbox, in the caller's transaction; the worker sends it later."""

import secrets

from flask import current_app, render_template
from flask_babel import force_locale

from shared.extensions import db
from shared.models import Agent, Customer, OutboxMessage, Ticket


def _message_id() -> str:
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "deskbell.localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


def enqueue(
    recipient: Customer | Agent,
    template: str,
    *,
    ticket: Ticket | None = None,
    automatic: bool = True,
    **context: object,
) -> OutboxMessage:
    """Render `email/<template>.txt|.html|.subject` in the recipient's language and queue it."""
    context = {"recipient": recipient, "ticket": ticket, "desk_name": current_app.config["DESK_NAME"], **context}
    with force_locale(recipient.locale or "en"):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    if ticket is not None:
        subject = f"[#{ticket.number}] {subject}"
    headers = {"Reply-To": current_app.config["MAIL_FROM"]}
    if automatic:
        headers["Auto-Submitted"] = "auto-generated"
    message = OutboxMessage(
        to_addr=recipient.email,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers,
        message_id=_message_id(),
        template=template,
        ticket_id=ticket.id if ticket is not None else None,
    )
    db.session.add(message)
    return message


def notify_customer(ticket: Ticket, template: str) -> OutboxMessage | None:
    """Mail the ticket's customer, if it has one (internal tasks have none)."""
    if ticket.customer is None:
        return None
    db.session.flush()
    return enqueue(ticket.customer, template, ticket=ticket)
