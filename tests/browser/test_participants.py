"""Who is in the conversation, in a browser: an agent adds people by address and removes one from the
ticket page with the keyboard alone, in place (htmx), the focus staying where the hands are and each
change announced and written to the history; a bad address is refused beside the field; the customer
sees the names on the portal; both pages fit a phone."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, assert_not_reloaded, mark_the_page

# htmx enables a swapped-in form once the swap has settled; a person never types that fast, a test does.
SETTLED = "() => !document.querySelector('#ticket-participants.htmx-added, #ticket-participants .htmx-added')"


def settled(page: Page) -> None:
    page.wait_for_function(SETTLED)


def test_an_agent_adds_and_removes_participants_with_the_keyboard(
    page: Page, new_context, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="Invoices are printed blank", body="Every invoice is blank.")
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    mark_the_page(page)
    card = page.locator("#ticket-participants")
    said = page.locator("#live-status")
    expect(card).to_contain_text("Only the customer.")
    screenshot(page, "console no participants")

    field = card.get_by_label("Email address")
    field.focus()
    page.keyboard.type("priya@acme.example")
    field.press("Enter")
    expect(card.locator(".participants__item")).to_have_count(1)
    expect(said).to_have_text("priya@acme.example is in the conversation now and gets the public replies.")
    expect(page.locator("#history")).to_contain_text("Added to the conversation: priya@acme.example")
    expect(card.get_by_label("Email address")).to_be_focused()  # ready for the next one
    expect(card.get_by_label("Email address")).to_have_value("")
    settled(page)

    page.keyboard.type("carlos@partner.example")
    page.keyboard.press("Enter")
    expect(card.locator(".participants__item")).to_have_count(2)
    expect(card.get_by_label("Email address")).to_be_focused()
    settled(page)

    page.keyboard.type("bob@desk.example")  # an agent's address is refused beside the field
    page.keyboard.press("Enter")
    expect(card.get_by_text("That is an agent's address")).to_be_visible()
    expect(card.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    expect(card.get_by_label("Email address")).to_be_focused()
    expect(card.locator(".participants__item")).to_have_count(2)
    settled(page)
    assert_not_reloaded(page)
    screenshot(page, "console two participants and a refusal")
    card.screenshot(path=screenshot.folder / "card-two-participants-and-a-refusal.png")  # the side panel scrolls

    # Shift+Tab back from the field to the last remove button, and press it.
    card.get_by_label("Email address").press("Shift+Tab")
    remove_carlos = card.get_by_role("button", name="Remove carlos@partner.example from the conversation")
    expect(remove_carlos).to_be_focused()
    page.keyboard.press("Enter")
    expect(card.locator(".participants__item")).to_have_count(1)
    expect(said).to_have_text("carlos@partner.example is no longer in the conversation.")
    expect(page.locator("#history")).to_contain_text("Removed from the conversation: carlos@partner.example")
    # The one left took its place: the focus is on Priya's remove button, not lost to the page.
    expect(card.get_by_role("button", name="Remove priya@acme.example from the conversation")).to_be_focused()
    assert_not_reloaded(page)
    screenshot(page, "console one participant left")

    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "console", live_agent)
    phone.goto(f"/console/tickets/{number}")
    phone.locator("#ticket-participants").scroll_into_view_if_needed()
    expect(phone.locator("#ticket-participants")).to_contain_text("priya@acme.example")
    screenshot(phone, "console participants phone")
    phone.locator("#ticket-participants").screenshot(path=screenshot.folder / "card-phone.png")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    customer = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(customer, "portal", live_customer)
    customer.goto(f"/portal/tickets/{number}")
    copied = customer.locator("#ticket-copied")
    expect(copied).to_contain_text("Also in this conversation, and mailed our replies: priya")
    expect(customer.locator("body")).not_to_contain_text("carlos")
    expect(customer.locator("body")).not_to_contain_text("priya@acme.example")
    screenshot(customer, "portal participants phone")
    assert customer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
