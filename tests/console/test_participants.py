"""Who is in the conversation, on the console ticket page: agents add someone by address and remove
someone, as plain posts (303) and htmx swaps of the card; each change is in the history; hostile
values get a 4xx and change nothing."""

import pytest
from sqlalchemy import func, select

from shared.access import permissions
from shared.core.extensions import db
from shared.models import Customer, Entry, Ticket, TicketParticipant
from shared.tickets import conversation, participants
from tests.conftest import PASSWORD

HX = {"HX-Request": "true"}


@pytest.fixture
def ticket(customer, make_ticket) -> Ticket:
    return make_ticket(customer, subject="Invoices are printed blank")


def on(ticket: Ticket) -> list[str]:
    return [c.email for c in participants.customers_on(ticket)]


def state() -> tuple:
    """Everything an add or remove could change: who is on which ticket, the customers, the history."""
    rows = db.session.execute(select(TicketParticipant.id, TicketParticipant.removed_at).order_by(TicketParticipant.id))
    return (
        list(rows),
        db.session.scalar(select(func.count(Customer.id))),
        db.session.scalar(select(func.count(Entry.id))),
    )


def add(client, ticket: Ticket, email: str, headers=None):
    return client.post(f"/console/tickets/{ticket.number}/participants", data={"email": email}, headers=headers or {})


def remove(client, ticket: Ticket, value, headers=None):
    url = f"/console/tickets/{ticket.number}/participants/remove"
    return client.post(url, data={"participant": value}, headers=headers or {})


