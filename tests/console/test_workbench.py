"""The ticket workbench over HTTP: each action as a plain post (303, then the page) and as htmx (the
changed region plus out-of-band updates), errors that keep what was typed, the side panel's partial
posts, a deactivated assignee who stays, CSRF, and what never leaks to the portal."""

import re
from io import BytesIO

import pytest
from sqlalchemy import event

from shared.models import Entry, Status
from shared.records import catalog
from shared.tickets import agents, assignment, conversation, properties, rules
from shared.tickets.attachments import Upload

HTMX = {"HX-Request": "true"}


def status_id(db, key: str) -> int:
    return db.session.query(Status).filter_by(key=key).one().id


def history_keys(ticket) -> list[str]:
    return [e.event or f"{e.visibility} message" for e in ticket.entries]


def oob(html: str, element_id: str) -> str:
    """The out-of-band element with that id in an htmx answer (its whole markup), or ""."""
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*hx-swap-oob="[^"]+"[^>]*>.*?</\1>', html, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def ticket(customer, make_ticket):
    return make_ticket(customer, subject="Card reader offline", body="It blinks red.")


@pytest.fixture
def hardware(db, agent):
    department = catalog.create_department("Hardware", actor=agent)
    db.session.commit()
    return department


@pytest.fixture
def as_agent(login_as, agent):
    return login_as(agent)


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_notes_and_events_apart_from_public_replies(client, as_agent, agent, ticket, db):
    conversation.add_internal_note(ticket, actor=agent, body="Known **firmware** issue.")
    conversation.post_reply(ticket, actor=agent, body="Please update the firmware.")
    db.session.commit()
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    note = re.search(r'<li class="message message--agent message--note".*?</li>', page, re.S).group(0)
    assert "Internal note" in note and "icon--lock" in note and "<strong>firmware</strong>" in note
    assert ">BB<" in note and "Bob Baker" in note  # initials and name
    reply = re.search(r'<li class="message message--agent" .*?</li>', page, re.S).group(0)
    assert "Please update the firmware." in reply and "Internal note" not in reply
    assert re.search(r'<li class="event event--status"[^>]*>.*?Status: New → Waiting on customer', page, re.S)
    # Time order: the customer's message, the note, the reply, the status event.
    order = [page.index(text) for text in ("It blinks red.", "Known", "Please update", "Status: New → Waiting")]
    assert order == sorted(order)


def test_the_side_panel_shows_the_customer_their_organization_and_other_tickets(
    client, as_agent, agent, make_customer, make_ticket, db
):
    customer = make_customer("jo@dental.example", name="Jo Whit", organization="Harbour Dental")
    older = [make_ticket(customer, subject=f"Older question {i}") for i in range(6)]
    ticket = make_ticket(customer, subject="Current one")
    properties.change_status(older[-1], rules.status_by_key("closed"), actor=agent)
    db.session.commit()
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    side = page[page.index('class="workbench__side"') :]
    assert "Jo Whit" in side and "jo@dental.example" in side and "Harbour Dental" in side
    assert 'href="/console/organizations' not in side  # the organization's name, not a link
    listed = re.findall(r'href="/console/tickets/(\d+)"><span class="other-tickets__number">', side)
    assert listed == [str(t.number) for t in reversed(older[1:])]  # the five most recent, newest first
    assert 'Other tickets <span class="count">6</span>' in side and "and 1 older one" in side
    assert str(ticket.number) not in listed
    assert re.search(
        rf'#{older[-1].number}</span> Older question 5</a>\s*<span class="pill pill--closed">Closed</span>', side
    )


def test_an_internal_task_says_it_has_no_customer(client, as_agent, agent, department, db):
    task = conversation.open_ticket(
        actor=agent, customer=None, subject="Renew TLS", body="Expires soon.", department=department
    )
    db.session.commit()
    page = client.get(f"/console/tickets/{task.number}").get_data(as_text=True)
    assert "Internal task: no customer sees it." in page


