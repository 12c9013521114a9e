"""Canned replies: ready-made texts an agent drops into the reply box. Personal ones belong to one
agent; shared ones (no owner) are the whole desk's and kept by admins."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.accounts import Agent
from shared.models.base import utcnow


class CannedReply(db.Model):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # Markdown, with placeholders such as {customer_name} filled in when it is inserted.
    body: Mapped[str] = mapped_column(Text)
    # NULL for a shared reply.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[Agent | None] = relationship()

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None
