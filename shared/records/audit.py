"""The admin audit log: one append-only row per change to an account, organization or the catalog."""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shared.core.extensions import db
from shared.core.paging import Page, page_of
from shared.models import Agent, AuditEvent, BusinessCalendar, Customer, Department, Organization, Product

Subject = Agent | Customer | Organization | Department | Product | BusinessCalendar | str  # str: a setting

# How each action reads in the log; %(subject)s is the record's name at the time.
DESCRIPTIONS = {
    "agent.invited": _l("invited %(subject)s as an agent"),
    "agent.invited_admin": _l("invited %(subject)s as an admin"),
    "agent.invitation_resent": _l("sent %(subject)s a new invitation"),
    "agent.deactivated": _l("deactivated %(subject)s"),
    "agent.reactivated": _l("reactivated %(subject)s"),
    "agent.admin_granted": _l("made %(subject)s an admin"),
    "agent.admin_revoked": _l("removed admin rights from %(subject)s"),
    "agent.away": _l("marked %(subject)s away"),
    "agent.back": _l("marked %(subject)s available"),
    "agent.assignment_updated": _l("changed the assignment settings of %(subject)s"),
    "customer.created": _l("added the customer %(subject)s"),
    "customer.updated": _l("edited the customer %(subject)s"),
    "organization.created": _l("added the organization %(subject)s"),
    "organization.renamed": _l("renamed the organization %(subject)s"),
    "organization.sharing_on": _l("turned ticket sharing on for %(subject)s"),
    "organization.sharing_off": _l("turned ticket sharing off for %(subject)s"),
    "organization.member_added": _l("added %(customer)s to %(subject)s"),
    "organization.member_removed": _l("removed %(customer)s from %(subject)s"),
    "department.created": _l("added the department %(subject)s"),
    "department.updated": _l("edited the department %(subject)s"),
    "department.deactivated": _l("deactivated the department %(subject)s"),
    "department.reactivated": _l("reactivated the department %(subject)s"),
    "department.assignment_updated": _l("changed how the department %(subject)s assigns tickets"),
    "product.created": _l("added the product %(subject)s"),
    "product.updated": _l("edited the product %(subject)s"),
    "product.deactivated": _l("deactivated the product %(subject)s"),
    "product.reactivated": _l("reactivated the product %(subject)s"),
    "calendar.created": _l("added the business calendar %(subject)s"),
    "calendar.updated": _l("edited the business calendar %(subject)s"),
    "calendar.holiday_added": _l("added the holiday %(day)s to %(subject)s"),
    "calendar.holiday_removed": _l("removed the holiday %(day)s from %(subject)s"),
    "department.calendar": _l("set the business calendar of %(subject)s"),
    "sla.targets_updated": _l("changed the SLA targets"),
}

# The fields a change lists, by their key in `data["changes"]`.
FIELD_LABELS = {
    "name": _l("Name"),
    "organization": _l("Organization"),
    "department": _l("Department"),
    "calendar": _l("Business calendar"),
    "timezone": _l("Time zone"),
    "work_days": _l("Working days"),
    "hours": _l("Working hours"),
    "cap": _l("Open-ticket cap"),
    "departments": _l("Departments"),
    "strategy": _l("Assignment"),
    "agents": _l("Agents"),
}


def label(subject: Subject) -> str:
    """How the log names a record: people by name and address, the rest by name."""
    if isinstance(subject, Agent | Customer):
        return f"{subject.display_name} <{subject.email}>"
    if isinstance(subject, str):
        return subject
    return subject.name


def record(action: str, subject: Subject, *, actor: Agent | None, **data: Any) -> AuditEvent:
    """Append one entry; `data` holds the details (for a change: field → [before, after])."""
    assert action in DESCRIPTIONS, action
    event = AuditEvent(action=action, subject=label(subject)[:300], actor=actor, data=data)
    db.session.add(event)
    return event


def changes(**fields: tuple[Any, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as field → [before, after]."""
    return {name: [before, after] for name, (before, after) in fields.items() if before != after}


def describe(event: AuditEvent) -> str:
    """The entry as a sentence without its actor, in the reader's language."""
    return str(DESCRIPTIONS[event.action]) % {"customer": "", **event.data, "subject": event.subject}


def changed_fields(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field label, before, after) for each field the change touched."""
    found = event.data.get("changes", {})
    return [(str(FIELD_LABELS.get(name, name)), before, after) for name, (before, after) in found.items()]


def recent(page: int = 1, per_page: int = 50) -> Page:
    """The log, newest first."""
    query = select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    return page_of(query, page, per_page)
