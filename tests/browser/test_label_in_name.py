"""Label in name in Chromium, in every shipped language: on the pages whose controls carry a name
other than their visible text (the admin area's rows, the sessions list) and the everyday ones (the
queue, a ticket, the portal), each control's accessible name starts with the words it shows.
tests/test_label_in_name.py checks the same pairs in every catalogue without a browser."""

from datetime import date

from playwright.sync_api import Page
from sqlalchemy import select

from shared.core.config import DEFAULTS
from shared.core.extensions import db
from shared.demo import seed, texts
from shared.models import Organization, Ticket
from shared.sla import calendars
from tests.browser.conftest import DESKTOP, Account
from tests.browser.label_in_name import mismatches

ADMIN = Account(f"{texts.AGENTS[0][0]}@{texts.DOMAIN}", texts.AGENTS[0][1], seed.DEMO_PASSWORD)
CUSTOMER = Account(texts.ORGANIZATIONS[0][2][0][1], texts.ORGANIZATIONS[0][2][0][0], seed.DEMO_PASSWORD)


def _a_desk() -> dict[str, int]:
    """The demo desk (a few tickets) and a calendar with a holiday: every row with a named button."""
    seed.seed(count=6)
    calendar = calendars.create_calendar("Lisbon office", actor=None)
    calendars.add_holiday(calendar, date(2027, 6, 13), "Santo António", actor=None)
    organization = db.session.scalar(select(Organization).order_by(Organization.id))
    ticket = db.session.scalar(select(Ticket).order_by(Ticket.number))
    return {"calendar": calendar.id, "organization": organization.id, "ticket": ticket.number}


def console_pages(ids: dict[str, int]) -> list[str]:
    return [
        "/console/",
        f"/console/tickets/{ids['ticket']}",
        "/console/profile",
        "/console/admin/agents",
        "/console/admin/agents/2/assignment",
        "/console/admin/departments",
        "/console/admin/products",
        "/console/admin/organizations",
        f"/console/admin/organizations/{ids['organization']}",
        "/console/admin/sla",
        f"/console/admin/calendars/{ids['calendar']}",
    ]


PORTAL_PAGES = ["/portal/tickets", "/portal/profile"]


def test_every_control_names_itself_with_the_words_it_shows_in_every_language(
    page: Page, new_context, in_live_app, log_in
) -> None:
    ids = in_live_app(_a_desk)
    # A second session of the admin's, so the profile lists one to end (its "End" button).
    log_in(new_context(viewport=DESKTOP).new_page(), "console", ADMIN)
    log_in(page, "console", ADMIN)
    customer = new_context(viewport=DESKTOP).new_page()
    log_in(customer, "portal", CUSTOMER)
    checked, wrong = 0, []
    for language in DEFAULTS["LANGUAGES"]:
        for tab, paths in ((page, console_pages(ids)), (customer, PORTAL_PAGES)):
            tab.set_extra_http_headers({"Accept-Language": language})
            for path in paths:
                response = tab.goto(path)
                assert response is not None and response.ok, path
                assert tab.locator("html").get_attribute("lang") == language, path
                count, found = mismatches(tab, f"{language} {path}")
                checked, wrong = checked + count, wrong + found
    assert not wrong, "\n".join(map(str, wrong))
    # It looked at something: the pages hold hundreds of controls with words, in each language.
    assert checked > 200 * len(DEFAULTS["LANGUAGES"]), checked
