"""End to end in Chromium: an agent keeps a canned reply, then inserts it into a ticket's reply box
with the keyboard, filled in for the ticket, and sends it without the page reloading."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, assert_not_reloaded, mark_the_page


def test_an_agent_inserts_a_canned_reply_with_the_keyboard(
    page: Page, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="Where is my parcel?", body="It has been two weeks.")
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.get_by_role("link", name="Canned replies").click()
    expect(page.get_by_role("heading", name="Canned replies", level=1)).to_be_visible()
    page.get_by_label("Title").fill("Parcel delay")
    page.get_by_label("Text").fill("Hello {customer_name},\n\nyour parcel for #{ticket_number} is on its way.")
    page.get_by_role("button", name="Add canned reply").click()
    expect(page.locator(".canned-item")).to_contain_text("Parcel delay")
    screenshot(page, "canned-replies")

    page.goto(f"/console/tickets/{number}")
    mark_the_page(page)
    body = page.locator("#reply-body")
    body.fill("Thanks for waiting.\n\n")
    search = page.get_by_placeholder("Insert a canned reply…")
    search.click()
    search.press_sequentially("parc")
    options = page.locator("#canned-results").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Hello Alice Archer")
    search.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    screenshot(page, "picking")
    search.press("Enter")
    expected = f"Thanks for waiting.\n\nHello Alice Archer,\n\nyour parcel for #{number} is on its way."
    expect(body).to_have_value(expected)
    expect(body).to_be_focused()
    expect(page.locator("#canned-results")).to_be_hidden()
    expect(page.locator("#body-preview")).to_contain_text("your parcel for")

    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#history")).to_contain_text("Hello Alice Archer")
    expect(page.locator("#reply-body")).to_have_value("")
    assert_not_reloaded(page)


def test_a_canned_reply_goes_into_an_internal_note_on_a_phone(
    page: Page, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer)
    page.set_viewport_size(PHONE)
    log_in(page, "console", live_agent)
    page.goto("/console/canned")
    page.get_by_label("Title").fill("Escalate")
    page.get_by_label("Text").fill("Escalated by {agent_name}, see {portal_link}")
    page.get_by_role("button", name="Add canned reply").click()
    expect(page.locator(".canned-item")).to_contain_text("Escalate")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "canned-replies-phone")

    page.goto(f"/console/tickets/{number}")
    mark_the_page(page)
    page.get_by_text("Internal note", exact=True).click()
    search = page.get_by_placeholder("Insert a canned reply…")
    search.press_sequentially("esc")
    option = page.get_by_role("option", name="Escalate")
    expect(option).to_contain_text("Escalated by Bob Baker")
    screenshot(page, "picking-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    option.click()
    expect(page.locator("#reply-body")).to_have_value(
        f"Escalated by Bob Baker, see http://desk.test/portal/tickets/{number}"
    )
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#history .message--note")).to_contain_text("Escalated by Bob Baker")
    assert_not_reloaded(page)
