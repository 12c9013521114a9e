"""Saved views in a browser: filter, save, see it with its count, open it from another queue in place."""

import re

from playwright.sync_api import Page, expect

from shared.core.extensions import db
from shared.models import Ticket
from shared.people import accounts
from shared.queues import saved_views
from shared.tickets import properties
from tests.browser.conftest import (
    PHONE,
    assert_not_reloaded,
    expect_said,
    mark_the_live_region,
    mark_the_page,
)


def test_a_filtered_list_is_saved_and_reopened_from_the_sidebar_in_place(
    page: Page,
    new_context,
    live_agent,
    live_customer,
    add_ticket,
    in_live_app,
    log_in,
) -> None:
    number = add_ticket(live_customer, subject="Card reader is blinking")

    def make_urgent() -> None:
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
        properties.change_priority(ticket, "urgent", actor=accounts.find_agent(live_agent.email))

    in_live_app(make_urgent)
    add_ticket(live_customer, subject="Printer is slow")
    log_in(page, "console", live_agent)
    mark_the_page(page)
    mark_the_live_region(page)
    page.get_by_label("Priority", exact=True).select_option("urgent")
    expect(page).to_have_url("/console/?priority=urgent")
    page.get_by_label("View name").fill("Urgent work")
    page.get_by_role("button", name="Save this view").focus()
    page.keyboard.press("Enter")
    view = page.locator("#queue-nav .sidebar__view").filter(has_text="Urgent work")
    expect(view.locator(".sidebar__count")).to_have_text("1")
    expect(page.get_by_role("status")).to_have_text("Saved in My views.")
    expect_said(page, "Saved in My views.")
    expect(page.get_by_role("button", name="Save this view")).to_be_focused()  # swapped, and kept by its id

    page.locator("#queue-nav").get_by_role("link", name=re.compile("^Unassigned")).click()
    expect(page).to_have_url("/console/?queue=unassigned")
    expect(page).to_have_title(re.compile(r"^Unassigned · "))
    view.get_by_role("link").click()
    expect(page).to_have_url("/console/?priority=urgent")
    # The list swapped in place is titled with the view's name, in the tab and in its heading.
    expect(page).to_have_title(re.compile(r"^Urgent work · "))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Urgent work\b"))
    expect(page.locator("#queue-list tr[data-number]")).to_have_count(1)
    expect(page.get_by_label("Priority", exact=True)).to_have_value("urgent")
    assert_not_reloaded(page)
    page.screenshot(path="/tmp/saved-views-desktop.png")

    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "console", live_agent)
    expect(phone.locator("#queue-nav .sidebar__view")).to_have_count(1)
    phone.screenshot(path="/tmp/saved-views-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    view = phone.locator("#queue-nav .sidebar__view")
    view.get_by_role("button", name="Delete the view “Urgent work”").click()
    expect(view).to_have_count(0)
    expect(phone.locator("#queues-title")).to_be_focused()  # its button is gone, and "My views" too: the sidebar's top


def test_a_view_named_with_markup_titles_the_page_as_plain_text_after_htmx_swaps(
    page: Page, live_agent, in_live_app, log_in
) -> None:
    name = "Mine <img src=x> & co"
    in_live_app(lambda: saved_views.save_view(accounts.find_agent(live_agent.email), name, "queue=mine&sort=due"))
    log_in(page, "console", live_agent)
    mark_the_page(page)
    page.locator("#queue-nav .sidebar__view").get_by_role("link").click()
    expect(page).to_have_url("/console/?queue=mine&sort=due")
    expect(page).to_have_title(f"{name} · Deskbell")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^{re.escape(name)} \d"))
    page.locator("#queue-nav").get_by_role("link", name=re.compile(r"^Mine \d+$")).click()
    expect(page).to_have_url("/console/?queue=mine")
    expect(page).to_have_title("Mine · Deskbell")
    page.go_back()
    expect(page).to_have_title(f"{name} · Deskbell")
    assert_not_reloaded(page)
    assert page.locator("img[src=x]").count() == 0
