"""`open_ticket_by_agent` and `customers.find_or_add` without HTTP: what the console's form cannot send."""

import pytest
from sqlalchemy import select

from shared.core.errors import DomainError
from shared.models import AuditEvent, Ticket
from shared.people import customers
from shared.tickets import conversation


def details(department, **overrides) -> dict:
    return {"subject": "Called about an invoice", "body": "Wants a copy.", "department": department, **overrides}


def test_a_customer_cannot_file_for_someone_else(customer, department, db):
    with pytest.raises(DomainError, match="Only agents"):
        conversation.open_ticket_by_agent(actor=customer, customer_email="other@example.com", **details(department))
    assert db.session.scalars(select(Ticket)).all() == []


@pytest.mark.parametrize("channel", ["web", "agent", "fax"])
def test_a_customer_ticket_needs_a_channel_an_agent_takes(agent, department, channel):
    with pytest.raises(DomainError) as refused:
        conversation.open_ticket_by_agent(
            actor=agent, customer_email="caller@example.com", channel=channel, **details(department)
        )
    assert refused.value.field == "channel"


def test_a_deactivated_assignee_is_refused(agent, make_agent, department, db):
    gone = make_agent(name="Gone Away")
    gone.is_active = False
    with pytest.raises(DomainError) as refused:
        conversation.open_ticket_by_agent(actor=agent, customer_email=None, assignee=gone, **details(department))
    assert refused.value.field == "assignee"


def test_find_or_add_finds_by_address_and_adds_with_an_audit_entry(agent, customer, db):
    assert customers.find_or_add(" Alice@EXAMPLE.com", name="Ignored", actor=agent) is customer
    assert db.session.scalars(select(AuditEvent)).all() == []

    added = customers.find_or_add("Dan@Example.com", name=" Dan Dial ", actor=agent)
    assert (added.email, added.name, added.password_hash) == ("dan@example.com", "Dan Dial", None)
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert (event.action, event.actor, event.data) == ("customer.created", agent, {"invited": False})


@pytest.mark.parametrize("email", ["", "no-at-sign", "two words@example.com"])
def test_find_or_add_refuses_what_is_not_an_address(agent, email):
    with pytest.raises(DomainError) as refused:
        customers.find_or_add(email, actor=agent)
    assert refused.value.field == "email"
