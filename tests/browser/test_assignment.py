"""End to end in Chromium: an admin makes a department assign by round-robin, a customer files
tickets in the portal and the agents find them assigned in turn with the reason in the history;
an agent marks themselves away in the header and is passed over; the pages at 390 px."""

import re

from playwright.sync_api import Page, expect

from shared.people import accounts
from tests.browser.conftest import DESKTOP, PHONE, Account, assert_not_reloaded, mark_the_page

ADA = Account("ada@desk.example", "Ada Admin")


def file_ticket(page: Page, subject: str) -> int:
    page.goto("/portal/tickets/new")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Describe what happened").fill("Details follow.")
    page.get_by_role("button", name="File ticket").click()
    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def history_event(page: Page, text: str):
    return page.locator("#history").get_by_text(text)


def test_round_robin_assigns_portal_tickets_in_turn_and_skips_an_agent_who_is_away(
    page: Page, new_context, in_live_app, log_in, live_agent, add_agent, live_customer, screenshot
) -> None:
    in_live_app(lambda: accounts.create_agent(ADA.email, name=ADA.name, password=ADA.password, is_admin=True))
    bob = live_agent
    carol = add_agent("carol@desk.example", "Carol Chen")

    # The admin picks round-robin for General, worked by Bob and Carol; the card saves in place.
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", ADA)
    page.goto("/console/admin/departments")
    expect(page.get_by_text("Manual assignment · 0 agents")).to_be_visible()
    page.get_by_role("link", name="General").click()
    mark_the_page(page)
    card = page.locator("#department-assignment")
    card.locator(".choice-card").filter(has_text="take turns").click()
    expect(card.get_by_label("Round-robin")).to_be_checked()
    card.get_by_label(bob.name).check()
    card.get_by_label(carol.name).check()
    card.get_by_role("button", name="Save assignment").click()
    expect(card.get_by_text("Assignment saved.")).to_be_visible()
    assert_not_reloaded(page)
    expect(card.get_by_label(carol.name)).to_be_checked()
    screenshot(page, "department-round-robin")
    page.goto("/console/admin/departments")
    expect(page.get_by_text("Round-robin · 2 agents")).to_be_visible()

    # The customer files two tickets in the portal.
    customer_page = new_context(viewport=DESKTOP).new_page()
    log_in(customer_page, "portal", live_customer)
    first = file_ticket(customer_page, "The card reader blinks red")
    second = file_ticket(customer_page, "Refund for a double charge")

    # Bob finds the first one his and the second Carol's, each with the reason in the history.
    bob_page = new_context(viewport=DESKTOP).new_page()
    log_in(bob_page, "console", bob)
    bob_page.goto(f"/console/tickets/{first}")
    expect(history_event(bob_page, f"Assigned to {bob.name} by round-robin")).to_be_visible()
    expect(bob_page.get_by_label("Assignee").locator("option:checked")).to_have_text(bob.name)
    bob_page.goto(f"/console/tickets/{second}")
    expect(history_event(bob_page, f"Assigned to {carol.name} by round-robin")).to_be_visible()
    screenshot(bob_page, "ticket-assigned-by-round-robin")

    # Bob marks himself away from the header: the switch flips in place, no reload.
    mark_the_page(bob_page)
    away = bob_page.get_by_role("switch", name="Away")
    expect(away).to_have_attribute("aria-checked", "false")
    away.click()
    expect(bob_page.get_by_role("switch", name="Away")).to_have_attribute("aria-checked", "true")
    assert_not_reloaded(bob_page)

    # It was Bob's turn, but he is away: the third ticket goes to Carol, and the history says why.
    third = file_ticket(customer_page, "The receipt printer skips lines")
    bob_page.goto(f"/console/tickets/{third}")
    expect(history_event(bob_page, f"Assigned to {carol.name} by round-robin ({bob.name} is away)")).to_be_visible()
    expect(bob_page.get_by_role("switch", name="Away")).to_have_attribute("aria-checked", "true")
    screenshot(bob_page, "ticket-skipped-away-agent")

    # The customer sees none of it.
    customer_page.goto(f"/portal/tickets/{third}")
    expect(customer_page.locator("body")).not_to_contain_text("round-robin")
    expect(customer_page.locator("body")).not_to_contain_text(carol.name)

    # At 390 px: the header keeps the switch usable, the history wraps, the admin card stacks.
    bob_page.set_viewport_size(PHONE)
    bob_page.get_by_role("button", name="Menu").click()  # a phone's top bar folds into its menu
    expect(bob_page.get_by_role("switch", name="Away")).to_be_visible()
    expect(history_event(bob_page, f"({bob.name} is away)")).to_be_visible()
    assert bob_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(bob_page, "ticket-phone")
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="General").click()
    expect(page.locator("#department-assignment").get_by_label("Round-robin")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "department-phone")


def test_an_admin_sets_a_cap_and_a_bad_one_is_explained(
    page: Page, in_live_app, log_in, live_agent, screenshot
) -> None:
    in_live_app(lambda: accounts.create_agent(ADA.email, name=ADA.name, password=ADA.password, is_admin=True))
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", ADA)
    page.goto("/console/admin/agents")
    page.get_by_role("link", name=f"Assignment settings for {live_agent.name}").click()
    page.get_by_label("General").check()
    page.get_by_label("Open-ticket cap").fill("ten")
    page.get_by_role("button", name="Save changes").click()
    cap = page.get_by_label("Open-ticket cap")
    expect(cap).to_have_accessible_description(re.compile("Enter a whole number of open tickets from 1 to 1000"))
    expect(cap).to_have_value("ten")
    expect(page.get_by_label("General")).to_be_checked()
    screenshot(page, "agent-cap-error")
    cap.fill("10")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(f"Assignment settings saved for {live_agent.name}.")).to_be_visible()
    expect(page.locator("tr", has_text=live_agent.name)).to_contain_text("cap 10")
    screenshot(page, "agents-with-cap")
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name=f"Assignment settings for {live_agent.name}").click()
    expect(page.get_by_label("Open-ticket cap")).to_have_value("10")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "agent-settings-phone")
