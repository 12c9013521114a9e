"""Filing a ticket from the console: for a customer found or added by address on the spot, with
the channel it came by and the usual acknowledgement, or an internal task with no customer."""

import io
import re

import pytest
from sqlalchemy import func, select

from shared.models import AuditEvent, Customer, Ticket
from tests.conftest import PASSWORD
from tests.routes import endpoints

URL = "/console/tickets/new"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form(**overrides) -> dict:
    data = {
        "requester": "customer",
        "customer_email": "new.caller@example.com",
        "customer_name": "Nora Caller",
        "channel": "phone",
        "department": 1,
        "type": "bug",
        "product": 0,
        "priority": "high",
        "assignee": 0,
        "subject": "Card reader rejects every card",
        "body": "She called: the reader says **declined** for every card since this morning.",
    }
    return {**data, **overrides}


def only_ticket(db) -> Ticket:
    [ticket] = db.session.scalars(select(Ticket)).all()
    return ticket


def customers_count(db) -> int:
    return db.session.scalar(select(func.count(Customer.id)))


@pytest.fixture
def colleague(make_agent):
    return make_agent("carol@desk.example", name="Carol Chen")


@pytest.fixture
def agent_in(client, agent, login_as):
    login_as(agent)
    return agent


def test_the_form_offers_every_choice(client, agent_in, colleague):
    response = client.get(URL)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("requester", "customer_email", "customer_name", "channel", "department", "type", "product"):
        assert f'name="{name}"' in page
    for name in ("priority", "assignee", "subject", "body", "attachments", "csrf_token"):
        assert f'name="{name}"' in page
    for channel in ("phone", "walk_in", "chat", "email"):
        assert f'value="{channel}"' in page
    assert "Carol Chen" in page and "Me (Bob Baker)" in page


def test_the_queue_page_links_to_the_form(client, agent_in):
    page = client.get("/console/").get_data(as_text=True)
    assert f'href="{URL}"' in page and "New ticket" in page


def test_a_call_from_a_new_customer_adds_them_and_queues_the_acknowledgement(client, agent_in, db, outbox):
    response = client.post(URL, data=form())
    assert response.status_code == 303
    assert response.headers["Location"] == "/console/tickets/1001"

    ticket = only_ticket(db)
    customer = ticket.customer
    assert (customer.email, customer.name, customer.password_hash) == ("new.caller@example.com", "Nora Caller", None)
    assert (ticket.channel, ticket.type, ticket.priority, ticket.status.key) == ("phone", "bug", "high", "new")
    [first] = ticket.entries
    assert first.author == agent_in and first.channel == "phone" and first.is_public
    [mail] = outbox()
    assert (mail.template, mail.to_addr, mail.ticket_id) == ("ticket_created", customer.email, ticket.id)
    assert "http://desk.test/portal/tickets/1001" in mail.body_text
    added = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer.created"))
    assert added is not None and added.actor == agent_in

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ticket #1001 is filed for Nora Caller." in page
    assert "<strong>declined</strong>" in page and "new.caller@example.com" in page and "Phone" in page


def test_a_known_customer_is_found_by_address_whatever_the_case(client, agent_in, customer, db, outbox):
    before = customers_count(db)
    response = client.post(URL, data=form(customer_email="  ALICE@Example.com ", customer_name="Somebody Else"))
    assert response.status_code == 303
    ticket = only_ticket(db)
    assert ticket.customer_id == customer.id
    assert customer.name == "Alice Archer"  # the typed name does not overwrite theirs
    assert customers_count(db) == before
    assert [(m.template, m.to_addr) for m in outbox()] == [("ticket_created", "alice@example.com")]


def test_a_typed_name_fills_in_a_known_customer_who_has_none(client, agent_in, make_customer, db):
    nameless = make_customer("wrote.once@example.com", name="", password=None)
    assert client.post(URL, data=form(customer_email=nameless.email, customer_name="Wes Once")).status_code == 303
    assert only_ticket(db).customer_id == nameless.id
    assert nameless.name == "Wes Once"


@pytest.mark.parametrize("channel", ["walk_in", "chat", "email"])
def test_the_channel_is_recorded(client, agent_in, db, channel):
    assert client.post(URL, data=form(channel=channel)).status_code == 303
    ticket = only_ticket(db)
    assert ticket.channel == channel and ticket.entries[0].channel == channel


