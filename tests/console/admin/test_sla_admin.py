"""The SLA admin pages: targets, calendars with holidays, department calendars, and refused input."""

import html
import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from shared.core.clock import frozen_at
from shared.models import AuditEvent, BusinessCalendar, Department, SlaTarget
from shared.sla import tracking
from tests.routes import endpoints


@pytest.fixture
def admin(make_agent):
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


@pytest.fixture
def as_admin(client, login_as, admin):
    return login_as(admin)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def has_value(page: str, name: str, value: str) -> bool:
    return re.search(rf'<input[^>]* name="{name}"[^>]* value="{value}"', page) is not None


def targets_form(**changes) -> dict:
    data = {}
    for priority, values in {"urgent": (1, 4), "high": (4, 1), "normal": (1, 3), "low": (2, 5)}.items():
        data |= {
            f"{priority}-first_response": values[0],
            f"{priority}-first_response_unit": "hours" if priority in ("urgent", "high") else "days",
            f"{priority}-resolution": values[1],
            f"{priority}-resolution_unit": "hours" if priority == "urgent" else "days",
        }
    return data | changes


def calendar_form(**changes) -> dict:
    return {
        "name": "Standard hours",
        "timezone": "Europe/Berlin",
        "work_days": ["0", "1", "2", "3", "4"],
        "day_start": "08:00",
        "day_end": "16:30",
    } | changes


SLA_PATHS = [e for e in endpoints("console") if "/admin/sla" in e[1] or "/admin/calendars" in e[1]]


@pytest.mark.parametrize(("method", "path"), SLA_PATHS)
def test_agents_who_are_not_admins_find_nothing(client, login_as, agent, method, path):
    login_as(agent)
    assert client.open(path, method=method).status_code == 404


def test_the_page_shows_the_default_targets_calendar_and_departments(client, as_admin):
    page = text(client.get("/console/admin/sla"))
    assert "Targets by priority" in page and "Standard hours" in page and "General" in page
    assert has_value(page, "urgent-first_response", "1") and has_value(page, "low-resolution", "5")


def test_targets_are_saved_audited_and_move_running_clocks(client, as_admin, customer, make_ticket, db):
    with frozen_at(datetime(2026, 12, 7, 9, 0)):
        ticket = make_ticket(customer, priority="urgent")
        response = client.post("/console/admin/sla/targets", data=targets_form(**{"urgent-first_response": 2}))
    assert response.status_code == 303
    assert db.session.get(SlaTarget, "urgent").first_response == 2
    assert ticket.first_response_due_at == datetime(2026, 12, 7, 11, 0)
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "sla.targets_updated"


@pytest.mark.parametrize("bad", ["0", "abc", "", "1000"])
def test_a_bad_target_is_refused_beside_its_field_and_keeps_the_rest(client, as_admin, db, bad):
    response = client.post(
        "/console/admin/sla/targets", data=targets_form(**{"low-resolution": bad, "high-first_response": "6"})
    )
    assert response.status_code == 422
    page = text(response)
    assert 'id="low-resolution-error"' in page and has_value(page, "high-first_response", "6")
    assert db.session.get(SlaTarget, "high").first_response == 4


def test_a_calendar_is_added_edited_and_given_to_a_department(client, as_admin, department, db):
    response = client.post("/console/admin/calendars", data={"name": "Berlin office"})
    assert response.status_code == 303
    berlin = db.session.scalar(select(BusinessCalendar).where(BusinessCalendar.name == "Berlin office"))
    assert response.headers["Location"].endswith(f"/console/admin/calendars/{berlin.id}")
    response = client.post(f"/console/admin/calendars/{berlin.id}", data=calendar_form(name="Berlin office"))
    assert response.status_code == 303
    assert (berlin.timezone, berlin.work_days, berlin.day_start, berlin.day_end) == (
        "Europe/Berlin",
        [0, 1, 2, 3, 4],
        time(8),
        time(16, 30),
    )
    response = client.post(
        f"/console/admin/sla/departments/{department.id}", data={f"d{department.id}-calendar": berlin.id}
    )
    assert response.status_code == 303
    assert db.session.get(Department, department.id).calendar_id == berlin.id
    assert "General now counts in Berlin office." in text(client.get("/console/admin/sla"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list"),
        ({"day_start": "17:00", "day_end": "09:00"}, "day_end", "must end after it starts"),
        ({"day_start": "25:99"}, "day_start", "Not a valid time"),
        ({"work_days": []}, "work_days", "at least one working day"),
    ],
)
def test_bad_calendar_input_is_refused_beside_the_field(client, as_admin, db, changes, field, message):
    calendar = tracking.default_calendar()
    response = client.post(f"/console/admin/calendars/{calendar.id}", data=calendar_form(**changes))
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'value="Standard hours"' in page  # what was typed is kept
    assert db.session.get(BusinessCalendar, calendar.id).timezone == "UTC"


def test_holidays_are_added_refused_twice_or_malformed_and_removed(client, as_admin, db):
    calendar = tracking.default_calendar()
    url = f"/console/admin/calendars/{calendar.id}/holidays"
    response = client.post(url, data={"holiday-day": "2026-12-25", "holiday-name": "Christmas Day"})
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "2026-12-25 is a holiday now." in page and "Christmas Day" in page
    assert client.post(url, data={"holiday-day": "2026-12-25"}).status_code == 422
    bad = client.post(url, data={"holiday-day": "2026-13-45", "holiday-name": "Never"})
    assert bad.status_code == 422 and "Not a valid date" in text(bad) and 'value="Never"' in text(bad)
    [holiday] = db.session.get(BusinessCalendar, calendar.id).holidays
    assert holiday.day == date(2026, 12, 25)
    holiday_id = holiday.id
    response = client.post(f"{url}/{holiday_id}/delete")
    assert response.status_code == 303
    assert db.session.get(BusinessCalendar, calendar.id).holidays == []
    assert client.post(f"{url}/{holiday_id}/delete").status_code == 404


def test_the_activity_log_reads_the_sla_changes(client, as_admin):
    calendar = tracking.default_calendar()
    client.post("/console/admin/sla/targets", data=targets_form(**{"urgent-first_response": 2}))
    client.post(f"/console/admin/calendars/{calendar.id}", data=calendar_form())
    page = text(client.get("/console/admin/activity"))
    assert "changed the SLA targets" in page and "1 hours / 4 hours" in page and "2 hours / 4 hours" in page
    assert "edited the business calendar Standard hours" in page and "Time zone" in page and "Europe/Berlin" in page
