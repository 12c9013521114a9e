"""The search page over HTTP: a full page or the results partial, straight to a ticket by number,
filters in the address, and no failure whatever is typed."""

import pytest

from shared.records import catalog
from shared.search import query
from shared.tickets import conversation
from tests.logins import enter_session

HX = {"HX-Request": "true"}


@pytest.fixture
def searching(client, login_as, agent, customer, make_ticket):
    ticket = make_ticket(customer, subject="Invoice missing", body="Where is my <script>alert(1)</script> invoice?")
    login_as(agent)
    return ticket


def test_a_full_page_with_the_words_in_the_header_box_and_escaped_marked_results(client, searching):
    response = client.get("/console/search?q=invoice")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert 'id="console-search-q"' in html and 'value="invoice"' in html and 'form="search-filters"' in html
    assert "Results for “invoice”" in html and "1 ticket" in html
    assert '<a class="result__subject" href="/console/tickets/1001"><mark>Invoice</mark> missing</a>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>invoice</mark>" in html
    assert "<script>alert" not in html


def test_htmx_gets_the_results_alone_and_a_clean_address_to_push(client, searching):
    response = client.get("/console/search?q=invoice&status=&assignee=&department=&dated=updated&since=", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.split("</title>", 1)[1].lstrip().startswith('<div id="search"')
    assert response.headers["HX-Push-Url"] == "/console/search?q=invoice"
    assert "HX-Request" in response.headers["Vary"]


def test_the_header_box_is_on_every_console_page_and_only_there(client, searching, customer, login_as):
    for path in ("/console/", "/console/tickets/1001", "/console/time"):
        html = client.get(path).get_data(as_text=True)
        assert 'action="/console/search"' in html and 'id="console-search-q"' in html
        assert 'form="search-filters"' not in html  # elsewhere it is a plain form to the search page
    client.post("/console/logout")
    login_as(customer)
    assert "console-search-q" not in client.get("/portal/tickets").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["1001", "#1001", " #1001 "])
def test_a_number_sent_alone_goes_straight_to_the_ticket(client, searching, typed):
    response = client.get("/console/search", query_string={"q": typed})
    assert response.status_code == 303 and response.headers["Location"] == "/console/tickets/1001"


