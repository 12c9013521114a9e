"""A file attached to a history entry; the bytes live on disk under their sha256."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.base import utcnow
from shared.models.entries import Entry
from shared.models.tickets import ActorKind

INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
# The name a received mail is kept under on the entry it became.
ORIGINAL_MAIL_NAME = "original.eml"


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    # Shown to people and sent as the download name; never used to build a path.
    filename: Mapped[str] = mapped_column(String(255))
    # Sniffed from the bytes, not taken from the uploader.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="attachments")

    @property
    def is_agents_original_mail(self) -> bool:
        """The raw mail of a reply an agent sent by mail: it may quote the desk's internal notices
        (the agent answered one), so it is the desk's alone, never a customer's to see or receive."""
        entry = self.entry
        return self.filename == ORIGINAL_MAIL_NAME and entry.channel == "email" and entry.author_kind == ActorKind.AGENT

    @property
    def is_inline_image(self) -> bool:
        return self.content_type in INLINE_TYPES
