"""The queues' counts, kept in step with the tickets so that the sidebar never counts the tickets table."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db

UNASSIGNED = 0  # assignee_key of the tickets nobody works: a key, not NULL, so the primary key holds it


class QueueCounter(db.Model):
    """How many tickets share one (status, assignee, last public writer): every queue is a sum of these
    rows. shared/queues/counters.py keeps them in the same transaction as each ticket change."""

    __tablename__ = "queue_counters"

    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id"), primary_key=True)
    assignee_key: Mapped[int] = mapped_column(primary_key=True)  # the agent's id, or UNASSIGNED
    last_public_by: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
