"""Configuration: built-in defaults, then `instance/config.py`, then `DESKBELL_*` variables."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "DESK_NAME": "Deskbell",
    "MAIL_FROM": "support@deskbell.localhost",
    "BASE_URL": "http://127.0.0.1:5000",
    "MAX_ATTACHMENT_MB": 20,
    "MAX_ATTACHMENTS_PER_MESSAGE": 10,
    "PASSWORD_RESET_HOURS": 2,
    # An invitation (an agent or customer added by an admin) sets the first password; it lasts longer.
    "INVITATION_DAYS": 7,
    # Tickets per page in the console's queues.
    "QUEUE_PAGE_SIZE": 50,
    # A customer may change their rating of a closed ticket for this long after the first one.
    "RATING_CHANGE_DAYS": 7,
    # A ticket waiting on the customer gets one reminder mail this many days before rule 7 closes
    # it (rule 7's days, editable with the rules); 0 sends none.
    "REMINDER_DAYS_BEFORE": 2,
    # Customers may create their own portal accounts at /portal/signup.
    "SIGNUP_ENABLED": False,
    # argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_KIB": 65536,
    "LANGUAGES": ["en", "ru"],
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    "MIGRATIONS_DIR": str(PROJECT_ROOT / "migrations"),
    # Abuse limits, counted in the database (every worker and server shares them): "N per minute",
    # "N per 15 minutes", "N per hour", "N per day", several joined by ";"; empty: no limit. Each
    # action has one per client IP (<ACTION>_RATE_LIMIT) and one per address or account. Over a
    # limit a request gets 429 with the time it may try again. False turns every limit off.
    "RATELIMIT_ENABLED": True,
    # Logins (and password changes) per client IP, and per address (whether or not it has an account).
    "LOGIN_RATE_LIMIT": "10 per minute",
    # Reverse proxies in front of the desk that set X-Forwarded-For/-Proto/-Host/-Port (each adds
    # one hop); the desk believes exactly that many and ignores the headers when it is 0, so a
    # client cannot choose the address rate limits count nor the scheme the desk thinks it has.
    "PROXY_COUNT": 0,
    # Strict-Transport-Security's max-age, sent when the desk is served over HTTPS (BASE_URL is
    # https, or the request came in over HTTPS); 0 sends none.
    "HSTS_SECONDS": 365 * 24 * 3600,
    # A login session ends after this many hours without a request (idle), and in any case this
    # many hours after the login (absolute); the cookie lasts as long as the absolute limit.
    "SESSION_IDLE_HOURS": 24 * 7,
    "SESSION_ABSOLUTE_HOURS": 24 * 30,
    # Asking for a reset link and signing up answer no sooner than this (milliseconds), so the time
    # does not tell whether the address has an account (only then is a link stored and mailed).
    "ACCOUNT_ANSWER_MIN_MS": 250,
    # A self sign-up's confirmation link works once, for this many hours.
    "SIGNUP_CONFIRM_HOURS": 24,
    "LOGIN_ADDRESS_RATE_LIMIT": "10 per 15 minutes",
    # Password reset requests (each sends a mail) per client IP and per address.
    "RESET_RATE_LIMIT": "10 per hour",
    "RESET_ADDRESS_RATE_LIMIT": "3 per hour",
    # Self sign-ups per client IP and per address.
    "SIGNUP_RATE_LIMIT": "10 per hour",
    "SIGNUP_ADDRESS_RATE_LIMIT": "3 per hour",
    # Tickets filed in the portal per client IP and per customer account (mail has its own limit below).
    "TICKET_RATE_LIMIT": "60 per hour",
    "TICKET_ACCOUNT_RATE_LIMIT": "10 per 10 minutes",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,
    # Outgoing mail: smtp://user:pass@host:port (add ?starttls=1, or use smtp+starttls://), smtps://
    # for implicit TLS; ?cafile=PATH trusts a private CA. Empty: the worker keeps mail queued.
    "SMTP_URL": "",
    "SMTP_TIMEOUT_SECONDS": 30,
    # A refused send is retried after MAIL_RETRY_SECONDS, doubling each time up to the maximum;
    # after MAIL_MAX_ATTEMPTS tries the message is marked failed (and kept, with its last error).
    "MAIL_MAX_ATTEMPTS": 10,
    "MAIL_RETRY_SECONDS": 60,
    "MAIL_RETRY_MAX_SECONDS": 4 * 3600,
    # How long a worker holds a message it is sending; a crashed worker's claim expires after it.
    "MAIL_CLAIM_SECONDS": 300,
    # How often the worker runs each of its jobs.
    "WORKER_OUTBOX_SECONDS": 5,
    "WORKER_TIMERS_SECONDS": 300,
    # Incoming mail. IMAP_URL: imap://user:pass@host:port/FOLDER (add ?starttls=1, or use
    # imap+starttls://), imaps:// for implicit TLS; ?cafile=PATH trusts a private CA. Empty: no
    # polling (an MTA can still pipe mail to `flask mail ingest`). Once a message is stored the
    # desk marks it \Seen ("seen"), deletes it ("delete") or moves it to a folder ("move:Archive").
    "IMAP_URL": "",
    "IMAP_AFTER_FETCH": "seen",
    "IMAP_TIMEOUT_SECONDS": 30,
    "WORKER_MAIL_IN_SECONDS": 60,
    # New tickets from mail go to this department (by name); empty: the first active one.
    "MAIL_DEPARTMENT": "",
    # The desk's aliases: other addresses that deliver to the desk besides MAIL_FROM (and the IMAP
    # login, when it is an address), comma-separated or a JSON list. They and any plus-address of
    # them (support+x@...) are never made customers or participants, mail from them is ignored as
    # the desk's own, and the desk sends them nothing (a mail loop).
    "MAIL_DESK_ADDRESSES": [],
    # More messages than this from one sender within an hour are kept but not processed (loops).
    "MAIL_SENDER_LIMIT_PER_HOUR": 20,
    # Acknowledgements of new tickets mailed to one address, counted in the database ("N per hour",
    # several joined by ";"; empty: no limit). Over it a new ticket from that address is opened
    # without one (the inbound mail log says so): a responder answering every acknowledgement with
    # fresh mail stops after a few rounds instead of making a ticket a round.
    "MAIL_ACKNOWLEDGEMENT_LIMIT": "5 per hour; 10 per day",
    # One received mail adds at most this many people from its To and Cc to a ticket (each a new
    # customer if unknown); the rest are left out and the ticket's history names them.
    "MAIL_MAX_NEW_PARTICIPANTS": 10,
    # The authserv-id of the desk's own receiving mail server (the first word of the
    # Authentication-Results header it adds). Set, mail is posted as an agent only when that
    # server's topmost header says dmarc=pass. The server must remove such headers arriving from
    # outside (RFC 8601 section 5). Empty: not checked.
    "MAIL_TRUSTED_AUTHSERV_ID": "",
}


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill `app.config`; later sources win: defaults, instance file, environment, overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("DESKBELL")
    if overrides:
        app.config.from_mapping(overrides)
    if "DATABASE_URL" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(app.instance_path) / 'deskbell.sqlite'}")
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(app.config["SESSION_ABSOLUTE_HOURS"]))
    mb = int(app.config["MAX_ATTACHMENT_MB"])
    # The request may carry several files; each is checked against the per-file limit.
    app.config["MAX_CONTENT_LENGTH"] = mb * 1024 * 1024 * int(app.config["MAX_ATTACHMENTS_PER_MESSAGE"]) + 1024 * 1024
    app.config.setdefault("ATTACHMENTS_DIR", str(Path(app.instance_path) / "attachments"))
    app.config.setdefault("MAIL_CATCHER_DIR", str(Path(app.instance_path) / "mail-catcher"))
    _require_secret_key(app)
    _check_proxy_count(app)


def _check_proxy_count(app: Flask) -> None:
    count = app.config["PROXY_COUNT"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ConfigError(f"DESKBELL_PROXY_COUNT must be a whole number of proxies, 0 or more (it is {count!r}).")


def _require_secret_key(app: Flask) -> None:
    relaxed = app.config.get("TESTING") or app.config["ENV"] == "development"
    if app.config.get("SECRET_KEY"):
        return
    if not relaxed:
        raise ConfigError(
            "DESKBELL_SECRET_KEY is not set. Set it in the environment or as SECRET_KEY in "
            "instance/config.py (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    app.config["SECRET_KEY"] = "development-only-" + os.urandom(8).hex()
