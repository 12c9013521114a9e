"""End to end in Chromium: an agent works the queues — switching, filtering and paging in place,
the back button, the self-refreshing list and counts, bulk changes, the keyboard, and the list at
phone width."""

import re

import pytest
from playwright.sync_api import Page, expect

from shared.core.extensions import db
from shared.demo import seed
from shared.models import Ticket
from shared.people import accounts
from shared.tickets import properties
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    Account,
    assert_not_reloaded,
    expect_said,
    mark_the_live_region,
    mark_the_page,
)


@pytest.fixture
def prioritise(in_live_app):
    def set_priority(number: int, priority: str, agent: Account) -> None:
        def change():
            ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
            properties.change_priority(ticket, priority, actor=accounts.find_agent(agent.email))

        in_live_app(change)

    return set_priority


def rows(page: Page):
    return page.locator("#queue-list tr[data-number]")


def listed(page: Page) -> list[str]:
    return [row.get_attribute("data-number") for row in rows(page).all()]


def sidebar_count(page: Page, queue: str):
    return page.locator("#queue-nav a").filter(has_text=re.compile(rf"^\s*{queue}\s")).locator(".sidebar__count")


def test_needs_reply_filters_and_pages_in_place_and_back_restores_each_view(
    page: Page, live_server, live_agent, live_customer, add_ticket, prioritise, log_in, screenshot
) -> None:
    live_server.app.config["QUEUE_PAGE_SIZE"] = 3
    for i in range(8):
        number = add_ticket(live_customer, subject=f"Card reader {i} is blinking")
        if i % 4 != 3:
            prioritise(number, "high", live_agent)
    log_in(page, "console", live_agent)
    expect(page.get_by_role("heading", name="All open")).to_be_visible()
    mark_the_page(page)
    mark_the_live_region(page)

    page.locator("#queue-nav").get_by_role("link", name=re.compile("^Needs reply")).click()
    expect(page).to_have_url("/console/?queue=needs_reply")
    expect(page.get_by_role("heading", name="Needs reply")).to_be_visible()
    expect(page).to_have_title(re.compile("^Needs reply"))
    expect(page.locator("#queue-nav [aria-current=page]")).to_contain_text("Needs reply")

    page.get_by_label("Priority", exact=True).focus()
    page.get_by_label("Priority", exact=True).select_option("high")
    expect(page).to_have_url("/console/?queue=needs_reply&priority=high")
    expect(page.locator("#queue-title .count")).to_have_text("6")
    expect(rows(page)).to_have_count(3)
    expect_said(page, "Needs reply: 1–3 of 6")
    expect(page.get_by_label("Priority", exact=True)).to_be_focused()  # a filter keeps it while the list changes
    first_page = listed(page)

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url("/console/?queue=needs_reply&priority=high&page=2")
    expect(page.locator(".pagination").get_by_text("4–6 of 6")).to_be_visible()
    expect_said(page, "Needs reply: 4–6 of 6")
    expect(page.locator("#queue-title")).to_be_focused()  # the pager's link is gone: the list's heading has it
    screenshot(page, "needs-reply-high-page-2")
    assert_not_reloaded(page)

    page.go_back()
    expect(page).to_have_url("/console/?queue=needs_reply&priority=high")
    expect(page.locator(".pagination").get_by_text("1–3 of 6")).to_be_visible()
    assert listed(page) == first_page
    expect(page.get_by_label("Priority", exact=True)).to_have_value("high")
    page.go_back()
    expect(page).to_have_url("/console/?queue=needs_reply")
    expect(page.locator("#queue-title .count")).to_have_text("8")
    page.go_back()
    expect(page.get_by_role("heading", name="All open")).to_be_visible()
    assert_not_reloaded(page)

    page.reload()  # every view is an address: a reload shows the same list
    page.go_forward()
    expect(page.get_by_role("heading", name="Needs reply")).to_be_visible()
    expect(rows(page)).to_have_count(3)


