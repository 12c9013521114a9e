"""End to end in Chromium: the reply box's timer fills the minutes, the note is sent without a
reload and the side panel's total follows; the time report on a phone."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, assert_not_reloaded, mark_the_page


def test_an_agent_times_a_note_and_sees_the_total(
    page: Page, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer)
    page.clock.install()
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    mark_the_page(page)
    expect(page.locator("#ticket-time")).to_contain_text("0 min")
    page.locator("#reply label", has_text="Internal note").click()
    page.locator("#reply-body").fill("Called the customer.")
    page.get_by_role("button", name="Start timer").click()
    page.clock.fast_forward("07:00")
    expect(page.get_by_label("Time spent (minutes)")).to_have_value("7")
    page.get_by_role("button", name="Stop timer").click()
    screenshot(page, "timer")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#ticket-time")).to_contain_text("7 min")
    expect(page.get_by_label("Time spent (minutes)")).to_have_value("")
    assert_not_reloaded(page)

    page.set_viewport_size(PHONE)
    page.goto("/console/time")
    expect(page.locator("#time-agents").locator("xpath=..")).to_contain_text("Bob Baker")
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "time-report-phone")