def test_without_javascript_adding_and_removing_redirect_to_the_card_and_write_history(client, login_as, agent, ticket):
    login_as(agent)
    response = add(client, ticket, "  Priya@Acme.example ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/console/tickets/{ticket.number}#ticket-participants"
    assert on(ticket) == ["priya@acme.example"]
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert "Added to the conversation: priya@acme.example" in page
    assert "priya@acme.example is in the conversation now and gets the public replies." in page  # the flash
    assert 'aria-label="Remove priya@acme.example from the conversation"' in page

    row = db.session.scalar(select(TicketParticipant))
    assert remove(client, ticket, row.id).status_code == 303
    assert on(ticket) == [] and row.removed_at is not None  # kept on record
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert "Removed from the conversation: priya@acme.example" in page
    [added, removed] = [e for e in ticket.entries if e.event in ("participants_added", "participant_removed")]
    assert added.author is agent and removed.author is agent and not added.is_public and not removed.is_public


def test_with_htmx_the_card_comes_back_with_the_events_and_an_announcement(client, login_as, agent, ticket):
    login_as(agent)
    response = add(client, ticket, "priya@acme.example", HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section class="card participants" id="ticket-participants"')
    assert 'hx-swap-oob="beforeend"' in html and "Added to the conversation: priya@acme.example" in html
    assert '<p id="live-status" hx-swap-oob="innerHTML">priya@acme.example is in the conversation now' in html
    assert 'id="participant-email"' in html and "data-focus" in html  # the field keeps the focus
    add(client, ticket, "carlos@partner.example", HX)

    first = db.session.scalars(select(TicketParticipant).order_by(TicketParticipant.id)).first()
    response = remove(client, ticket, first.id, HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "priya@acme.example is no longer in the conversation." in html
    # The focus moves to the remove button that took the removed one's place.
    assert 'title="Remove carlos@partner.example from the conversation" data-focus>' in html
    assert html.count("data-focus") == 1 and "data-focus>×</button>" in html
    assert on(ticket) == ["carlos@partner.example"]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "This field is required."),
        ("not-an-address", "Enter a valid email address."),
        ("priya@acme.example, eve@evil.example", "Enter a valid email address."),
        ("priya@acme.example,eve@evil.example", "Enter one email address, such as ann@example.com."),
        ("Priya <priya@acme.example>", "Enter a valid email address."),
        ('"x"@acme.example', "Enter one email address, such as ann@example.com."),
        ("a" * 250 + "@acme.example", "Field cannot be longer than 254 characters."),
        ("support@deskbell.localhost", "That is the desk's own address."),
        ("bob@desk.example", "That is an agent's address: agents follow tickets here, not by mail."),
        ("alice@example.com", "That is the ticket's customer."),
    ],
)
def test_a_bad_address_is_refused_beside_the_field_and_nothing_changes(client, login_as, agent, ticket, typed, said):
    login_as(agent)
    before = state()
    for headers in ({}, HX):
        response = add(client, ticket, typed, headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, html
        assert 'aria-invalid="true"' in html and said.replace("'", "&#39;") in html
        assert state() == before


def test_someone_already_in_the_conversation_is_refused(client, login_as, agent, ticket):
    login_as(agent)
    add(client, ticket, "priya@acme.example")
    before = state()
    response = add(client, ticket, "PRIYA@acme.example", HX)
    assert response.status_code == 422 and "is in the conversation already." in response.get_data(as_text=True)
    assert state() == before


def test_a_deactivated_customer_is_refused(client, login_as, agent, ticket, make_customer):
    gone = make_customer("gone@acme.example", name="Gone Away")
    gone.is_active = False
    db.session.commit()
    login_as(agent)
    before = state()
    response = add(client, ticket, "gone@acme.example", HX)
    assert response.status_code == 422 and "Gone Away is deactivated." in response.get_data(as_text=True)
    assert state() == before


@pytest.mark.parametrize("value", ["", "0", "-1", "abc", "1.5", "99999", "2147483648", "9" * 40, "١"])
def test_a_bogus_participant_id_is_404_and_changes_nothing(client, login_as, agent, ticket, value):
    login_as(agent)
    add(client, ticket, "priya@acme.example")
    before = state()
    for headers in ({}, HX):
        assert remove(client, ticket, value, headers).status_code == 404
    assert state() == before


def test_removing_a_participant_of_another_ticket_is_404_and_changes_nothing(
    client, login_as, agent, ticket, make_customer, make_ticket
):
    other = make_ticket(make_customer(), subject="Someone else's")
    participants.put_on(other, "carlos@partner.example", actor=None)
    db.session.commit()
    login_as(agent)
    row = db.session.scalar(select(TicketParticipant))
    before = state()
    for headers in ({}, HX):
        assert remove(client, ticket, row.id, headers).status_code == 404
    assert state() == before and on(other) == ["carlos@partner.example"]


def test_removing_someone_twice_is_404_the_second_time(client, login_as, agent, ticket):
    login_as(agent)
    add(client, ticket, "priya@acme.example")
    row = db.session.scalar(select(TicketParticipant))
    assert remove(client, ticket, row.id).status_code == 303
    before = state()
    assert remove(client, ticket, row.id, HX).status_code == 404
    assert state() == before


def test_an_unknown_ticket_is_404(client, login_as, agent, ticket):
    login_as(agent)
    before = state()
    assert add(client, ticket.__class__(number=99999), "priya@acme.example").status_code == 404
    assert client.post("/console/tickets/99999/participants/remove", data={"participant": 1}).status_code == 404
    assert state() == before


def test_an_internal_task_has_nobody_to_add(client, login_as, agent, department):
    task = conversation.open_ticket_by_agent(
        actor=agent, customer_email=None, subject="Order toner", body="Two boxes.", department=department
    )
    db.session.commit()
    login_as(agent)
    before = state()
    response = add(client, task, "priya@acme.example", HX)
    assert response.status_code == 422 and "An internal task has no conversation" in response.get_data(as_text=True)
    assert state() == before


def test_customers_and_strangers_cannot_reach_it(client, login_as, customer, ticket, app):
    participants.put_on(ticket, "priya@acme.example", actor=None)
    db.session.commit()
    row = db.session.scalar(select(TicketParticipant))
    before = state()
    assert add(client, ticket, "eve@evil.example").status_code in (302, 303)  # to the console's login
    assert remove(client, ticket, row.id).status_code in (302, 303)
    client.post("/portal/login", data={"email": customer.email, "password": PASSWORD})
    for response in (add(client, ticket, "eve@evil.example"), remove(client, ticket, row.id)):
        assert response.status_code in (302, 303, 403, 404)
    assert state() == before
    assert not permissions.can_manage_participants(customer, ticket)
