"""Organizations: the companies customers belong to, their members, and the ticket-sharing switch.

With sharing on, every member sees all the organization's tickets in the portal (the
permission predicates read the flag); with it off, each member sees only their own.
"""

from flask_babel import gettext
from sqlalchemy import func, select

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, Customer, Organization, Ticket
from shared.people import accounts
from shared.records import audit
from shared.records.catalog import unique_name


def everyone() -> list[Organization]:
    """Every organization by name, for choosing one."""
    return list(db.session.scalars(select(Organization).order_by(func.lower(Organization.name))))


def with_counts() -> list[tuple[Organization, int, int]]:
    """Every organization by name with its number of members and of their tickets."""
    members = select(func.count(Customer.id)).where(Customer.organization_id == Organization.id).scalar_subquery()
    tickets = (
        select(func.count(Ticket.id))
        .join(Customer, Ticket.customer_id == Customer.id)
        .where(Customer.organization_id == Organization.id)
        .scalar_subquery()
    )
    query = select(Organization, members, tickets).order_by(func.lower(Organization.name))
    return list(db.session.execute(query).all())


def members(organization: Organization) -> list[tuple[Customer, int]]:
    """The members by name, each with their number of tickets."""
    tickets = select(func.count(Ticket.id)).where(Ticket.customer_id == Customer.id).scalar_subquery()
    query = (
        select(Customer, tickets)
        .where(Customer.organization_id == organization.id)
        .order_by(func.lower(func.coalesce(func.nullif(Customer.name, ""), Customer.email)))
    )
    return list(db.session.execute(query).all())


def _name(name: str, current: Organization | None = None) -> str:
    taken = gettext("An organization with this name already exists.")
    return unique_name(Organization, name, taken=taken, current=current)


def create_organization(name: str, *, actor: Agent | None) -> Organization:
    organization = Organization(name=_name(name), sharing=False)
    db.session.add(organization)
    audit.record("organization.created", organization, actor=actor)
    db.session.flush()
    return organization


def rename_organization(organization: Organization, name: str, *, actor: Agent | None) -> None:
    name = _name(name, organization)
    found = audit.changes(name=(organization.name, name))
    if found:
        audit.record("organization.renamed", organization, actor=actor, changes=found)
        organization.name = name
        db.session.flush()


def set_sharing(organization: Organization, sharing: bool, *, actor: Agent | None) -> None:
    if organization.sharing == sharing:
        return
    organization.sharing = sharing
    audit.record("organization.sharing_on" if sharing else "organization.sharing_off", organization, actor=actor)
    db.session.flush()


def add_member(organization: Organization, email: str, *, actor: Agent | None) -> Customer:
    """Put an existing customer, found by address, into the organization (out of any other)."""
    email = accounts.normalize_email(email)
    customer = accounts.find_customer(email)
    if customer is None:
        raise DomainError(gettext("No customer has this address. Add them under Customers first."), field="email")
    if customer.organization_id == organization.id:
        raise DomainError(gettext("%(name)s is already a member.", name=customer.display_name), field="email")
    previous = customer.organization
    if previous is not None:
        audit.record("organization.member_removed", previous, actor=actor, customer=audit.label(customer))
    customer.organization = organization
    audit.record("organization.member_added", organization, actor=actor, customer=audit.label(customer))
    db.session.flush()
    return customer


def remove_member(organization: Organization, customer: Customer, *, actor: Agent | None) -> None:
    if customer.organization_id != organization.id:
        return
    customer.organization = None
    audit.record("organization.member_removed", organization, actor=actor, customer=audit.label(customer))
    db.session.flush()