def test_the_list_and_counts_refresh_themselves_without_losing_the_agents_place(
    page: Page, live_agent, live_customer, add_ticket, log_in
) -> None:
    for i in range(3):
        add_ticket(live_customer, subject=f"Receipt printer {i}")
    page.clock.install()
    log_in(page, "console", live_agent)
    expect(rows(page)).to_have_count(3)
    mark_the_page(page)
    mark_the_live_region(page)

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")  # the second row is picked: the list holds still
    expect(rows(page).nth(1)).to_have_class(re.compile("row--cursor"))
    add_ticket(live_customer, subject="Scanner arrived broken")
    page.clock.run_for("00:31")
    expect(sidebar_count(page, "All open")).to_have_text("4")  # the counts keep going
    page.clock.run_for(100)
    expect(page.get_by_text("Scanner arrived broken")).to_have_count(0)
    expect(rows(page).nth(1).locator("input[name=ticket]")).to_be_checked()
    expect_said(page, "")  # the counts refreshed: nothing to say

    page.keyboard.press("x")  # nothing picked any more; after a quiet while the list catches up
    page.mouse.click(5, 300)  # leave the list alone
    page.clock.run_for("00:46")
    expect(page.get_by_text("Scanner arrived broken")).to_be_visible()
    page.clock.run_for(100)
    expect(rows(page)).to_have_count(4)
    expect(page.locator(".row--cursor")).to_contain_text("Receipt printer 1")  # the cursor stayed on its ticket
    expect_said(page, "New tickets in the list: 1")  # said once, briefly
    page.evaluate("document.getElementById('live-status').textContent = ''")
    with page.expect_response(lambda response: response.request.headers.get("hx-request") == "true"):
        page.clock.run_for("00:30")  # the next refresh finds nothing new: it says nothing
    page.clock.run_for(200)
    expect_said(page, "")
    assert_not_reloaded(page)


def test_bulk_close_selected_rows_through_the_bulk_bar(
    page: Page, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    numbers = [add_ticket(live_customer, subject=f"Invoice {i} is wrong") for i in range(4)]
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    mark_the_page(page)
    mark_the_live_region(page)
    expect(sidebar_count(page, "Closed")).to_have_text("0")

    page.get_by_label(f"Select #{numbers[0]}").check()
    page.get_by_label(f"Select #{numbers[2]}").check()
    expect(page.locator("#bulk-count")).to_have_text("Selected: 2")
    page.get_by_label("Change status to").select_option(label="Closed")
    screenshot(page, "two-rows-picked")
    page.get_by_role("button", name="Apply to selected").click()

    expect(page.get_by_role("main").get_by_text("2 tickets closed.")).to_be_visible()
    expect_said(page, re.compile("2 tickets closed."))
    expect(page.locator("#queue-title")).to_be_focused()  # the button went with the old list
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_text("Invoice 0 is wrong")).to_have_count(0)
    expect(sidebar_count(page, "Closed")).to_have_text("2")
    expect(sidebar_count(page, "All open")).to_have_text("2")
    expect(page.locator("#bulk-count")).to_have_text("None selected")
    expect(page).to_have_url("/console/")
    assert_not_reloaded(page)
    screenshot(page, "after-bulk-close")

    page.get_by_label("All on this page").check()
    page.get_by_label("Change priority to").select_option("urgent")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("main").get_by_text("2 tickets set to urgent priority.")).to_be_visible()
    expect(page.locator(".prio--urgent")).to_have_count(2)


