"""Statuses are data: admins rename them, but each keeps a fixed category that code relies on."""

from enum import StrEnum

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db


class Category(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class Status(db.Model):
    __tablename__ = "statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable handle that rules refer to; the names are what people see.
    key: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)

    def label(self, locale: str | None = None) -> str:
        return self.names.get(locale or "en") or self.names.get("en") or self.key

    @property
    def is_closed(self) -> bool:
        return self.category == Category.CLOSED