def test_an_assignee_makes_the_ticket_assigned(client, agent_in, colleague, db):
    assert client.post(URL, data=form(assignee=colleague.id)).status_code == 303
    ticket = only_ticket(db)
    assert ticket.assignee_id == colleague.id and ticket.status.key == "assigned"
    assert [e.event for e in ticket.entries if e.is_event] == ["assignment", "status"]


def test_an_internal_task_has_no_customer_and_mails_only_colleagues(client, agent_in, colleague, db, outbox):
    before = customers_count(db)
    data = form(requester="internal", assignee=colleague.id, subject="Renew the TLS certificate", body="Due Friday.")
    data["channel"] = "chat"  # left over from the customer's part, which an internal task ignores
    response = client.post(URL, data=data)
    assert response.status_code == 303
    ticket = only_ticket(db)
    assert ticket.customer is None and ticket.channel == "agent"
    assert ticket.assignee_id == colleague.id and ticket.status.key == "assigned"
    assert customers_count(db) == before  # the typed address was not turned into a customer
    assert [(m.template, m.to_addr) for m in outbox()] == [("agent_new_ticket", colleague.email)]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Internal task #1001 is filed." in page and "Renew the TLS certificate" in page
    listing = client.get("/console/").get_data(as_text=True)
    assert "Renew the TLS certificate" in listing and "Internal task" in listing


def test_an_internal_task_needs_no_address(client, agent_in, db):
    data = form(requester="internal", customer_email="", customer_name="")
    assert client.post(URL, data=data).status_code == 303
    assert only_ticket(db).customer is None


def test_attachments_are_kept_on_the_first_message(client, agent_in, db):
    data = form(body="", attachments=[(io.BytesIO(PNG), "receipt.png")])
    response = client.post(URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    [attachment] = only_ticket(db).entries[0].attachments
    assert attachment.filename == "receipt.png"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"customer_email": ""}, "customer_email", "email address, or choose an internal task."),
        ({"customer_email": "not-an-address"}, "customer_email", "Enter a valid email address."),
        ({"subject": "   "}, "subject", "Give the ticket a subject."),
        ({"body": ""}, "body", "Write a message or attach a file."),
        ({"channel": "carrier-pigeon"}, "channel", "Not a valid choice"),
        ({"assignee": 999}, "assignee", "Not a valid choice"),
    ],
)
def test_errors_show_next_to_their_field_and_nothing_typed_is_lost(
    client, agent_in, db, outbox, overrides, field, message
):
    data = form(**overrides)
    response = client.post(URL, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="field__error" id="{field}-error">([^<]*)</p>', page)
    assert error is not None and message in error.group(1)
    for kept in ("Nora Caller", "She called: the reader says **declined**"):
        assert kept in page or field == "body"
    if field != "subject":
        assert 'value="Card reader rejects every card"' in page
    assert 'id="type"' in page and '<option selected value="bug">' in page
    assert db.session.scalars(select(Ticket)).all() == [] and outbox() == []
    assert customers_count(db) == 0


def test_a_deactivated_customer_cannot_be_filed_for(client, agent_in, customer, db):
    customer.is_active = False
    db.session.commit()
    response = client.post(URL, data=form(customer_email=customer.email))
    assert response.status_code == 422
    assert "Alice Archer is deactivated." in response.get_data(as_text=True)
    assert db.session.scalars(select(Ticket)).all() == []


def test_customers_and_the_logged_out_cannot_reach_it(client, customer, login_as, db):
    assert ("POST", URL) in endpoints("console") and ("GET", URL) in endpoints("console")
    for method in ("GET", "POST"):
        response = client.open(URL, method=method, data=form())
        assert response.status_code == 302 and response.headers["Location"].startswith("/console/login")
    login_as(customer)
    for method in ("GET", "POST"):
        response = client.open(URL, method=method, data=form())
        assert response.status_code == 302 and response.headers["Location"].startswith("/console/login")
    assert db.session.scalars(select(Ticket)).all() == []


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def logged_in(self, client, agent):
        token = self.token(client, "/console/login")
        client.post("/console/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token})
        return client

    def token(self, client, path: str) -> str:
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(path).get_data(True))[1]

    def test_a_post_without_the_token_is_refused_and_files_nothing(self, logged_in, db, outbox):
        response = logged_in.post(URL, data=form())
        assert response.status_code == 400
        assert db.session.scalars(select(Ticket)).all() == [] and outbox() == []

    def test_the_form_with_its_token_files_the_ticket(self, logged_in, db):
        response = logged_in.post(URL, data=form(csrf_token=self.token(logged_in, URL)))
        assert response.status_code == 303
        assert only_ticket(db).customer.email == "new.caller@example.com"
