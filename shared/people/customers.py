"""Customers as the admin area sees them: a searchable list, adding one, and editing one."""

from collections.abc import Callable

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.paging import Page, page_of
from shared.models import Agent, Customer, Organization, Ticket
from shared.people import accounts
from shared.records import audit
from shared.search import index

PER_PAGE = 30


def search(text: str = "", *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Customers whose name, address or organization contains `text`, by name; each item is
    (customer, number of tickets)."""
    tickets = select(func.count(Ticket.id)).where(Ticket.customer_id == Customer.id).scalar_subquery()
    query = (
        select(Customer, tickets)
        .outerjoin(Customer.organization)
        .options(contains_eager(Customer.organization))
        .order_by(func.lower(func.coalesce(func.nullif(Customer.name, ""), Customer.email)), Customer.id)
    )
    text = " ".join((text or "").split())
    if text:
        query = query.where(
            or_(
                Customer.name.icontains(text, autoescape=True),
                Customer.email.icontains(text, autoescape=True),
                Organization.name.icontains(text, autoescape=True),
            )
        )
    return page_of(query, page, per_page)


def add_customer(
    email: str,
    *,
    name: str,
    organization: Organization | None,
    invite: bool,
    actor: Agent | None,
    set_url_for: Callable[[str], str] | None = None,
) -> Customer:
    """A customer added by hand (met on the phone, say), optionally mailed a link to set a password
    (`set_url_for` makes that link, so inviting needs it)."""
    customer = accounts.create_customer(email, name=name)
    if organization is not None:  # setting None on the new row would cost an UPDATE of nothing
        customer.organization = organization
    if invite:
        accounts.send_invitation(customer, set_url_for=set_url_for, inviter=actor)
    audit.record("customer.created", customer, actor=actor, invited=invite)
    db.session.flush()
    return customer


def find_or_add(email: str, *, name: str = "", actor: Agent | None) -> Customer:
    """The customer with this address, or a new one without a password: how an agent names whom
    a ticket is for while they are on the phone. A known customer keeps their name; a typed name
    only fills one that is missing."""
    email = accounts.normalize_email(email)
    customer = accounts.find_customer(email)
    if customer is None:
        return add_customer(email, name=name, organization=None, invite=False, actor=actor)
    if not customer.is_active:
        raise DomainError(
            gettext("%(name)s is deactivated. An admin can reactivate them.", name=customer.display_name),
            field="email",
        )
    if not customer.name and name.strip():
        update_customer(customer, name=name, organization=customer.organization, actor=actor)
    return customer


def update_customer(customer: Customer, *, name: str, organization: Organization | None, actor: Agent | None) -> None:
    """The name (may be empty: the address stands in) and the organization."""
    name = " ".join((name or "").split())

    def org_name(org: Organization | None) -> str | None:
        return org.name if org is not None else None

    found = audit.changes(
        name=(customer.name, name), organization=(org_name(customer.organization), org_name(organization))
    )
    if found:
        audit.record("customer.updated", customer, actor=actor, changes=found)
        customer.name, customer.organization = name, organization
        db.session.flush()
        index.customer_changed(customer)
