"""Single-use, expiring tokens for mailed links (password resets, sign-ups). Only hashes are stored."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db
from shared.models.base import utcnow


class ResetToken(db.Model):
    __tablename__ = "reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SignupRequest(db.Model):
    """A self sign-up waiting for its address to be proved: no account exists until it is.

    Mail from the address keeps going to (or creating) the customer the desk already knows; the
    person who signed up sees none of it until they open the mailed link and give their password.
    """

    __tablename__ = "signup_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    @property
    def display_name(self) -> str:
        """The name mail greets: the outbox addresses a pending sign-up as it would a customer."""
        return self.name or self.email.split("@", 1)[0]
