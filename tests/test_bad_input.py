"""Bad input gets a clear 4xx and changes nothing, where people (or those posing as them) meet it:
ids past what the database holds, `next=` addresses, far-off dates, crafted numbers and NUL
characters. tests/test_hostile_input.py walks every route with such values; these pin the answers."""

import html

import pytest
from sqlalchemy import func, select

from shared.models import BusinessCalendar, Department, Holiday, SavedView, Ticket, TicketLink
from shared.sla import tracking
from tests.conftest import PASSWORD

HX = {"HX-Request": "true"}
TOO_BIG = [str(2**31), str(2**63), str(2**64), str(10**30), "9" * 10_000]


@pytest.fixture
def admin(make_agent):
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- Ids in addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", [*TOO_BIG, "0"])
def test_a_ticket_number_no_column_holds_is_a_404_in_both_areas(client, login_as, customer, agent, number):
    login_as(customer)
    for path in (f"/portal/tickets/{number}", f"/portal/tickets/1001/attachments/{number}"):
        response = client.get(path)
        assert response.status_code == 404 and "Nothing here" in text(response)
    assert client.post(f"/portal/tickets/{number}/reply", data={"body": "Hi"}).status_code == 404
    login_as(agent)
    assert client.get(f"/console/tickets/{number}", headers=HX).status_code == 404


def test_the_largest_number_a_column_holds_is_looked_up(client, login_as, customer):
    login_as(customer)
    assert client.get(f"/portal/tickets/{2**31 - 1}").status_code == 404  # asked, and not found


# --- Where a login or a switch sends the browser back to ------------------------------------------

HOSTILE_NEXT = [
    "https://evil.example/portal/",
    "//evil.example/portal/",
    "/\\evil.example",
    "/portal/\\\\evil.example",
    "javascript:alert(1)",
    "/portal/tickets\r\nSet-Cookie: x=1",
    "/portal/tickets\t",
    "/console/",
]


