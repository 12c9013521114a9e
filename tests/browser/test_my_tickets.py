"""End to end in Chromium: the "New reply" marker, the organization tab, and rating a closed ticket."""

import re

from playwright.sync_api import Page, expect

from shared.core.extensions import db
from shared.models import Ticket
from shared.people import accounts
from shared.tickets import conversation, properties, rules
from tests.browser.conftest import PHONE, Account


def agent_replies(in_live_app, number: int, agent_email: str, body: str) -> None:
    def reply():
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
        conversation.post_reply(ticket, actor=accounts.find_agent(agent_email), body=body)

    in_live_app(reply)


def agent_closes(in_live_app, number: int, agent_email: str) -> None:
    def close():
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
        properties.change_status(ticket, rules.status_by_key("closed"), actor=accounts.find_agent(agent_email))

    in_live_app(close)


def test_the_new_reply_marker_appears_after_an_agent_reply_and_goes_once_read(
    page: Page, live_customer, live_agent, add_ticket, in_live_app, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="The printer is on fire")
    add_ticket(live_customer, subject="Invoice address is wrong")
    log_in(page, "portal", live_customer)
    card = page.get_by_role("listitem").filter(has_text="The printer is on fire")
    expect(card).to_be_visible()
    expect(page.get_by_text("New reply")).to_have_count(0)

    agent_replies(in_live_app, number, live_agent.email, "Please unplug it and send us a photo of the label.")
    page.reload()
    expect(card.get_by_text("New reply")).to_be_visible()
    name = rf"^#{number} New reply .*The printer is on fire.* Unread: our team has answered since you last looked\.$"
    expect(card.get_by_role("link")).to_have_accessible_name(re.compile(name))
    expect(page.get_by_role("listitem").filter(has_text="Invoice address")).not_to_contain_text("New reply")
    screenshot(page, "new-reply-marker")

    card.get_by_role("link").click()
    expect(page).to_have_url(f"/portal/tickets/{number}")
    expect(page.get_by_text("Please unplug it")).to_be_visible()
    page.get_by_role("link", name="My tickets").first.click()
    expect(card).to_be_visible()
    expect(page.get_by_text("New reply")).to_have_count(0)
    screenshot(page, "marker-gone")


def test_the_organization_tab_swaps_the_list_without_reloading_the_page(
    new_context, add_ticket, in_live_app, log_in, screenshot
) -> None:
    alice = Account("alice@acme.example", "Alice Archer")
    carol = Account("carol@acme.example", "Carol Chen")

    def acme_shares_its_tickets():
        for person in (alice, carol):
            customer = accounts.create_customer(
                person.email, name=person.name, password=person.password, organization="Acme Corp"
            )
        customer.organization.sharing = True

    in_live_app(acme_shares_its_tickets)
    add_ticket(alice, subject="Invoice 1042 shows the wrong amount")
    add_ticket(carol, subject="VPN drops every hour")
    add_ticket(carol, subject="New laptop for the intern")

    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(page, "portal", alice)
    tabs = page.get_by_role("navigation", name="Whose tickets")
    expect(tabs.get_by_role("link", name="My tickets")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Invoice 1042 shows the wrong amount")).to_be_visible()
    expect(page.get_by_text("VPN drops every hour")).to_have_count(0)
    screenshot(page, "my-tickets-with-tabs-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.evaluate("window.__marker = 1")
    tabs.get_by_role("link", name="Acme Corp").click()
    expect(page).to_have_url("/portal/tickets?view=organization")
    expect(tabs.get_by_role("link", name="Acme Corp")).to_have_attribute("aria-current", "page")
    carols = page.get_by_role("listitem").filter(has_text="VPN drops every hour")
    expect(carols).to_contain_text("Filed by Carol Chen")
    expect(page.get_by_role("listitem").filter(has_text="Invoice 1042")).to_contain_text("Filed by you")
    assert page.evaluate("window.__marker") == 1, "the tab reloaded the whole page instead of swapping the list"
    screenshot(page, "organization-tab-phone")

    tabs.get_by_role("link", name="My tickets").click()
    expect(page).to_have_url("/portal/tickets")
    expect(page.get_by_text("VPN drops every hour")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1

    page.go_back()  # the organization's list again, from its bookmarkable address
    expect(page).to_have_url("/portal/tickets?view=organization")
    expect(page.get_by_text("VPN drops every hour")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(tabs.get_by_role("link", name="Acme Corp")).to_have_attribute("aria-current", "page")


def test_customer_rates_a_closed_ticket_then_changes_the_rating(
    page: Page, new_context, live_customer, live_agent, add_ticket, in_live_app, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="Export to CSV fails")
    agent_replies(in_live_app, number, live_agent.email, "Fixed in today's release: please try again.")
    agent_closes(in_live_app, number, live_agent.email)

    log_in(page, "portal", live_customer)
    page.goto(f"/portal/tickets/{number}")
    rating = page.locator("#rating")
    expect(rating.get_by_role("heading", name="How did we do?")).to_be_visible()
    screenshot(page, "rating-form")

    page.evaluate("window.__marker = 1")
    rating.locator("label[for=score-3]").click()
    expect(rating.get_by_role("radio", name="Good (4 of 5)")).to_be_checked()
    rating.get_by_label("Comment (optional)").fill("Quick fix, thank you!")
    rating.get_by_role("button", name="Send rating").click()
    expect(rating.get_by_role("status")).to_have_text("Thank you! Your rating is saved.")
    expect(rating.get_by_role("radio", name="Good (4 of 5)")).to_be_checked()
    assert page.evaluate("window.__marker") == 1, "rating reloaded the page instead of swapping the form"
    screenshot(page, "rated")

    rating.get_by_role("radio", name="Good (4 of 5)").focus()
    page.keyboard.press("ArrowRight")  # radios move with the arrow keys, as a person with a keyboard would
    expect(rating.get_by_role("radio", name="Excellent (5 of 5)")).to_be_checked()
    # The thank-you from the first save is still shown, so wait for the update's own answer.
    with page.expect_response(lambda r: r.url.endswith("/rating") and r.request.method == "POST"):
        rating.get_by_role("button", name="Update rating").click()
    expect(rating.get_by_role("status")).to_be_visible()
    page.reload()
    expect(page.locator("#rating").get_by_role("radio", name="Excellent (5 of 5)")).to_be_checked()
    expect(page.locator("#rating").get_by_label("Comment (optional)")).to_have_value("Quick fix, thank you!")
    expect(page.get_by_text("You can change it until")).to_be_visible()
    screenshot(page, "rating-changed")

    agent = new_context().new_page()
    log_in(agent, "console", live_agent)
    agent.goto(f"/console/tickets/{number}")
    expect(agent.get_by_text("Rated 4/5: Quick fix, thank you!")).to_be_visible()
    expect(agent.get_by_text("Rated 5/5: Quick fix, thank you!")).to_be_visible()
    screenshot(agent, "agent-sees-ratings")
