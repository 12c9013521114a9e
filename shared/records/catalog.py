"""The desk's configuration data: lookups of departments, products, statuses and agents, and the
admin area's verbs for departments and products."""

from functools import lru_cache

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.i18n import current_locale
from shared.models import Agent, Category, Department, Product, Status, Ticket
from shared.records import audit

# What a customer sees instead of the desk's internal status names.
CUSTOMER_LABELS = {
    Category.NEW: _l("Received"),
    Category.OPEN: _l("In progress"),
    Category.PENDING: _l("Waiting for your reply"),
    Category.ON_HOLD: _l("Filed with our team"),
    Category.CLOSED: _l("Closed"),
}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
TYPE_LABELS = {"question": _l("Question"), "feature": _l("Feature request"), "bug": _l("Bug report")}
# How a ticket reached the desk.
CHANNEL_LABELS = {
    "web": _l("Web"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "walk_in": _l("Walk-in"),
    "chat": _l("Chat"),
    "agent": _l("Filed by an agent"),
}


def customer_label(status: Status) -> str:
    return _translated("customer", Category(status.category), current_locale())


def priority_label(key: str | None) -> str:
    return _translated("priority", key, current_locale()) if key in PRIORITY_LABELS else key or "—"


def type_label(key: str) -> str:
    return _translated("type", key, current_locale()) if key in TYPE_LABELS else key


def channel_label(key: str) -> str:
    return _translated("channel", key, current_locale()) if key in CHANNEL_LABELS else key


_LABELS = {"customer": CUSTOMER_LABELS, "priority": PRIORITY_LABELS, "type": TYPE_LABELS, "channel": CHANNEL_LABELS}


@lru_cache(maxsize=256)
def _translated(table: str, key: str, locale: str) -> str:
    """A label in `locale` (the current one, passed as part of the key): a queue page shows a few of
    them on every row, and a catalog lookup each time is a good part of rendering it."""
    return str(_LABELS[table][key])


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


def names(model) -> dict[int, str]:
    """Every department's or product's name by id, retired ones too, for reading old history."""
    return {row.id: row.name for row in db.session.execute(select(model.id, model.name))}


def get_active(model, item_id: int | None):
    """The active department, product or agent with that id, or None."""
    if item_id is None:
        return None
    item = db.session.get(model, item_id)
    return item if item is not None and item.is_active else None


# --- Editing departments and products (the admin area); each change is audited -------------


def unique_name(model, name: str, *, taken: str, current=None) -> str:
    """A trimmed name no other row of `model` has, compared without case; `taken` says otherwise."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(gettext("Enter a name."), field="name")
    limit = model.__table__.c.name.type.length
    if len(name) > limit:
        raise DomainError(
            ngettext("Keep the name under %(num)d character.", "Keep the name under %(num)d characters.", limit),
            field="name",
        )
    clash = db.session.scalar(select(model).where(func.lower(model.name) == name.lower()))
    if clash is not None and clash is not current:
        raise DomainError(taken, field="name")
    return name


def all_departments() -> list[tuple[Department, int, int]]:
    """Every department, active or not, with its number of products and of tickets."""
    products_count = select(func.count(Product.id)).where(Product.department_id == Department.id).scalar_subquery()
    tickets_count = select(func.count(Ticket.id)).where(Ticket.department_id == Department.id).scalar_subquery()
    query = select(Department, products_count, tickets_count).order_by(
        Department.is_active.desc(), func.lower(Department.name)
    )
    return list(db.session.execute(query).all())


def all_products() -> list[tuple[Product, int]]:
    """Every product, active or not, with its number of tickets."""
    tickets_count = select(func.count(Ticket.id)).where(Ticket.product_id == Product.id).scalar_subquery()
    query = (
        select(Product, tickets_count)
        .options(selectinload(Product.department))
        .order_by(Product.is_active.desc(), func.lower(Product.name))
    )
    return list(db.session.execute(query).all())


def _department_name(name: str, current: Department | None = None) -> str:
    return unique_name(Department, name, taken=gettext("A department with this name already exists."), current=current)


def _product_name(name: str, current: Product | None = None) -> str:
    return unique_name(Product, name, taken=gettext("A product with this name already exists."), current=current)


def create_department(name: str, *, actor: Agent | None) -> Department:
    department = Department(name=_department_name(name), is_active=True)
    db.session.add(department)
    audit.record("department.created", department, actor=actor)
    db.session.flush()
    return department


def update_department(department: Department, *, name: str, actor: Agent | None) -> None:
    name = _department_name(name, department)
    found = audit.changes(name=(department.name, name))
    if found:
        audit.record("department.updated", department, actor=actor, changes=found)
        department.name = name
        db.session.flush()


def set_department_active(department: Department, active: bool, *, actor: Agent | None) -> None:
    """Retire a department from new tickets (old tickets keep it), or bring it back."""
    if department.is_active == active:
        return
    if not active and len(departments()) <= 1:
        raise DomainError(gettext("Keep at least one active department: new tickets need one."))
    department.is_active = active
    audit.record("department.reactivated" if active else "department.deactivated", department, actor=actor)
    db.session.flush()


def create_product(name: str, *, department: Department | None, actor: Agent | None) -> Product:
    product = Product(name=_product_name(name), department=department, is_active=True)
    db.session.add(product)
    audit.record("product.created", product, actor=actor)
    db.session.flush()
    return product


def update_product(product: Product, *, name: str, department: Department | None, actor: Agent | None) -> None:
    name = _product_name(name, product)

    def dept_name(d: Department | None) -> str | None:
        return d.name if d is not None else None

    found = audit.changes(name=(product.name, name), department=(dept_name(product.department), dept_name(department)))
    if found:
        audit.record("product.updated", product, actor=actor, changes=found)
        product.name, product.department = name, department
        db.session.flush()


def set_product_active(product: Product, active: bool, *, actor: Agent | None) -> None:
    """Retire a product from new tickets (old tickets keep it), or bring it back."""
    if product.is_active == active:
        return
    product.is_active = active
    audit.record("product.reactivated" if active else "product.deactivated", product, actor=actor)
    db.session.flush()
