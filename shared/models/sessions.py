"""Server-side login sessions: the cookie names a row here, so a session can be ended for good.

A signed cookie alone cannot be taken back; a row can. Logging out, a new password and a
deactivated agent end rows, and every request checks its row (one lookup by primary key).
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db
from shared.models.base import utcnow


class LoginSession(db.Model):
    __tablename__ = "sessions"
    __table_args__ = (CheckConstraint("(customer_id IS NULL) <> (agent_id IS NULL)", name="one_account"),)

    # sha256 of the random token the cookie carries: the table alone cannot be replayed.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
