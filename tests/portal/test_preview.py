"""Writing messages in the portal: the live Markdown preview, the new-ticket form's contract,
and what the reply form and the follow-up ticket tell the customer."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from shared.core.clock import frozen_at
from shared.models import Entry, Ticket, utcnow
from shared.tickets import properties, rules
from shared.tickets.conversation import BODY_MAX

HTMX = {"HX-Request": "true"}


def preview(client, body: str, headers=HTMX):
    return client.post("/portal/preview", data={"body": body}, headers=headers)


def test_the_preview_renders_markdown_as_a_fragment(client, customer, login_as):
    login_as(customer)
    response = preview(client, "It **fails** on `export`:\n\n- step one\n- step two")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>fails</strong>" in html and "<code>export</code>" in html and "<li>step one</li>" in html
    assert html.lstrip().startswith('<div class="preview" id="body-preview">')
    assert "<html" not in html and "<body" not in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click me](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">hi</a>',
    ],
)
def test_nothing_typed_comes_back_executable(client, customer, login_as, typed):
    login_as(customer)
    html = preview(client, f"Hello\n\n{typed}").get_data(as_text=True)
    tags = Tags()
    tags.feed(html)
    assert {"script", "img", "a", "iframe"}.isdisjoint(name for name, _ in tags.found)
    assert not [(name, key) for name, attrs in tags.found for key, value in attrs if key.startswith("on")]
    assert not [value for _, attrs in tags.found for _, value in attrs if "javascript:" in (value or "")]
    if typed.startswith("<script"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, as it will be on the ticket


class Tags(HTMLParser):
    """Every start tag in a piece of HTML, with its attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, attrs))


def test_an_empty_body_shows_where_the_preview_will_appear(client, customer, login_as):
    login_as(customer)
    html = preview(client, "   ").get_data(as_text=True)
    assert 'class="preview preview--empty"' in html and "Your message appears here" in html


def test_a_body_over_the_limit_is_not_rendered(client, customer, login_as):
    login_as(customer)
    response = preview(client, "**x**" * (BODY_MAX // 5 + 1))
    html = response.get_data(as_text=True)
    assert response.status_code == 422  # htmx swaps 422, so the customer sees why
    assert "Too long to preview" in html and "<strong>" not in html


def test_a_body_past_the_form_memory_limit_gets_the_same_answer(client, customer, login_as):
    login_as(customer)
    response = preview(client, "ж" * 400_000)  # ~2.4 MB url-encoded: past what Werkzeug keeps in memory
    assert response.status_code == 422 and "Too long to preview" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [{}, {"HX-Request": "true", "HX-Boosted": "true"}, {"HX-Request": "true", "HX-History-Restore-Request": "true"}],
    ids=["plain", "boosted", "history-restore"],
)
def test_only_htmx_fragment_requests_get_a_preview(client, customer, login_as, headers):
    login_as(customer)
    response = preview(client, "**bold**", headers=headers)
    assert response.status_code == 400
    assert "<strong>bold</strong>" not in response.get_data(as_text=True)


def test_the_preview_stores_nothing(client, customer, login_as, make_ticket, db):
    ticket = make_ticket(customer)
    login_as(customer)
    preview(client, "not a reply")
    assert db.session.query(Entry).count() == 1 and db.session.query(Ticket).count() == 1
    assert [e.body for e in ticket.entries] == ["Smoke everywhere."]


def test_logged_out_htmx_requests_are_sent_to_the_login_page(client):
    response = preview(client, "**bold**")
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/portal/login")


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_preview_needs_the_token_htmx_sends_from_the_body(self, client, customer):
        page = client.get("/portal/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        login = {"email": customer.email, "password": "correct horse battery", "csrf_token": token}
        assert client.post("/portal/login", data=login).status_code == 303
        assert preview(client, "**bold**").status_code == 400
        page = client.get("/portal/tickets/new").get_data(as_text=True)
        header_token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)
        response = preview(client, "**bold**", headers={**HTMX, "X-CSRFToken": header_token})
        assert response.status_code == 200 and "<strong>bold</strong>" in response.get_data(as_text=True)


# The forms that carry the preview ---------------------------------------------------------


def test_the_new_ticket_form_keeps_its_field_names_and_offers_the_preview(client, customer, login_as):
    login_as(customer)
    page = client.get("/portal/tickets/new").get_data(as_text=True)
    for value in ("question", "feature", "bug"):
        assert re.search(rf'<input[^>]+type="radio" name="type"[^>]+value="{value}"', page)
    assert 'value="question" checked' in page
    for name in ("department", "product"):
        assert f'<select class="field__input" id="{name}" name="{name}"' in page
    assert "— None —" in page
    assert 'name="subject"' in page and 'name="attachments"' in page and "multiple" in page
    assert re.search(r'<textarea[^>]+hx-post="/portal/preview"[^>]+name="body"', page)
    assert 'hx-trigger="input changed delay:400ms"' in page and 'hx-target="#body-preview"' in page
    assert 'id="body-preview"' in page
    assert "20 MB each" in page


def test_a_ticket_filed_as_a_feature_request_keeps_its_type(client, customer, login_as, db):
    login_as(customer)
    data = {"type": "feature", "department": 1, "product": 0, "subject": "Dark mode", "body": "Please."}
    assert client.post("/portal/tickets/new", data=data).status_code == 303
    assert db.session.query(Ticket).one().type == "feature"


def test_the_reply_form_offers_the_preview(client, customer, login_as, make_ticket):
    ticket = make_ticket(customer)
    login_as(customer)
    page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]+hx-post="/portal/preview"[^>]+name="body"', page)
    assert 'id="body-preview"' in page and 'id="reply-outcome"' not in page


