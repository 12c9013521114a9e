"""Merges as Deskbell made them before merges kept to one customer, for the tests of desks that still
hold some: the duplicate points to another customer's ticket, its customer joins that ticket as a
participant (so what they sent reached it), and the duplicate is closed."""

from sqlalchemy import select

from shared.core.extensions import db
from shared.models import Agent, Category, Status, Ticket
from shared.records.history import post_system_note, record_event
from shared.tickets import participants, properties


def join_as_before(duplicate: Ticket, target: Ticket, *, agent: Agent) -> None:
    """The first half of the old merge: the duplicate's customer on the target as a participant."""
    participants.put_on(target, duplicate.customer.email, actor=agent)
    db.session.commit()


def merge_as_before(duplicate: Ticket, target: Ticket, *, agent: Agent) -> None:
    """The rest of the old merge across customers, step by step as it wrote the rows."""
    participants.put_on(target, duplicate.customer.email, actor=agent)
    duplicate.merged_into = target
    record_event(duplicate, "merged_into", {"ticket": target.number}, actor=agent)
    record_event(target, "merged", {"ticket": duplicate.number, "subject": duplicate.subject}, actor=agent)
    post_system_note(duplicate, "We merged this request with another one about the same thing, and continue there.")
    closed = db.session.scalars(select(Status).where(Status.category == Category.CLOSED).order_by(Status.id)).first()
    properties.change_status(duplicate, closed, actor=agent)
    db.session.commit()