def test_bulk_changes_work_without_javascript(
    new_context, live_server, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    numbers = [add_ticket(live_customer, subject=f"Password reset {i}") for i in range(3)]
    log_in(page, "console", live_agent)
    page.goto("/console/?queue=needs_reply&sort=number&order=asc")
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()  # shown only without script
    page.get_by_label(f"Select #{numbers[1]}").check()
    page.get_by_label("Change assignee to").select_option(label=live_agent.name)
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text(f"1 ticket assigned to {live_agent.name}.")).to_be_visible()
    expect(page).to_have_url("/console/?queue=needs_reply&sort=number&order=asc")
    page.get_by_label("Assignee", exact=True).select_option("none")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"assignee=none"))
    expect(rows(page)).to_have_count(2)
    screenshot(page, "no-script-filtered")


def test_the_keyboard_moves_picks_and_opens_and_question_mark_lists_the_keys(
    page: Page, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    for i in range(3):
        add_ticket(live_customer, subject=f"Booking page {i} is slow")
    log_in(page, "console", live_agent)
    expect(rows(page)).to_have_count(3)

    page.keyboard.press("j")
    expect(rows(page).nth(0)).to_have_class(re.compile("row--cursor"))
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last row
    expect(rows(page).nth(2)).to_have_class(re.compile("row--cursor"))
    page.keyboard.press("k")
    cursor = rows(page).nth(1)
    expect(cursor).to_have_class(re.compile("row--cursor"))
    expect(cursor).to_have_attribute("aria-current", "true")
    page.keyboard.press("x")
    expect(cursor.locator("input[name=ticket]")).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("Selected: 1")

    page.get_by_label("Priority", exact=True).focus()
    page.keyboard.press("j")  # in a field, keys are the field's
    expect(rows(page).nth(1)).to_have_class(re.compile("row--cursor"))
    page.get_by_role("heading", name="All open").click()  # out of the field

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    screenshot(page, "shortcuts")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    number = cursor.get_attribute("data-number")
    page.locator("body").click(position={"x": 5, "y": 200})
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"/console/tickets/{number}")
    page.wait_for_load_state("load")  # the ticket page's shortcuts are listening
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()


def test_r_and_n_open_the_reply_box_as_a_public_reply_or_an_internal_note(
    page: Page, live_agent, live_customer, add_ticket, log_in
) -> None:
    number = add_ticket(live_customer)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    page.keyboard.press("n")
    expect(page.locator("#reply-body")).to_be_focused()
    expect(page.locator("input[name=visibility][value=internal]")).to_be_checked()
    expect(page.locator("#reply-body")).to_have_value("")  # the key itself is not typed
    page.locator("#reply-body").press("Escape")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("r")
    expect(page.locator("#reply-body")).to_be_focused()
    expect(page.locator("input[name=visibility][value=public]")).to_be_checked()


@pytest.fixture
def demo_agent(live_server) -> Account:
    """A desk with a few weeks of realistic history, seen by one of its agents."""
    with live_server.app.test_request_context(base_url=live_server.url):
        seed.seed(60)
        db.session.commit()
    name, email = "Tom Okafor", "tom@tallybook.example"
    return Account(email, name, seed.DEMO_PASSWORD)


def test_the_queue_at_desktop_and_phone_width(new_context, live_server, demo_agent, log_in, screenshot) -> None:
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, "console", demo_agent)
    page.locator("#queue-nav").get_by_role("link", name=re.compile("^Needs reply")).click()
    expect(page).to_have_url("/console/?queue=needs_reply")
    screenshot(page, "needs-reply-desktop")

    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "console", demo_agent)
    phone.goto("/console/?queue=needs_reply")
    expect(rows(phone).first).to_be_visible()
    screenshot(phone, "needs-reply-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sideways
    rows(phone).nth(0).locator("input[name=ticket]").check()
    rows(phone).nth(1).locator("input[name=ticket]").check()
    expect(phone.get_by_role("button", name="Apply to selected")).to_be_visible()
    screenshot(phone, "phone-two-picked")
    subject = rows(phone).nth(2).locator(".row__subject")
    title = subject.inner_text()
    subject.tap()
    expect(phone.get_by_role("heading", level=1)).to_contain_text(title)
