"""Links and merge in a browser: an agent links two tickets in place, merges a duplicate and sees where
it went; its customer sees "Merged into" in the portal and follows it; both pages fit a phone."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, assert_not_reloaded, mark_the_page


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
