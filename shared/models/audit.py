"""The admin audit log: who changed an account or the catalog, and how. Append-only, like history."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.accounts import Agent
from shared.models.base import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # None when the change came from the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    # What happened, e.g. "agent.deactivated"; the details are in `data`.
    action: Mapped[str] = mapped_column(String(60))
    # The changed record as it was called at the time, so the log reads well after a rename.
    subject: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[Agent | None] = relationship()
