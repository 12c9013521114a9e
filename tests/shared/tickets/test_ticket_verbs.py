"""The side panel's verbs for what a ticket is about: department, product and type. Each change is a
history event; the same value again is a no-op; retired departments and products are refused."""

import pytest

from shared.core.errors import DomainError
from shared.models import Entry, Ticket
from shared.records import catalog, history
from shared.tickets import conversation, properties


def events(ticket: Ticket) -> list[tuple[str, dict]]:
    return [(e.event, e.data) for e in ticket.entries if e.is_event]


@pytest.fixture
def ticket(customer, make_ticket) -> Ticket:
    return make_ticket(customer)


@pytest.fixture
def hardware(db, admin_agent):
    department = catalog.create_department("Hardware", actor=admin_agent)
    db.session.commit()
    return department


@pytest.fixture
def admin_agent(make_agent):
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


@pytest.fixture
def reader(db, admin_agent, hardware):
    product = catalog.create_product("Card reader", department=hardware, actor=admin_agent)
    db.session.commit()
    return product


def test_moving_a_ticket_to_another_department_is_an_internal_event(db, ticket, agent, department, hardware):
    properties.change_department(ticket, hardware, actor=agent)
    db.session.commit()
    assert ticket.department is hardware
    assert events(ticket) == [("department", {"from": department.id, "to": hardware.id})]
    event = ticket.entries[-1]
    assert (event.agent, event.is_public, event.author_kind) == (agent, False, "agent")
    assert ticket.last_public_by == "customer"  # the customer sees nothing of it


def test_the_same_department_again_changes_nothing(db, ticket, agent, department):
    updated = ticket.updated_at
    properties.change_department(ticket, department, actor=agent)
    db.session.commit()
    assert events(ticket) == [] and ticket.updated_at == updated


def test_a_retired_department_is_refused_but_a_ticket_may_keep_one(db, ticket, agent, admin_agent, hardware):
    properties.change_department(ticket, hardware, actor=agent)
    catalog.set_department_active(hardware, False, actor=admin_agent)
    db.session.commit()
    properties.change_department(ticket, hardware, actor=agent)  # unchanged: fine, retired or not
    other = catalog.create_department("Sales", actor=admin_agent)
    catalog.set_department_active(other, False, actor=admin_agent)
    with pytest.raises(DomainError) as refused:
        properties.change_department(ticket, other, actor=agent)
    assert refused.value.field == "department"
    assert ticket.department is hardware and len(events(ticket)) == 1


def test_setting_and_clearing_the_product(db, ticket, agent, reader):
    properties.change_product(ticket, reader, actor=agent)
    properties.change_product(ticket, reader, actor=agent)  # a no-op
    properties.change_product(ticket, None, actor=agent)
    properties.change_product(ticket, None, actor=agent)  # a no-op
    db.session.commit()
    assert ticket.product is None
    assert events(ticket) == [
        ("product", {"from": None, "to": reader.id}),
        ("product", {"from": reader.id, "to": None}),
    ]


def test_a_retired_product_is_refused_unless_the_ticket_already_has_it(db, ticket, agent, admin_agent, reader):
    properties.change_product(ticket, reader, actor=agent)
    catalog.set_product_active(reader, False, actor=admin_agent)
    db.session.commit()
    properties.change_product(ticket, reader, actor=agent)
    properties.change_product(ticket, None, actor=agent)
    with pytest.raises(DomainError) as refused:
        properties.change_product(ticket, reader, actor=agent)
    assert refused.value.field == "product" and ticket.product is None


def test_changing_the_type(db, ticket, agent):
    properties.change_type(ticket, "bug", actor=agent)
    properties.change_type(ticket, "bug", actor=agent)
    db.session.commit()
    assert ticket.type == "bug"
    assert events(ticket) == [("type", {"from": "question", "to": "bug"})]
    with pytest.raises(DomainError) as refused:
        properties.change_type(ticket, "complaint", actor=agent)
    assert refused.value.field == "type" and ticket.type == "bug"


@pytest.mark.parametrize(
    "change",
    [
        lambda t, who: properties.change_department(t, t.department, actor=who),
        lambda t, who: properties.change_product(t, None, actor=who),
        lambda t, who: properties.change_type(t, "bug", actor=who),
    ],
    ids=["department", "product", "type"],
)
def test_customers_and_deactivated_agents_cannot_change_them(db, ticket, customer, make_agent, change):
    gone = make_agent(name="Gone Agent")
    gone.is_active = False
    for actor in (customer, gone, None):
        with pytest.raises(DomainError):
            change(ticket, actor)
    assert events(ticket) == []


def test_none_of_them_touches_the_status(db, ticket, agent, hardware, reader):
    before = ticket.status
    properties.change_department(ticket, hardware, actor=agent)
    properties.change_product(ticket, reader, actor=agent)
    properties.change_type(ticket, "feature", actor=agent)
    db.session.commit()
    assert ticket.status is before
    assert [name for name, _ in events(ticket)] == ["department", "product", "type"]


def test_the_history_reads_in_order_and_from_a_point(db, ticket, agent):
    first = history.last_entry_id(ticket)
    conversation.add_internal_note(ticket, actor=agent, body="Looking.")
    properties.change_type(ticket, "bug", actor=agent)
    db.session.commit()
    assert [e.id for e in history.entries(ticket)] == sorted(e.id for e in db.session.query(Entry))
    added = history.entries(ticket, after=first)
    assert [(e.kind, e.event) for e in added] == [("message", None), ("event", "type")]
    assert history.last_entry_id(ticket) == added[-1].id
