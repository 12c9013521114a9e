"""Saved views: an agent's own named addresses of the queue list (queue, filters and order),
shown with their live counts in the sidebar."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db
from shared.models.base import utcnow


class SavedView(db.Model):
    __tablename__ = "saved_views"
    # One name per agent, whatever its case: name_key is the name folded for comparing.
    __table_args__ = (UniqueConstraint("agent_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    name: Mapped[str] = mapped_column(String(60))
    name_key: Mapped[str] = mapped_column(String(120))  # casefold can lengthen a name
    # The list's query string as its address has it: queue, filters and order, never the page.
    query: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
