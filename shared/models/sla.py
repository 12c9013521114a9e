"""SLA data: business calendars with their holidays, and the per-priority targets."""

from datetime import date, time

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db

UNITS = ("hours", "days")  # a "day" is one of the calendar's working days, however long


class BusinessCalendar(db.Model):
    """When a department works: its time zone, working days (0 = Monday), hours and holidays."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    work_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])
    day_start: Mapped[time] = mapped_column(default=time(9))
    day_end: Mapped[time] = mapped_column(default=time(17))

    holidays: Mapped[list["Holiday"]] = relationship(
        back_populates="calendar", order_by="Holiday.day", cascade="all, delete-orphan"
    )


class Holiday(db.Model):
    __tablename__ = "calendar_holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("business_calendars.id"))
    day: Mapped[date]
    name: Mapped[str] = mapped_column(String(100), default="")

    calendar: Mapped[BusinessCalendar] = relationship(back_populates="holidays")


class SlaTarget(db.Model):
    """How long a ticket of one priority may wait for its first response and for its resolution,
    in business hours or business days of its department's calendar."""

    __tablename__ = "sla_targets"

    priority: Mapped[str] = mapped_column(String(10), primary_key=True)
    first_response: Mapped[int]
    first_response_unit: Mapped[str] = mapped_column(String(5))
    resolution: Mapped[int]
    resolution_unit: Mapped[str] = mapped_column(String(5))
