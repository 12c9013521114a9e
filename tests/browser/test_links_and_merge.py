"""Links and merge in a browser: an agent links two tickets in place, merges a duplicate and sees where
it went; its customer sees "Merged into" in the portal and follows it; both pages fit a phone."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from shared.core.extensions import db
from shared.models import Ticket
from shared.people import accounts
from tests.browser.conftest import PHONE, assert_not_reloaded, mark_the_page
from tests.merging import merge_as_before


def test_an_agent_links_and_merges_and_the_customer_follows_the_merge(
    page: Page, new_context, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    target = add_ticket(live_customer, subject="Printer on fire", body="Smoke everywhere.")
    duplicate = add_ticket(live_customer, subject="Printer still on fire", body="It is getting worse.")
    related = add_ticket(live_customer, subject="Scanner jams after the fire", body="Paper stuck.")

    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{target}")
    mark_the_page(page)
    card = page.locator("#ticket-links")
    expect(card).to_contain_text("No linked tickets.")
    card.get_by_label("Ticket number").fill(f"#{related}")
    card.get_by_label("Link as").select_option("related")
    card.get_by_role("button", name="Link", exact=True).click()
    expect(card.locator(".links__item")).to_contain_text(f"#{related} Scanner jams after the fire")
    expect(page.locator("#history")).to_contain_text(f"Linked related ticket #{related}")

    card.get_by_label("Ticket number").fill(str(target))
    card.get_by_role("button", name="Link", exact=True).click()
    expect(card.get_by_text("A ticket cannot be linked to itself.")).to_be_visible()
    expect(card.get_by_label("Ticket number")).to_have_value(str(target))
    assert_not_reloaded(page)
    screenshot(page, "console target linked")

    page.goto(f"/console/tickets/{duplicate}")
    mark_the_page(page)
    card.get_by_label("Merge into ticket").fill(str(target))
    card.get_by_role("button", name="Merge…").click()
    expect(card).to_contain_text(f"Merge #{duplicate} into #{target} “Printer on fire”?")
    assert_not_reloaded(page)
    screenshot(page, "console merge confirm")
    with page.expect_navigation():
        card.get_by_role("button", name="Merge", exact=True).click()
    notice = page.locator("#merged-notice")
    expect(notice).to_contain_text(f"Merged into #{target}")
    expect(page.locator("#ticket-status")).to_contain_text("Closed")
    expect(page.locator("#history")).to_contain_text(f"Merged into #{target}")
    screenshot(page, "console merged ticket")

    notice.get_by_role("link", name=f"#{target}").click()
    expect(page).to_have_url(f"/console/tickets/{target}")
    expect(card).to_contain_text("Merged into this ticket")
    expect(card.get_by_role("link", name=f"#{duplicate} Printer still on fire")).to_be_visible()
    page.goto("/console/?queue=all_open")
    expect(page.locator(f'#queue-list tr[data-number="{target}"]')).to_have_count(1)
    expect(page.locator(f'#queue-list tr[data-number="{duplicate}"]')).to_have_count(0)

    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "console", live_agent)
    phone.goto(f"/console/tickets/{duplicate}")
    expect(phone.locator("#merged-notice")).to_be_visible()
    screenshot(phone, "console merged ticket phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto(f"/console/tickets/{target}")
    phone.locator("#ticket-links").scroll_into_view_if_needed()
    screenshot(phone, "console target phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    customer = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(customer, "portal", live_customer)
    customer.goto(f"/portal/tickets/{duplicate}")
    portal_notice = customer.locator("#merged-notice")
    expect(portal_notice).to_contain_text(f"Merged into #{target}")
    expect(customer.locator("#history")).to_contain_text(f"We merged this request into #{target}")
    expect(customer.locator("#history")).not_to_contain_text("Linked")
    screenshot(customer, "portal merged ticket phone")
    assert customer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    portal_notice.get_by_role("link", name=f"#{target}").click()
    expect(customer).to_have_url(f"/portal/tickets/{target}")
    expect(customer.locator("#history")).not_to_contain_text(f"#{related}")


def test_a_merge_across_customers_is_refused_with_an_offer_to_link_and_one_customers_merge_goes_through(
    page: Page, new_context, live_agent, live_customer, add_customer, add_ticket, log_in, screenshot
) -> None:
    sam = add_customer("sam@example.com", name="Sam Stone")
    alices = add_ticket(live_customer, subject="Invoice 4711 is wrong", body="The total is off.")
    alices_again = add_ticket(live_customer, subject="Invoice 4711, again", body="Still off.")
    sams = add_ticket(sam, subject="My invoice", body="Sam's salary is on it.")

    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{sams}")
    mark_the_page(page)
    card = page.locator("#ticket-links")
    card.get_by_label("Merge into ticket").fill(str(alices))
    card.get_by_role("button", name="Merge…").click()
    expect(card.get_by_text(f"#{alices} is Alice Archer's ticket, not Sam Stone's")).to_be_visible()
    expect(card.get_by_role("button", name="Merge", exact=True)).to_have_count(0)
    offer = card.get_by_role("button", name=f"Link #{alices} as related instead")
    expect(offer).to_be_visible()
    assert_not_reloaded(page)
    screenshot(page, "console merge across customers refused")

    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "console", live_agent)
    phone.goto(f"/console/tickets/{sams}")
    phone_card = phone.locator("#ticket-links")
    phone_card.get_by_label("Merge into ticket").fill(str(alices))
    phone_card.get_by_role("button", name="Merge…").click()
    expect(phone_card.get_by_role("button", name=f"Link #{alices} as related instead")).to_be_visible()
    phone_card.scroll_into_view_if_needed()
    screenshot(phone, "console merge across customers refused phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    offer.click()
    expect(card.locator(".links__item")).to_contain_text(f"#{alices} Invoice 4711 is wrong")
    expect(page.locator("#history")).to_contain_text(f"Linked related ticket #{alices}")
    expect(page.locator("#merged-notice")).to_have_count(0)
    assert_not_reloaded(page)
    screenshot(page, "console linked instead")

    page.goto(f"/console/tickets/{alices_again}")
    card.get_by_label("Merge into ticket").fill(str(alices))
    card.get_by_role("button", name="Merge…").click()
    expect(card).to_contain_text(f"Merge #{alices_again} into #{alices} “Invoice 4711 is wrong”?")
    with page.expect_navigation():
        card.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator("#merged-notice")).to_contain_text(f"Merged into #{alices}")
    screenshot(page, "console same customer merged")

    customer = new_context().new_page()
    log_in(customer, "portal", sam)
    customer.goto(f"/portal/tickets/{sams}")
    expect(customer.locator("#merged-notice")).to_have_count(0)
    expect(customer.locator("#history")).not_to_contain_text("Linked")
    assert customer.goto(f"/portal/tickets/{alices}").status == 404


def test_after_an_old_merge_across_customers_each_customer_reads_only_their_own(
    page: Page, new_context, live_agent, live_customer, add_customer, add_ticket, in_live_app, log_in, screenshot
) -> None:
    sam = add_customer("sam@example.com", name="Sam Stone")
    alices = add_ticket(live_customer, subject="Invoice 4711 is wrong", body="The total is off.")
    sams = add_ticket(sam, subject="My invoice", body="Sam's salary is on it.")

    def merge_the_old_way():
        agent = accounts.find_agent(live_agent.email)
        duplicate, target = (db.session.scalar(select(Ticket).where(Ticket.number == n)) for n in (sams, alices))
        merge_as_before(duplicate, target, agent=agent)

    in_live_app(merge_the_old_way)
    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "portal", sam)
    phone.goto(f"/portal/tickets/{sams}")
    expect(phone.locator("#merged-notice")).to_contain_text("Merged with another request")
    expect(phone.locator("#reply-outcome")).to_contain_text("Your reply reopens it")
    phone.get_by_label("Your reply").fill("Sam asks: any news?")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send reply").click()
    expect(phone).to_have_url(re.compile(f"/portal/tickets/{sams}#e\\d+$"))
    expect(phone.locator("#history")).to_contain_text("Sam asks: any news?")
    screenshot(phone, "portal old merge reply stays home phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    log_in(page, "portal", live_customer)
    page.goto(f"/portal/tickets/{alices}")
    expect(page.locator("#history")).to_contain_text("The total is off.")
    expect(page.locator("#history")).not_to_contain_text("Sam")
    screenshot(page, "portal target of an old merge")

    console = new_context().new_page()
    log_in(console, "console", live_agent)
    console.goto(f"/console/tickets/{sams}")
    expect(console.locator("#merged-notice")).to_contain_text("its customer's replies stay on this ticket")
    expect(console.locator("#history")).to_contain_text("Sam asks: any news?")
    screenshot(console, "console old merge kept apart")
