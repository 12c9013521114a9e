"""Time spent over HTTP: minutes sent with a reply, the ticket's total, the report and its CSV."""

import csv
import io

import pytest

from shared.models import Entry, TimeSpent
from shared.tickets import time_tracking
from tests.logins import enter_session


def _reply(client, ticket, minutes, **headers):
    data = {"visibility": "internal", "body": "Looked into it", "minutes": minutes}
    return client.post(f"/console/tickets/{ticket.number}/reply", data=data, headers=headers)


def test_a_reply_with_minutes_logs_them_with_its_entry(client, login_as, agent, customer, make_ticket, db):
    ticket = make_ticket(customer)
    login_as(agent)
    assert _reply(client, ticket, "25").status_code == 303
    logged = db.session.scalars(db.select(TimeSpent)).one()
    note = db.session.scalars(db.select(Entry).order_by(Entry.id.desc())).first()
    assert (logged.minutes, logged.agent_id, logged.entry_id) == (25, agent.id, note.id)
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert 'id="ticket-time"' in page and "25 min" in page

    fragment = _reply(client, ticket, "5", **{"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="ticket-time" hx-swap-oob="true"' in fragment and "30 min" in fragment
    assert _reply(client, ticket, "").status_code == 303  # no minutes: nothing logged
    assert time_tracking.ticket_total(ticket) == 30


@pytest.mark.parametrize(("typed", "message"), [("abc", "Not a valid integer value."), ("2000", "between 1 and 1440")])
def test_invalid_minutes_send_nothing_and_keep_the_typed_text(
    client, login_as, agent, customer, make_ticket, db, typed, message
):
    ticket = make_ticket(customer)
    login_as(agent)
    response = _reply(client, ticket, typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and f'value="{typed}"' in page and 'id="reply-minutes-error"' in page
    assert "Looked into it" in page  # the message is kept too
    assert len(ticket.entries) == 1 and db.session.scalars(db.select(TimeSpent)).all() == []


def test_the_report_shows_totals_and_downloads_them_as_csv(client, login_as, agent, make_customer, make_ticket, db):
    ticket = make_ticket(make_customer("ann@acme.example", name="Ann", organization="Acme"))
    time_tracking.log(ticket, agent, 42)
    db.session.commit()
    login_as(agent)
    assert 'href="/console/time"' in client.get("/console/").get_data(as_text=True)
    page = client.get("/console/time").get_data(as_text=True)
    assert "Bob Baker" in page and "Acme" in page and "42 minutes in total" in page

    response = client.get("/console/time.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="time-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["Group", "Name", "Minutes"],
        ["Agent", "Bob Baker", "42"],
        ["Customer", "Ann", "42"],
        ["Organization", "Acme", "42"],
    ]
    empty = client.get("/console/time", query_string={"start": "2001-01-01", "end": "2001-01-31"})
    assert "No time logged in these days." in empty.get_data(as_text=True)
    backwards = client.get("/console/time", query_string={"start": "2026-12-02", "end": "2026-12-01"})
    assert backwards.status_code == 422 and "The end date is before the start date." in backwards.get_data(as_text=True)


def test_customers_do_not_reach_the_report(client, login_as, customer):
    login_as(customer)
    assert client.get("/console/time").status_code in (302, 303, 403, 404)
    assert client.get("/console/time.csv").status_code in (302, 303, 403, 404)


class TestWithCsrf:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"WTF_CSRF_ENABLED": True}

    def test_minutes_without_the_token_are_refused(self, client, agent, customer, make_ticket, db):
        ticket = make_ticket(customer)
        enter_session(client, agent)
        assert _reply(client, ticket, "10").status_code in (400, 422)
        assert db.session.scalars(db.select(TimeSpent)).all() == []