def test_the_page_reads_the_history_in_a_fixed_number_of_queries(
    client, as_agent, agent, make_agent, customer, ticket, db
):
    """Authors and files are loaded for the whole history at once, not once per entry."""

    def queries_for_page() -> int:
        statements = []

        def count(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/console/tickets/{ticket.number}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    conversation.add_internal_note(ticket, actor=agent, body="First look.", uploads=[Upload("a.txt", b"a")])
    db.session.commit()
    few = queries_for_page()
    for i in range(8):
        conversation.add_internal_note(ticket, actor=make_agent(name=f"Agent {i}"), body=f"Note {i}")
        conversation.post_reply(ticket, actor=customer, body=f"Reply {i}", uploads=[Upload(f"{i}.txt", b"i")])
    db.session.commit()
    assert queries_for_page() == few


def test_an_unknown_ticket_is_not_found(client, as_agent):
    assert client.get("/console/tickets/9999").status_code == 404
    assert client.post("/console/tickets/9999/reply", data={"body": "hi"}).status_code == 404
    assert client.post("/console/tickets/9999/properties", data={"props-priority": "high"}).status_code == 404
    assert client.get("/console/tickets/9999", headers=HTMX).status_code == 404


# --- The reply box ----------------------------------------------------------------------------


def test_a_plain_reply_redirects_to_the_new_entry(client, as_agent, ticket):
    response = client.post(f"/console/tickets/{ticket.number}/reply", data={"visibility": "public", "body": "Hi"})
    assert response.status_code == 303
    assert re.fullmatch(rf"/console/tickets/{ticket.number}#e\d+", response.headers["Location"])
    assert ticket.status.key == "waiting"


def test_an_htmx_reply_answers_a_fresh_box_and_updates_the_regions_it_touched(client, as_agent, ticket):
    response = client.post(
        f"/console/tickets/{ticket.number}/reply",
        data={"visibility": "public", "body": "Please **restart** it.", "status": 0},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<form class="card reply" id="reply"')  # the region itself, first
    box = html[: html.index("</form>")]
    assert re.search(r'<textarea[^>]*id="reply-body"[^>]*>\s*</textarea>', box)  # cleared
    assert re.search(r'<input checked[^>]*value="public"', box)
    assert "Waiting on customer" in oob(html, "ticket-status")
    props = oob(html, "ticket-props")
    assert re.search(r'<option selected value="\d+">Waiting on customer</option>', props)
    appended = oob(html, "history")
    assert 'hx-swap-oob="beforeend"' in appended
    assert "<strong>restart</strong>" in appended and "Status: New → Waiting on customer" in appended
    assert "It blinks red." not in appended  # only what this action added
    assert history_keys(ticket) == ["public message", "public message", "status"]


def test_after_an_internal_note_the_fresh_box_stays_a_note(client, as_agent, ticket, outbox):
    mails = len(outbox())
    response = client.post(
        f"/console/tickets/{ticket.number}/reply", data={"visibility": "internal", "body": "Hmm."}, headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<input checked[^>]*value="internal"', html[: html.index("</form>")])
    assert "message--note" in oob(html, "history") and "New" in oob(html, "ticket-status")
    assert (ticket.status.key, ticket.last_public_by, len(outbox())) == ("new", "customer", mails)


def test_a_reply_and_a_status_in_one_action_the_explicit_choice_wins(client, as_agent, ticket, db):
    data = {"visibility": "public", "body": "Filed it with the developers.", "status": status_id(db, "bug_filed")}
    html = client.post(f"/console/tickets/{ticket.number}/reply", data=data, headers=HTMX).get_data(as_text=True)
    assert ticket.status.key == "bug_filed"
    assert "Bug report filed" in oob(html, "ticket-status")
    status_events = [e for e in ticket.entries if e.event == "status"]
    assert [(e.data["to"], e.data["rule"]) for e in status_events] == [("bug_filed", None)]


def test_a_note_with_a_status_moves_the_ticket_as_the_agent_asked(client, as_agent, ticket, db):
    data = {"visibility": "internal", "body": "Duplicate of #1000.", "status": status_id(db, "closed")}
    assert client.post(f"/console/tickets/{ticket.number}/reply", data=data).status_code == 303
    assert ticket.status.key == "closed"
    assert history_keys(ticket) == ["public message", "internal message", "status"]


def test_an_empty_message_is_refused_next_to_the_field(client, as_agent, ticket):
    for headers in ({}, HTMX):
        response = client.post(
            f"/console/tickets/{ticket.number}/reply", data={"visibility": "public", "body": "  "}, headers=headers
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert '<p class="field__error" id="reply-body-error">Write a message or attach a file.</p>' in html
        assert ("<html" in html) is (headers == {})
    assert len(ticket.entries) == 1


class TestTooLargeFile:
    @pytest.fixture
    def app_config(self):
        return {"MAX_ATTACHMENT_MB": 1}

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
    def test_nothing_the_agent_typed_is_lost(self, client, as_agent, ticket, db, headers):
        data = {
            "visibility": "internal",
            "body": "See the **log**.",
            "status": status_id(db, "bug_filed"),
            "attachments": [(BytesIO(b"x" * (1024 * 1024 + 1)), "huge.log")],
        }
        response = client.post(
            f"/console/tickets/{ticket.number}/reply", data=data, headers=headers, content_type="multipart/form-data"
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "huge.log is larger than the 1 MB limit." in html and 'id="reply-attachments-error"' in html
        assert re.search(r'<textarea[^>]*id="reply-body"[^>]*>\s*See the \*\*log\*\*.</textarea>', html)
        assert re.search(r'<input checked[^>]*value="internal"', html)
        assert re.search(r'<option selected value="\d+">Bug report filed</option>', html)
        assert "<strong>log</strong>" in html  # the preview shows it too
        assert len(ticket.entries) == 1 and ticket.status.key == "new"


def test_the_preview_renders_markdown_for_htmx_only(client, as_agent):
    response = client.post("/console/preview", data={"body": "It **fails**"}, headers=HTMX)
    assert response.status_code == 200 and "<strong>fails</strong>" in response.get_data(as_text=True)
    assert client.post("/console/preview", data={"body": "x"}).status_code == 400


# --- The side panel -----------------------------------------------------------------------------


def test_one_select_from_htmx_changes_only_its_field(client, as_agent, agent, ticket, db):
    assignment.assign_ticket(ticket, agent, actor=agent)
    db.session.commit()
    response = client.post(
        f"/console/tickets/{ticket.number}/properties", data={"props-priority": "high"}, headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<form class="card props" id="ticket-props"')
    assert "hx-swap-oob" not in html[: html.index(">")]  # the region itself
    assert "Saved" in html[: html.index("</form>")]
    assert "Assigned" in oob(html, "ticket-status")
    assert "Priority: Normal → High" in oob(html, "history")
    assert (ticket.priority, ticket.assignee, ticket.status.key) == ("high", agent, "assigned")


def test_department_product_and_type_from_the_panel(client, as_agent, agent, ticket, hardware, db):
    reader = catalog.create_product("Card reader", department=hardware, actor=agent)
    db.session.commit()
    url = f"/console/tickets/{ticket.number}/properties"
    appended = ""
    for data in ({"props-department": hardware.id}, {"props-product": reader.id}, {"props-type": "bug"}):
        appended += oob(client.post(url, data=data, headers=HTMX).get_data(as_text=True), "history")
    assert "Department: General → Hardware" in appended
    assert "Product: — → Card reader" in appended
    assert "Type: Question → Bug report" in appended
    assert (ticket.department, ticket.product, ticket.type) == (hardware, reader, "bug")
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert "Department: General → Hardware" in page and "Type: Question → Bug report" in page


def full_panel(ticket, **changes) -> dict:
    data = {
        "props-status": ticket.status_id,
        "props-assignee": ticket.assignee_id or 0,
        "props-priority": ticket.priority,
        "props-department": ticket.department_id,
        "props-product": ticket.product_id or 0,
        "props-type": ticket.type,
    }
    return data | {f"props-{name}": value for name, value in changes.items()}


def test_the_save_button_posts_the_whole_panel_and_only_changes_make_events(client, as_agent, agent, ticket, db):
    data = full_panel(ticket, assignee=agent.id, priority="urgent", status=status_id(db, "bug_filed"))
    response = client.post(f"/console/tickets/{ticket.number}/properties", data=data)
    assert response.status_code == 303 and response.headers["Location"] == f"/console/tickets/{ticket.number}"
    # Assigned first (rule 2 moves it to Assigned), then the explicit status wins.
    assert history_keys(ticket) == ["public message", "assignment", "status", "status", "priority"]
    assert ticket.status.key == "bug_filed"
    before = len(ticket.entries)
    assert client.post(f"/console/tickets/{ticket.number}/properties", data=full_panel(ticket)).status_code == 303
    assert len(ticket.entries) == before  # nothing changed, nothing recorded


def test_a_choice_not_offered_is_shown_next_to_its_field(client, as_agent, ticket, hardware, agent, db):
    catalog.set_department_active(hardware, False, actor=agent)
    db.session.commit()
    url = f"/console/tickets/{ticket.number}/properties"
    fragment = client.post(url, data={"props-department": hardware.id}, headers=HTMX)
    page = client.post(url, data=full_panel(ticket, department=hardware.id))
    for response in (fragment, page):
        assert response.status_code == 422
        assert 'id="props-department-error"' in response.get_data(as_text=True)
    assert ticket.department.name == "General" and history_keys(ticket) == ["public message"]


def test_a_deactivated_assignee_stays_when_another_field_is_saved(client, login_as, agent, make_agent, ticket, db):
    colleague = make_agent("carol@desk.example", name="Carol Cole")
    assignment.assign_ticket(ticket, colleague, actor=agent)
    properties.change_status(ticket, rules.status_by_key("closed"), actor=agent)
    agents.deactivate_agent(colleague, actor=agent)  # closed tickets keep their assignee
    db.session.commit()
    login_as(agent)
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert f'<option selected value="{colleague.id}">Carol Cole (deactivated)</option>' in page

    url = f"/console/tickets/{ticket.number}/properties"
    assert client.post(url, data=full_panel(ticket, priority="high")).status_code == 303
    assert client.post(url, data={"props-type": "bug"}, headers=HTMX).status_code == 200
    assert (ticket.assignee, ticket.priority, ticket.type) == (colleague, "high", "bug")
    assert [e.data["to"] for e in ticket.entries if e.event == "assignment"] == [colleague.id]
    # Someone active can still take it over; the deactivated one cannot be picked again afterwards.
    assert client.post(url, data={"props-assignee": agent.id}, headers=HTMX).status_code == 200
    assert ticket.assignee == agent
    assert client.post(url, data={"props-assignee": colleague.id}, headers=HTMX).status_code == 422
    assert ticket.assignee == agent


def test_status_from_the_panel_goes_through_the_rules_engine(client, as_agent, ticket, db):
    data = {"props-status": status_id(db, "closed")}
    html = client.post(f"/console/tickets/{ticket.number}/properties", data=data, headers=HTMX).get_data(as_text=True)
    assert ticket.status.key == "closed" and ticket.closed_at is not None and ticket.last_public_by == "customer"
    assert "Closed" in oob(html, "ticket-status") and "Status: New → Closed" in oob(html, "history")


# --- Who sees what --------------------------------------------------------------------------------


def test_internal_notes_and_events_never_reach_the_portal(client, login_as, agent, customer, ticket, hardware, db):
    login_as(agent)
    client.post(f"/console/tickets/{ticket.number}/reply", data={"visibility": "internal", "body": "Secret plan"})
    client.post(f"/console/tickets/{ticket.number}/properties", data={"props-department": hardware.id}, headers=HTMX)
    client.post(f"/console/tickets/{ticket.number}/reply", data={"visibility": "public", "body": "Public answer"})
    client.post("/console/logout")
    login_as(customer)
    page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert "Public answer" in page
    assert "Secret plan" not in page and "Internal note" not in page
    assert "Department:" not in page and "Hardware" not in page
    assert db.session.query(Entry).filter_by(body="Secret plan").one().visibility == "internal"


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_every_workbench_action_needs_the_token_htmx_sends_from_the_body(self, client, agent, ticket):
        page = client.get("/console/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        login = {"email": agent.email, "password": "correct horse battery", "csrf_token": token}
        assert client.post("/console/login", data=login).status_code == 303
        page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
        header = {**HTMX, "X-CSRFToken": re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)}
        actions = [
            ("reply", {"visibility": "internal", "body": "Forged?"}),
            ("properties", {"props-priority": "urgent"}),
        ]
        for action, data in actions:
            url = f"/console/tickets/{ticket.number}/{action}"
            assert client.post(url, data=data, headers=HTMX).status_code == 400
            assert client.post(url, data=data).status_code == 400
        assert len(ticket.entries) == 1 and ticket.priority == "normal"
        assert client.post("/console/preview", data={"body": "**x**"}, headers=HTMX).status_code == 400
        for action, data in actions:
            assert (
                client.post(f"/console/tickets/{ticket.number}/{action}", data=data, headers=header).status_code == 200
            )
        assert client.post("/console/preview", data={"body": "**x**"}, headers=header).status_code == 200
        assert ticket.priority == "urgent" and history_keys(ticket)[-2:] == ["internal message", "priority"]
