"""Sending the outbox over SMTP: the server from DESKBELL_SMTP_URL, the MIME message, the outcome.

URL forms: `smtp://user:pass@host:port` (plain; add `?starttls=1` to require STARTTLS),
`smtp+starttls://…` (the same as `?starttls=1`, port 587 by default) and `smtps://…` (TLS from
the first byte, port 465 by default). `?cafile=PATH` trusts a private certificate authority.
"""

import logging
import mimetypes
import os
import secrets
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from flask import current_app
from flask_babel import gettext

from shared.access import permissions
from shared.core.extensions import db
from shared.delivery import servers
from shared.models import Entry, OutboxMessage
from shared.outgoing import bounces, message_ids, outbox
from shared.outgoing.desk_addresses import is_desk_address
from shared.people import accounts
from shared.tickets.attachments import blob_path

log = logging.getLogger("deskbell.mail")

DEFAULT_PORTS = {"plain": 25, "starttls": 587, "ssl": 465}
# Computed when the message is sent, from the ticket's stored Message-IDs.
THREAD_HEADERS = ("In-Reply-To", "References")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "plain", "starttls" or "ssl"
    username: str | None = None
    password: str | None = None
    cafile: str | None = None


def parse_smtp_url(url: str) -> SmtpSettings:
    """The server to send through; a URL the worker cannot use is a configuration error."""
    server = servers.parse(url, setting="SMTP_URL", protocol="smtp", default_ports=DEFAULT_PORTS)
    return SmtpSettings(
        host=server.host,
        port=server.port,
        security=server.security,
        username=server.username,
        password=server.password,
        cafile=server.cafile,
    )


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An open, authenticated connection; TLS certificates are always verified."""
    timeout = float(current_app.config["SMTP_TIMEOUT_SECONDS"])
    # The desk's own domain for EHLO: looking up this machine's name could hang without DNS.
    helo = current_app.config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    context = ssl.create_default_context(cafile=settings.cafile) if settings.security != "plain" else None
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, local_hostname=helo, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, local_hostname=helo, timeout=timeout)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def build(message: OutboxMessage) -> EmailMessage:
    """The MIME message: text and HTML alternatives, the entry's files when asked, and headers
    that thread it to what the recipient already has of the ticket."""
    config = current_app.config
    mime = EmailMessage(policy=SMTP)
    mime["From"] = formataddr((config["DESK_NAME"], config["MAIL_FROM"]))
    mime["To"] = message.to_addr
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at.replace(tzinfo=UTC))
    mime["Message-ID"] = message.message_id
    for name, value in message.headers.items():
        if name not in THREAD_HEADERS:
            mime[name] = value
    thread = message_ids.thread_for(message)
    if thread:
        mime["In-Reply-To"] = thread[-1]
        mime["References"] = " ".join(thread)
    mime.set_content(message.body_text)
    if message.body_html:
        mime.add_alternative(message.body_html, subtype="html")
    if message.with_attachments and message.entry_id is not None:
        # What the recipient may see of the entry: never an agent's emailed original for a customer.
        recipient = accounts.find_agent(message.to_addr) or accounts.find_customer(message.to_addr)
        for attachment in permissions.attachments_for(recipient, db.session.get(Entry, message.entry_id)):
            content_type = attachment.content_type
            if content_type == "application/octet-stream":  # sniffing only knows images; the name says more
                content_type = mimetypes.guess_type(attachment.filename)[0] or content_type
            maintype, _, subtype = content_type.partition("/")
            data = blob_path(attachment.sha256).read_bytes()
            mime.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return mime


def _is_permanent(exc: Exception) -> bool:
    """A 5xx answer about this message (its recipient, its content, its size): trying it again
    cannot help (RFC 5321 4.2.1). Anything else (4xx, a refused login or sender address, which the
    admin can fix, a dead connection) may pass later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return exc.smtp_code == 552  # the message is larger than the server takes
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {text.decode(errors='replace')}" for to, (code, text) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def _own_address_reason(address: str) -> str:
    return gettext("Not sent: %(address)s is one of the desk's own addresses (a mail loop).", address=address)


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0

    def __bool__(self) -> bool:  # a run that touched nothing is not worth a log line
        return bool(self.sent or self.retried or self.failed or self.held)

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} failed, {self.held} held (bounced)"


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """Say it once per process, not on every turn of the worker."""
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def deliver_due(*, limit: int = 100) -> Report:
    """Send up to `limit` due messages over one connection; safe to run in several workers at once.
    A connection that cannot be opened is charged to the message that tried, and the run stops
    there: an unreachable server costs one attempt per run, not one per queued message."""
    report = Report()
    url = current_app.config["SMTP_URL"]
    if not url:
        _warn_once("SMTP_URL is not set: outgoing mail stays queued")
        return report
    settings = parse_smtp_url(url)
    worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    smtp = None
    try:
        for _ in range(limit):
            message = outbox.claim_next(worker)
            if message is None:
                break
            if is_desk_address(message.to_addr):  # the desk would mail itself: a loop
                outbox.mark_failed(message, worker, _own_address_reason(message.to_addr), permanent=True)
                report.failed += 1
                continue
            bounce = bounces.active(message.to_addr)
            if bounce is not None:  # a hard bounce stopped mail to this address until an agent clears it
                outbox.mark_held(message, worker, bounces.held_reason(bounce))
                report.held += 1
                continue
            stage = "build"
            try:
                mime = build(message)
                stage = "connect"
                smtp = smtp or connect(settings)
                stage = "send"
                smtp.send_message(mime, from_addr=current_app.config["MAIL_FROM"], to_addrs=[message.to_addr])
            except Exception as exc:
                if not isinstance(exc, OSError):  # SMTP and TLS errors are OSErrors too
                    log.exception("could not send outbox message %s", message.id)
                state = outbox.mark_failed(message, worker, _describe(exc), permanent=_is_permanent(exc))
                report.failed += state == "failed"
                report.retried += state == "pending"
                if stage != "build":
                    _close(smtp)
                    smtp = None
                if stage == "connect":
                    break
                continue
            headers = {**message.headers, **{name: str(mime[name]) for name in THREAD_HEADERS if mime[name]}}
            if not outbox.mark_sent(message, worker, headers=headers):
                log.warning("outbox message %s was sent after its claim ran out", message.id)
            report.sent += 1
    finally:
        _close(smtp)
    return report
