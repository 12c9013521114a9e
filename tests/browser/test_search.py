"""Search in Chromium: from the header box on any console page to ranked, marked results that follow
what the agent types and the filters they pick without reloading, to the ticket; `#number` straight to
it; and the same on a phone."""

import re

from playwright.sync_api import Page, expect

from shared.core.extensions import db
from shared.models import Ticket
from shared.people import accounts
from shared.tickets import conversation
from tests.browser.conftest import PHONE, assert_not_reloaded, mark_the_page


def test_the_header_box_finds_tickets_narrows_as_the_agent_types_and_opens_one(
    page: Page, new_context, live_agent, live_customer, add_ticket, in_live_app, log_in, screenshot
) -> None:
    march = add_ticket(live_customer, subject="Invoice for March is wrong", body="The total counts two licences.")
    reader = add_ticket(live_customer, subject="Card reader blinking", body="Also: where is my <b>invoice</b>?")
    add_ticket(live_customer, subject="Password reset", body="No mail arrives.")

    def note() -> None:
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == reader))
        conversation.add_internal_note(
            ticket, actor=accounts.find_agent(live_agent.email), body="Invoice resent by hand."
        )

    in_live_app(note)

    log_in(page, "console", live_agent)
    screenshot(page, "the box in the header")
    box = page.get_by_role("searchbox", name="Search tickets")
    box.fill("invoice")
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url("/console/search?q=invoice")
    expect(page.get_by_role("heading", name="Results for “invoice”")).to_be_visible()
    results = page.locator(".results .result")
    expect(results).to_have_count(2)
    expect(results.first.locator(".result__subject mark")).to_have_text("Invoice")  # the subject match first
    expect(results.nth(1).locator(".result__snippet")).to_contain_text("<b>invoice</b>")  # shown, not run
    screenshot(page, "results")

    mark_the_page(page)
    box.press("End")
    box.press_sequentially(" marc")
    expect(page).to_have_url(re.compile(r"/console/search\?q=invoice(\+|%20)marc$"))
    expect(results).to_have_count(1)
    expect(results.first.locator(".result__subject")).to_contain_text("Invoice for March")
    page.get_by_label("Status", exact=True).select_option("closed")
    expect(page.get_by_role("heading", name="No ticket matches “invoice marc”")).to_be_visible()
    expect(page).to_have_url(re.compile(r"&status=closed$"))
    screenshot(page, "nothing matches")
    page.get_by_label("Status", exact=True).select_option("")
    expect(results).to_have_count(1)
    assert_not_reloaded(page)

    results.first.get_by_role("link").click()
    expect(page).to_have_url(f"/console/tickets/{march}")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/console/search\?q=invoice(\+|%20)marc$"))
    expect(results).to_have_count(1)

    page.keyboard.press("/")
    expect(box).to_be_focused()
    box.fill(f"#{reader}")
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(f"/console/tickets/{reader}")

    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "console", live_agent)
    phone_box = phone.get_by_role("searchbox", name="Search tickets")
    expect(phone_box).to_be_hidden()  # folded into the top bar's menu
    phone.get_by_role("button", name="Menu").click()
    expect(phone_box).to_be_visible()
    screenshot(phone, "the box on a phone")
    phone_box.fill("invoice")
    with phone.expect_navigation():
        phone_box.press("Enter")
    expect(phone.locator(".results .result")).to_have_count(2)
    screenshot(phone, "results on a phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
