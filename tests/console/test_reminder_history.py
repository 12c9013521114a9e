"""The reminder before rule 7 as people see it: a one-line event for agents, a system note for the customer."""

import html

from shared.tickets import reminders
from tests.shared.tickets.rulekit import at, waiting_ticket

LINE = "Reminder mailed to the customer: closes in 2 days without a reply"
NOTE = "If we do not hear from you within 2 days, we will close this request."


def reminded_ticket(make_ticket, customer, agent, db):
    ticket = waiting_ticket(make_ticket, customer, agent)
    with at(5):
        assert reminders.remind_pending() == 1
        db.session.commit()
    return ticket


def test_agents_see_the_reminder_event_and_the_note(client, login_as, agent, customer, make_ticket, db):
    ticket = reminded_ticket(make_ticket, customer, agent, db)
    login_as(agent)

    page = html.unescape(client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True))

    assert LINE in page
    assert NOTE in page


def test_the_customer_sees_the_note_but_not_the_internal_event(client, login_as, agent, customer, make_ticket, db):
    ticket = reminded_ticket(make_ticket, customer, agent, db)
    login_as(customer)

    page = html.unescape(client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True))

    assert NOTE in page
    assert "Reminder mailed" not in page