@pytest.mark.parametrize("asked", HOSTILE_NEXT)
def test_login_never_follows_a_next_elsewhere_or_one_that_splits_the_header(client, customer, asked):
    response = client.post(
        "/portal/login", query_string={"next": asked}, data={"email": customer.email, "password": PASSWORD}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/portal/"


def test_login_follows_a_next_of_its_own_area(client, customer):
    response = client.post(
        "/portal/login",
        query_string={"next": "/portal/tickets?page=2"},
        data={"email": customer.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/portal/tickets?page=2"


@pytest.mark.parametrize("asked", ["//evil.example/console/", "/console/\r\nX: y", "/console/\\\\evil", "https://x/"])
def test_the_away_switch_goes_back_only_to_a_console_page(client, login_as, agent, asked):
    login_as(agent)
    response = client.post("/console/away", data={"state": "on", "next": asked})
    assert response.status_code == 303 and response.headers["Location"] == "/console/"


# --- Numbers typed or posted -----------------------------------------------------------------------


@pytest.mark.parametrize("typed", [*TOO_BIG, "\u00b2", "-1"])
def test_a_link_or_merge_to_a_number_no_ticket_can_have_is_refused_beside_the_field(
    client, login_as, agent, customer, make_ticket, db, typed
):
    ticket = make_ticket(customer)
    login_as(agent)
    for action in ("links", "merge"):
        response = client.post(f"/console/tickets/{ticket.number}/{action}", data={"number": typed}, headers=HX)
        assert response.status_code == 422
        assert "is not a ticket number" in text(response) or "Field cannot be longer" in text(response)
    removed = client.post(f"/console/tickets/{ticket.number}/links/remove", data={"other": typed})
    assert removed.status_code == 404
    assert db.session.scalar(select(func.count(TicketLink.id))) == 0
    assert db.session.get(Ticket, ticket.id).merged_into_id is None


@pytest.mark.parametrize("typed", [str(2**63), "\u00b2", "abc"])
def test_bulk_changes_to_ids_no_ticket_can_have_change_nothing(
    client, login_as, agent, customer, make_ticket, db, typed
):
    ticket = make_ticket(customer)
    login_as(agent)
    response = client.post("/console/tickets/bulk", data={"ticket": [str(ticket.number), typed], "priority": "high"})
    assert response.status_code == 422
    assert db.session.get(Ticket, ticket.id).priority == "normal"


def test_assignment_to_departments_no_id_can_name_is_refused(client, login_as, admin, agent, db):
    login_as(admin)
    response = client.post(f"/console/admin/agents/{agent.id}/assignment", data={"departments": str(2**63)})
    assert response.status_code == 422 and "Choose from the list." in text(response)
    department = db.session.scalar(select(Department))
    url = f"/console/admin/departments/{department.id}/assignment"
    response = client.post(url, data={"strategy": "manual", "agents": "\u00b2"}, headers=HX)
    assert response.status_code == 422 and "Choose from the list." in text(response)


def test_a_seen_mark_past_any_entry_skips_the_collision_check_instead_of_failing(
    client, login_as, agent, customer, make_ticket
):
    ticket = make_ticket(customer)
    login_as(agent)
    data = {"visibility": "internal", "body": "Noted.", "seen": str(2**63)}
    assert client.post(f"/console/tickets/{ticket.number}/reply", data=data).status_code == 303


def test_a_saved_view_with_a_digit_int_cannot_read_keeps_the_sidebar_working(client, login_as, agent, db):
    login_as(agent)
    query = "department=%C2%B2&product=" + str(2**63)
    assert client.post("/console/views", data={"name": "Odd", "query": query}).status_code == 303
    assert db.session.scalar(select(func.count(SavedView.id))) == 1
    page = client.get("/console/")
    assert page.status_code == 200 and "Odd" in text(page)


@pytest.mark.parametrize("page", ["-1", "0", "abc", str(2**63), "9" * 10_000, "\u00b2"])
def test_a_page_number_that_is_none_shows_the_first_page(client, login_as, admin, page):
    login_as(admin)
    for path in ("/console/", "/console/admin/activity", "/console/admin/customers", "/console/admin/mail/outbox"):
        assert client.get(path, query_string={"page": page}).status_code == 200, path


# --- Dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_date_past_the_years_a_desk_means_is_switched_off_with_a_note(client, login_as, agent, day):
    login_as(agent)
    report = client.get("/console/time", query_string={"start": "2026-01-01", "end": day})
    assert report.status_code == 200 and "Enter a date from 1900-01-01 to 2999-12-31." in text(report)
    assert client.get("/console/time.csv", query_string={"end": day}).status_code == 200
    found = client.get("/console/search", query_string={"q": "printer", "until": day}, headers=HX)
    assert found.status_code == 200 and "Enter a date from 1900-01-01 to 2999-12-31." in text(found)
    assert "until=" not in found.headers["HX-Push-Url"]


def test_a_holiday_in_year_9999_is_refused_and_nothing_is_added(client, login_as, admin, db):
    login_as(admin)
    calendar = tracking.default_calendar()
    before = len(db.session.get(BusinessCalendar, calendar.id).holidays)
    response = client.post(f"/console/admin/calendars/{calendar.id}/holidays", data={"holiday-day": "9999-12-31"})
    assert response.status_code == 422 and "Enter a date from 1900-01-01 to 2999-12-31." in text(response)
    assert db.session.scalar(select(func.count(Holiday.id)).where(Holiday.calendar_id == calendar.id)) == before


# --- Characters no one types -------------------------------------------------------------------


def test_a_nul_character_is_refused_with_a_reason_and_nothing_is_posted(client, login_as, customer, make_ticket):
    ticket = make_ticket(customer)
    login_as(customer)
    for headers in ({}, HX):
        response = client.post(f"/portal/tickets/{ticket.number}/reply", data={"body": "a\x00b"}, headers=headers)
        assert response.status_code == 400 and "holds a NUL character" in text(response)
    assert len(ticket.entries) == 1
    assert client.get("/portal/login", query_string={"next": "\x00"}).status_code == 400


def test_a_text_field_posted_where_a_file_belongs_is_no_file(client, login_as, customer, make_ticket):
    ticket = make_ticket(customer)
    login_as(customer)
    response = client.post(f"/portal/tickets/{ticket.number}/reply", data={"body": "Hi", "attachments": "x"})
    assert response.status_code == 303 and ticket.entries[-1].attachments == []
