"""The console's ticket page over HTTP: replies, notes and property changes go through the verbs."""

from shared.models import Status


def status_id(db, key: str) -> int:
    return db.session.query(Status).filter_by(key=key).one().id


def test_the_ticket_page_shows_everything_with_readable_events(client, login_as, agent, customer, make_ticket, db):
    ticket = make_ticket(customer, subject="Card reader offline")
    login_as(agent)
    client.post(f"/console/tickets/{ticket.number}/reply", data={"visibility": "internal", "body": "Check firmware"})
    client.post(
        f"/console/tickets/{ticket.number}/properties",
        data={"props-status": ticket.status_id, "props-assignee": agent.id, "props-priority": "high"},
    )
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert "Card reader offline" in page and "Check firmware" in page
    assert "Status: New → Assigned" in page and f"Assigned to {agent.display_name}" in page
    assert "Priority: Normal → High" in page


def test_a_public_reply_waits_on_the_customer_unless_the_agent_picks(
    client, login_as, agent, customer, make_ticket, db
):
    first, second = make_ticket(customer), make_ticket(customer)
    login_as(agent)
    client.post(
        f"/console/tickets/{first.number}/reply", data={"visibility": "public", "body": "Try this", "status": 0}
    )
    explicit = {"visibility": "public", "body": "Filed it", "status": status_id(db, "bug_filed")}
    client.post(f"/console/tickets/{second.number}/reply", data=explicit)
    assert (first.status.key, second.status.key) == ("waiting", "bug_filed")
    assert first.last_public_by == "agent"


def test_an_internal_note_changes_nothing_the_customer_sees(client, login_as, agent, customer, make_ticket, outbox):
    ticket = make_ticket(customer)
    mails_before = len(outbox())
    login_as(agent)
    response = client.post(f"/console/tickets/{ticket.number}/reply", data={"visibility": "internal", "body": "hm"})
    assert response.status_code == 303
    assert (ticket.status.key, ticket.last_public_by, len(outbox())) == ("new", "customer", mails_before)


def test_an_empty_reply_is_refused_with_a_message(client, login_as, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    login_as(agent)
    response = client.post(f"/console/tickets/{ticket.number}/reply", data={"visibility": "public", "body": " "})
    assert response.status_code == 422
    assert "Write a message or attach a file." in response.get_data(as_text=True)
    assert len(ticket.entries) == 1


def test_assigning_a_new_ticket_keeps_the_status_the_rule_set(client, login_as, agent, customer, make_ticket):
    """The side form sends every field; an untouched status must not undo rule 2."""
    ticket = make_ticket(customer)
    login_as(agent)
    data = {"props-status": ticket.status_id, "props-assignee": agent.id, "props-priority": "normal"}
    assert client.post(f"/console/tickets/{ticket.number}/properties", data=data).status_code == 303
    assert (ticket.assignee_id, ticket.status.key) == (agent.id, "assigned")


def test_an_agent_closes_a_ticket(client, login_as, agent, customer, make_ticket, db):
    ticket = make_ticket(customer)
    login_as(agent)
    data = {"props-status": status_id(db, "closed"), "props-assignee": 0, "props-priority": "normal"}
    client.post(f"/console/tickets/{ticket.number}/properties", data=data)
    assert ticket.status.key == "closed" and ticket.closed_at is not None
    assert ticket.last_public_by == "customer"  # closing wrote no message: the customer's is still the last


def test_the_queue_lists_open_work_and_answers_fragments_to_htmx(client, login_as, agent, customer, make_ticket):
    make_ticket(customer, subject="Receipt printer jams")
    login_as(agent)
    page = client.get("/console/?queue=needs_reply")
    fragment = client.get("/console/?queue=needs_reply", headers={"HX-Request": "true"})
    assert "Receipt printer jams" in page.get_data(as_text=True) and "<html" in page.get_data(as_text=True)
    assert "Receipt printer jams" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get("/console/?queue=nonsense").status_code == 404
