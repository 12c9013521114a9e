"""`properties.update`: several properties at once, each through its own verb, assignee first."""

import pytest

from shared.core.errors import DomainError
from shared.models import Department, Product
from shared.tickets import properties
from tests.shared.tickets.rulekit import status


def changes_in_history(ticket) -> list[tuple[str, object]]:
    """The property events, in order, as (event, new value)."""
    return [(e.event, e.data["to"]) for e in ticket.entries if e.is_event and e.event != "sla"]


def test_it_assigns_before_it_moves_the_status_whatever_order_it_is_given(agent, customer, make_ticket, db):
    ticket = make_ticket(customer)
    changed = properties.update(ticket, {"status": status("waiting"), "assignee": agent}, actor=agent)
    db.session.commit()
    assert changed == ["assignee", "status"]
    # Rule 2 moves the freshly assigned ticket; the agent's explicit status comes after and wins.
    assert changes_in_history(ticket) == [("assignment", agent.id), ("status", "assigned"), ("status", "waiting")]
    assert ticket.status.key == "waiting"


def test_a_status_the_assignment_already_set_is_left_alone(agent, customer, make_ticket, db):
    ticket = make_ticket(customer)
    changed = properties.update(ticket, {"assignee": agent, "status": status("assigned")}, actor=agent)
    assert changed == ["assignee"]
    assert changes_in_history(ticket) == [("assignment", agent.id), ("status", "assigned")]


def test_every_property_in_the_documented_order(agent, customer, make_ticket, db):
    billing = Department(name="Billing", is_active=True)
    printer = Product(name="Printer", department=billing, is_active=True)
    db.session.add_all([billing, printer])
    db.session.commit()
    ticket = make_ticket(customer)
    wanted = {
        "type": "bug",
        "product": printer,
        "department": billing,
        "priority": "high",
        "status": status("waiting"),
        "assignee": agent,
    }
    changed = properties.update(ticket, wanted, actor=agent)
    assert changed == list(properties.ORDER)
    events = [event for event, _ in changes_in_history(ticket)]
    assert events == ["assignment", "status", "status", "priority", "department", "product", "type"]
    assert (ticket.type, ticket.product, ticket.department, ticket.priority) == ("bug", printer, billing, "high")


def test_what_the_ticket_already_has_changes_nothing(agent, customer, make_ticket, db):
    ticket = make_ticket(customer)
    before = len(ticket.entries)
    same = {"assignee": None, "status": ticket.status, "priority": ticket.priority, "type": ticket.type}
    assert properties.update(ticket, same | {"department": ticket.department, "product": None}, actor=agent) == []
    assert properties.update(ticket, {}, actor=agent) == []
    assert len(ticket.entries) == before


@pytest.mark.parametrize(
    ("wanted", "field"),
    [
        ({"priority": "whenever"}, "priority"),
        ({"type": "complaint"}, "type"),
        ({"assignee": "gone"}, "assignee"),
    ],
)
def test_a_refusal_names_the_field_it_is_about(agent, customer, make_agent, make_ticket, db, wanted, field):
    ticket = make_ticket(customer)
    if wanted.get("assignee") == "gone":
        gone = make_agent("gone@desk.example", password=None)
        gone.is_active = False
        wanted = {"assignee": gone}
    with pytest.raises(DomainError) as refused:
        properties.update(ticket, wanted, actor=agent)
    assert refused.value.field == field


def test_a_customer_changes_no_status(customer, make_ticket):
    ticket = make_ticket(customer)
    with pytest.raises(DomainError) as refused:
        properties.update(ticket, {"status": status("closed")}, actor=customer)
    assert refused.value.field == "status" and ticket.status.key == "new"
