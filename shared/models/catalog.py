"""Departments and products: what a ticket is about and who works it."""

from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.core.extensions import db
from shared.models.accounts import Agent

# Which agents work which departments: automatic assignment picks among them.
department_agents = Table(
    "department_agents",
    db.metadata,
    Column("department_id", ForeignKey("departments.id"), primary_key=True),
    Column("agent_id", ForeignKey("agents.id"), primary_key=True),
)

# How a department's new tickets find an agent (shared/tickets/assignment.py).
STRATEGIES = ("manual", "round_robin", "least_open")


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Whose working hours its tickets' SLA counts in; None: the desk's first calendar.
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendars.id"))
    assignment_strategy: Mapped[str] = mapped_column(String(20), default="manual")
    # Round-robin's pointer: the member who got the last ticket; the next one in line comes after.
    last_assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    agents: Mapped[list[Agent]] = relationship(secondary=department_agents, order_by=Agent.id)


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department | None] = relationship()
