"""An agent's working day in Chromium, end to end: Needs reply from the console home, a ticket opened
from the list, an internal note, a public reply (the ticket then waits on the customer), assigning
it, back to the queue, and closing tickets in bulk — with the list swaps never reloading the page."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, assert_not_reloaded, mark_the_page


def rows(page: Page):
    return page.locator("#queue-list tr[data-number]")


def queue_link(page: Page, name: str):
    return page.locator("#queue-nav").get_by_role("link", name=re.compile(rf"^\s*{name}\b"))


def sidebar_count(page: Page, name: str):
    return queue_link(page, name).locator(".sidebar__count")


def test_an_agents_working_day(page: Page, live_agent, live_customer, add_ticket, log_in, screenshot) -> None:
    subjects = ["Card reader offline", "Invoice shows the wrong VAT", "Receipt printer jams"]
    numbers = dict(zip(subjects, (add_ticket(live_customer, subject=s) for s in subjects), strict=True))
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    expect(page.get_by_role("heading", name="All open")).to_be_visible()
    mark_the_page(page)

    # Morning: what is waiting for an answer?
    queue_link(page, "Needs reply").click()
    expect(page).to_have_url("/console/?queue=needs_reply")
    expect(rows(page)).to_have_count(3)
    expect(sidebar_count(page, "Needs reply")).to_have_text("3")
    assert_not_reloaded(page)
    screenshot(page, "needs-reply")

    # Open one from the list.
    rows(page).filter(has_text="Card reader offline").locator(".row__subject").click()
    number = numbers["Card reader offline"]
    expect(page).to_have_url(f"/console/tickets/{number}")
    expect(page.locator("#ticket-status")).to_have_text("New")
    mark_the_page(page)

    # A note for colleagues first, then the answer to the customer.
    page.keyboard.press("n")
    page.locator("#reply-body").fill("Firmware 2.1 on this reader; 2.3 fixes the blinking.")
    page.keyboard.press("Control+Enter")  # sends without reaching for the mouse
    expect(page.locator("#history .message--note")).to_contain_text("Firmware 2.1 on this reader")
    expect(page.locator("#ticket-status")).to_have_text("New")

    page.locator("#reply label", has_text="Public reply").click()
    page.locator("#reply-body").fill("Please update the reader to firmware 2.3; it fixes exactly this.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#history .message--agent:not(.message--note)")).to_contain_text("firmware 2.3")
    expect(page.locator("#ticket-status")).to_have_text("Waiting on customer")

    # Take it.
    page.get_by_label("Assignee", exact=True).select_option(label=live_agent.name)
    expect(page.locator("#history")).to_contain_text(f"Assigned to {live_agent.name}")
    expect(page.locator("#ticket-status")).to_have_text("Waiting on customer")  # rule 2 is for New tickets only
    assert_not_reloaded(page)
    screenshot(page, "ticket-worked")

    # Back to the queue: the answered ticket has left Needs reply.
    page.get_by_role("link", name="Queues").click()
    expect(page.get_by_role("heading", name="All open")).to_be_visible()
    mark_the_page(page)
    queue_link(page, "Needs reply").click()
    expect(page).to_have_url("/console/?queue=needs_reply")
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_text("Card reader offline")).to_have_count(0)
    expect(sidebar_count(page, "Needs reply")).to_have_text("2")
    queue_link(page, "Mine").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Card reader offline")

    # End of the day: close the answered one and the VAT question together.
    queue_link(page, "All open").click()
    expect(page).to_have_url("/console/")
    expect(rows(page)).to_have_count(3)
    page.get_by_label(f"Select #{number}").check()
    page.get_by_label(f"Select #{numbers['Invoice shows the wrong VAT']}").check()
    expect(page.locator("#bulk-count")).to_have_text("Selected: 2")
    page.get_by_label("Change status to").select_option(label="Closed")
    screenshot(page, "two-picked-for-closing")
    page.get_by_role("button", name="Apply to selected").click()

    expect(page.get_by_role("main").get_by_text("2 tickets closed.")).to_be_visible()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Receipt printer jams")
    expect(sidebar_count(page, "Closed")).to_have_text("2")
    expect(sidebar_count(page, "All open")).to_have_text("1")
    assert_not_reloaded(page)  # queue switches and the bulk change were all swaps of the list
    screenshot(page, "end-of-day")

    page.goto(f"/console/tickets/{number}")
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    expect(page.locator("#history .event").last).to_contain_text("Status: Waiting on customer → Closed")