def close(ticket, agent, *, days_ago: int, db) -> None:
    with frozen_at(utcnow() - timedelta(days=days_ago)):
        properties.change_status(ticket, rules.status_by_key("closed"), actor=agent)
    db.session.commit()


def test_a_recently_closed_ticket_says_a_reply_reopens_it(client, customer, agent, login_as, make_ticket, db):
    ticket = make_ticket(customer)
    close(ticket, agent, days_ago=3, db=db)
    login_as(customer)
    page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert "Your reply reopens it" in page and "starts a new ticket" not in page


def test_a_ticket_closed_long_ago_says_a_reply_starts_a_new_one_and_the_new_one_says_so(
    client, customer, agent, login_as, make_ticket, db
):
    ticket = make_ticket(customer, subject="Printer on fire")
    close(ticket, agent, days_ago=45, db=db)
    login_as(customer)
    page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    assert "Your reply starts a new ticket that continues this one" in page

    response = client.post(f"/portal/tickets/{ticket.number}/reply", data={"body": "It is on fire again."})
    assert response.status_code == 303
    new_number = ticket.number + 1
    assert re.search(rf"/portal/tickets/{new_number}#e\d+$", response.headers["Location"])
    page = client.get(f"/portal/tickets/{new_number}").get_data(as_text=True)
    assert f"This continues your earlier request #{ticket.number}." in page
    assert f"so your message opened this new ticket, #{new_number}." in page
    assert "It is on fire again." in page and "Printer on fire" in page
    # The flash is said once; the link back stays on the page.
    page = client.get(f"/portal/tickets/{new_number}").get_data(as_text=True)
    assert "This continues your earlier request" not in page
    assert f'href="/portal/tickets/{ticket.number}"' in page


def test_the_portal_offers_no_status_priority_or_assignee_controls(client, customer, agent, login_as, make_ticket):
    ticket = make_ticket(customer)
    login_as(customer)
    for path in ("/portal/tickets/new", f"/portal/tickets/{ticket.number}"):
        page = client.get(path).get_data(as_text=True)
        for name in ("status", "priority", "assignee", "visibility"):
            assert f'name="{name}"' not in page
