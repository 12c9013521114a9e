"""Configuration: built-in defaults, then `instance/config.py`, then `DESKBELL_*` variables."""

import os
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

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
    # Customers may create their own portal accounts at /portal/signup.
    "SIGNUP_ENABLED": False,
    # argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_KIB": 65536,
    "LANGUAGES": ["en", "ru"],
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    "MIGRATIONS_DIR": str(PROJECT_ROOT / "migrations"),
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,
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
    mb = int(app.config["MAX_ATTACHMENT_MB"])
    # The request may carry several files; each is checked against the per-file limit.
    app.config["MAX_CONTENT_LENGTH"] = mb * 1024 * 1024 * int(app.config["MAX_ATTACHMENTS_PER_MESSAGE"]) + 1024 * 1024
    app.config.setdefault("ATTACHMENTS_DIR", str(Path(app.instance_path) / "attachments"))
    _require_secret_key(app)


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
