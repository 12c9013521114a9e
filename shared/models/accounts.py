"""The two kinds of account. They live in separate tables so no field can turn one into the other."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, func, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.base import utcnow


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # When on, every member sees the organization's tickets in the portal.
    sharing: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["Customer"]] = relationship(back_populates="organization")


class AccountMixin:
    """What both account kinds share: identity, password, language, the Flask-Login protocol."""

    kind: str  # "customer" or "agent", the prefix of the session id

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        # The key the session holds the row by: a row the request's commit expired is not reloaded
        # just to name who made the request in its log line.
        identity = inspect(self).identity
        return f"{self.kind}:{identity[0] if identity else self.id}"

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]

    @property
    def awaiting_password(self) -> bool:
        """Never chose a password: invited by an admin, or (customers) known only from email."""
        return self.password_hash is None

    @property
    def initials(self) -> str:
        words = self.display_name.replace(".", " ").split()
        return "".join(w[0] for w in words[:2]).upper() or "?"


class Customer(AccountMixin, db.Model):
    __tablename__ = "customers"
    kind = "customer"

    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    organization: Mapped[Organization | None] = relationship(back_populates="members")


class Agent(AccountMixin, db.Model):
    __tablename__ = "agents"
    kind = "agent"

    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Automatic assignment (shared/tickets/assignment.py): away agents and agents holding `open_ticket_cap`
    # open tickets are skipped; `last_assigned_at` breaks ties between the least loaded.
    is_away: Mapped[bool] = mapped_column(Boolean, default=False)
    open_ticket_cap: Mapped[int | None] = mapped_column(Integer)
    last_assigned_at: Mapped[datetime | None]


# Accounts are found by address case-insensitively (`shared.accounts._find`): mail intake does so
# for every sender and copied address, so the lookup must not scan.
Index("ix_customers_email_lower", func.lower(Customer.email))
Index("ix_agents_email_lower", func.lower(Agent.email))
