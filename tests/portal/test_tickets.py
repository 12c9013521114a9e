"""The portal over HTTP: filing, reading and replying, and what a customer can never reach."""

import io

import pytest

from shared.models import Ticket
from shared.tickets import conversation
from shared.tickets.attachments import Upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def new_ticket_form(**overrides):
    data = {"type": "bug", "department": 1, "product": 0, "subject": "Export fails", "body": "It **fails**."}
    return {**data, **overrides}


def test_filing_a_ticket_redirects_to_its_page_and_queues_the_acknowledgement(client, customer, login_as, outbox):
    login_as(customer)
    response = client.post("/portal/tickets/new", data=new_ticket_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/portal/tickets/1001")
    page = client.get("/portal/tickets/1001").get_data(as_text=True)
    assert "Export fails" in page and "<strong>fails</strong>" in page
    [mail] = outbox()
    assert mail.to_addr == customer.email and mail.subject.startswith("[#1001]")
    assert "http://desk.test/portal/tickets/1001" in mail.body_text


def test_errors_are_shown_next_to_the_fields_and_nothing_is_lost(client, customer, login_as, db):
    login_as(customer)
    response = client.post("/portal/tickets/new", data=new_ticket_form(subject=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="subject-error"' in page and "It **fails**." in page
    assert db.session.query(Ticket).count() == 0


class TestAttachmentLimit:
    @pytest.fixture
    def app_config(self):
        return {"MAX_ATTACHMENT_MB": 1}

    def test_a_too_large_file_is_refused_with_a_clear_message(self, client, customer, login_as, db):
        login_as(customer)
        big = (io.BytesIO(b"x" * (1024 * 1024 + 1)), "huge.log")
        response = client.post(
            "/portal/tickets/new", data=new_ticket_form(attachments=[big]), content_type="multipart/form-data"
        )
        assert response.status_code == 422
        assert "huge.log is larger than the 1 MB limit." in response.get_data(as_text=True)
        assert db.session.query(Ticket).count() == 0

    def test_a_request_over_the_total_limit_gets_a_friendly_page(self, client, customer, login_as):
        login_as(customer)
        response = client.post(
            "/portal/tickets/new",
            data=b"--x--",
            content_type="multipart/form-data; boundary=x",
            environ_overrides={"CONTENT_LENGTH": str(100 * 1024 * 1024)},
        )
        assert response.status_code == 413
        assert "Upload too large" in response.get_data(as_text=True)


@pytest.fixture
def two_customers(make_customer, make_ticket, db):
    alice, mallory = make_customer(name="Alice"), make_customer(name="Mallory")
    ticket = make_ticket(alice, subject="Alice's secret", uploads=[Upload("scan.png", PNG)])
    return alice, mallory, ticket


def test_another_customers_ticket_is_404_with_no_data(client, login_as, two_customers):
    _alice, mallory, ticket = two_customers
    login_as(mallory)
    for path in (
        f"/portal/tickets/{ticket.number}",
        f"/portal/tickets/{ticket.number}/attachments/{ticket.entries[0].attachments[0].id}",
        "/portal/tickets/99999",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "Alice" not in response.get_data(as_text=True)
    response = client.post(f"/portal/tickets/{ticket.number}/reply", data={"body": "let me in"})
    assert response.status_code == 404
    assert len(ticket.entries) == 1


def test_an_attachment_is_served_as_a_download_without_sniffing(client, login_as, two_customers):
    alice, _, ticket = two_customers
    login_as(alice)
    attachment = ticket.entries[0].attachments[0]
    url = f"/portal/tickets/{ticket.number}/attachments/{attachment.id}"
    with client.get(url) as download:
        assert download.status_code == 200 and download.data == PNG
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Disposition"].startswith("attachment;")
    with client.get(url + "?inline=1") as inline:
        assert inline.headers["Content-Type"] == "image/png"
        assert inline.headers["Content-Disposition"].startswith("inline;")


def test_an_attachment_id_from_another_ticket_is_404(client, login_as, two_customers, make_ticket):
    _alice, mallory, ticket = two_customers
    own = make_ticket(mallory, subject="Mallory's own")
    login_as(mallory)
    response = client.get(f"/portal/tickets/{own.number}/attachments/{ticket.entries[0].attachments[0].id}")
    assert response.status_code == 404


def test_internal_notes_and_their_files_never_reach_the_customer(client, login_as, customer, agent, make_ticket, db):
    ticket = make_ticket(customer)
    note = conversation.add_internal_note(
        ticket, actor=agent, body="Customer is on the cheap plan", uploads=[Upload("internal.png", PNG)]
    )
    db.session.commit()
    login_as(customer)
    page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert "cheap plan" not in page and "internal.png" not in page
    assert client.get(f"/portal/tickets/{ticket.number}/attachments/{note.attachments[0].id}").status_code == 404


def test_crafted_fields_cannot_change_status_priority_or_assignee(client, login_as, customer, agent, make_ticket, db):
    ticket = make_ticket(customer)
    before = (ticket.status_id, ticket.priority, ticket.assignee_id)
    login_as(customer)
    crafted = {"body": "Please hurry", "status": 6, "status_id": 6, "priority": "urgent", "assignee": agent.id}
    assert client.post(f"/portal/tickets/{ticket.number}/reply", data=crafted).status_code == 303
    client.post("/portal/tickets/new", data=new_ticket_form(priority="urgent", status=6, assignee=agent.id))
    db.session.refresh(ticket)
    assert (ticket.status_id, ticket.priority, ticket.assignee_id) == before
    filed = db.session.query(Ticket).filter_by(number=ticket.number + 1).one()
    assert (filed.priority, filed.assignee_id, filed.status.key) == ("normal", None, "new")
