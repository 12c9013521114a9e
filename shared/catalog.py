"""Lookups of the desk's configuration data: departments, products, statuses, agents."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shared.extensions import db
from shared.models import Agent, Category, Department, Product, Status

# What a customer sees instead of the desk's internal status names.
CUSTOMER_LABELS = {
    Category.NEW: _l("Received"),
    Category.OPEN: _l("In progress"),
    Category.PENDING: _l("Waiting for your reply"),
    Category.ON_HOLD: _l("Filed with our team"),
    Category.CLOSED: _l("Closed"),
}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
# How a ticket reached the desk.
CHANNEL_LABELS = {"web": _l("Web"), "email": _l("Email"), "phone": _l("Phone"), "agent": _l("Filed by an agent")}


def customer_label(status: Status) -> str:
    return str(CUSTOMER_LABELS[Category(status.category)])


def priority_label(key: str | None) -> str:
    return str(PRIORITY_LABELS[key]) if key in PRIORITY_LABELS else key or "—"


def channel_label(key: str) -> str:
    return str(CHANNEL_LABELS[key]) if key in CHANNEL_LABELS else key


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).where(Department.is_active.is_(True)).order_by(Department.name)))


def products() -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.is_active.is_(True)).order_by(Product.name)))


def statuses() -> list[Status]:
    return list(db.session.scalars(select(Status).order_by(Status.position, Status.id)))


def active_agents() -> list[Agent]:
    return list(db.session.scalars(select(Agent).where(Agent.is_active.is_(True)).order_by(Agent.name)))


def agent_names() -> dict[int, str]:
    """Every agent's name by id, deactivated ones too, for reading old history."""
    return {agent.id: agent.display_name for agent in db.session.scalars(select(Agent))}


def get_active(model, item_id: int | None):
    """The active department, product or agent with that id, or None."""
    if item_id is None:
        return None
    item = db.session.get(model, item_id)
    return item if item is not None and item.is_active else None