def test_while_typing_a_number_is_offered_not_followed(client, searching):
    response = client.get("/console/search?q=1001", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<a href="/console/tickets/1001"><strong>Go to #1001</strong>' in html


def test_a_number_with_no_ticket_is_searched_as_text(client, searching, make_ticket, customer):
    quoted = make_ticket(customer, subject="Order 99999 lost", body="x")
    response = client.get("/console/search?q=99999")
    assert response.status_code == 200
    assert f"/console/tickets/{quoted.number}" in response.get_data(as_text=True)


def test_another_departments_ticket_is_found_and_opened_by_any_agent(client, searching, agent, customer, db):
    billing = catalog.create_department("Billing", actor=agent)
    theirs = conversation.open_ticket(
        actor=customer, customer=customer, department=billing, subject="Tax form", body="x"
    )
    db.session.commit()
    assert f"/console/tickets/{theirs.number}" in client.get("/console/search?q=tax").get_data(as_text=True)
    response = client.get(f"/console/search?q=%23{theirs.number}")
    assert response.headers["Location"] == f"/console/tickets/{theirs.number}"
    page = client.get(f"/console/search?q=form&department={billing.id}").get_data(as_text=True)
    assert f"/console/tickets/{theirs.number}" in page and "/console/tickets/1001" not in page


ODD_QUERIES = [
    "",
    "   ",
    '"',
    '"AND(',
    "*",
    "invoi*",
    "(((",
    ")",
    "NEAR(a b)",
    "a OR NOT b",
    "subject:x",
    "-",
    "'; DROP TABLE tickets; --",
    "%",
    "\\",
    "#",
    "#abc",
    "0",
    "#99999999999",
    "🙂",
    "x" * 300,
]


@pytest.mark.parametrize("typed", ODD_QUERIES)
def test_nothing_typed_fails_the_page(client, searching, typed):
    for headers in ({}, HX):
        response = client.get("/console/search", query_string={"q": typed}, headers=headers)
        assert response.status_code in (200, 422), response.get_data(as_text=True)[:500]


def test_a_nul_no_keyboard_types_is_refused_with_a_reason(client, searching):
    """Only a crafted request carries one (PostgreSQL cannot compare text holding it): a 400 that says why."""
    for headers in ({}, HX):
        response = client.get("/console/search", query_string={"q": "a\x00b"}, headers=headers)
        assert response.status_code == 400
        assert "holds a NUL character" in response.get_data(as_text=True)


def test_empty_and_too_long_say_what_to_do(client, searching):
    assert "Search every ticket" in client.get("/console/search").get_data(as_text=True)
    assert "Type a word to search for" in client.get("/console/search?q=%22%28%29").get_data(as_text=True)
    long = client.get("/console/search", query_string={"q": "x" * 201})
    assert long.status_code == 422 and "Keep the search to 200 characters." in long.get_data(as_text=True)
    none = client.get("/console/search?q=zzzqqq").get_data(as_text=True)
    assert "No ticket matches “zzzqqq”" in none


@pytest.mark.parametrize(
    "args",
    [
        "status=nope",
        "assignee=999",
        "department=1%3B%20DROP",
        "since=2026-13-45",
        "until=yesterday",
        "dated=sideways",
        "page=-3",
        "page=abc",
        "page=99999999999999999999",
    ],
)
def test_bad_filters_are_switched_off_not_failed(client, searching, args):
    response = client.get(f"/console/search?q=invoice&{args}")
    assert response.status_code == 200
    assert "/console/tickets/1001" in response.get_data(as_text=True)


def test_filters_and_pages_keep_their_address(client, searching, customer, make_ticket, app):
    for n in range(25):
        make_ticket(customer, subject=f"Invoice copy {n}", body="x")
    page = client.get("/console/search?q=invoice&status=open").get_data(as_text=True)
    assert "26 tickets" in page and "Page 1 of 2" in page
    assert 'href="/console/search?q=invoice&amp;status=open&amp;page=2"' in page
    second = client.get("/console/search?q=invoice&status=open&page=2", headers=HX)
    assert second.headers["HX-Push-Url"] == "/console/search?q=invoice&status=open&page=2"
    assert second.get_data(as_text=True).count('class="result"') == 6
    closed = client.get("/console/search?q=invoice&status=closed").get_data(as_text=True)
    assert "No ticket matches" in closed


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_searching_is_a_get_that_needs_no_token(self, client, agent, customer, make_ticket):
        make_ticket(customer, subject="Toner empty")
        enter_session(client, agent)
        response = client.get("/console/search?q=toner")
        assert response.status_code == 200 and "/console/tickets/1001" in response.get_data(as_text=True)
        assert client.get("/console/search?q=toner", headers=HX).status_code == 200


def test_past_the_cap_the_page_says_which_tickets_are_listed(client, searching, customer, make_ticket, monkeypatch):
    make_ticket(customer, subject="Printer", body="The invoice is attached.")
    in_subject = make_ticket(customer, subject="Invoice copy", body="x")
    newest = make_ticket(customer, subject="Scanner", body="The invoice again.")
    monkeypatch.setattr(query, "COUNT_CAP", 2)
    html = client.get("/console/search?q=invoice").get_data(as_text=True)
    assert "2+ tickets" in html and "the newest 2 are listed, those with the words in the subject first" in html
    listed = [f"/console/tickets/{number}" for number in (in_subject.number, newest.number)]
    assert html.index(listed[0]) < html.index(listed[1]) and "/console/tickets/1001" not in html
    assert "So many tickets match" not in client.get("/console/search?q=scanner").get_data(as_text=True)
