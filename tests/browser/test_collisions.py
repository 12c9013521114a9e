"""End to end in Chromium, two agents on one ticket: each sees the other viewing and typing, and a
reply written while the other answered is held back until the new entry has been read."""

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, assert_not_reloaded, expect_said, mark_the_live_region, mark_the_page


def test_two_agents_see_each_other_and_a_stale_reply_waits(
    new_context, add_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="Card reader offline")
    ann, ben = add_agent("ann@desk.example", "Ann Archer"), add_agent("ben@desk.example", "Ben Brown")
    a, b = new_context(viewport=DESKTOP).new_page(), new_context(viewport=PHONE).new_page()
    for page, agent in ((a, ann), (b, ben)):
        log_in(page, "console", agent)
        page.goto(f"/console/tickets/{number}")
    mark_the_page(a)
    mark_the_live_region(b)

    a.locator("#reply-body").press_sequentially("We are on it")
    expect(b.locator("#presence")).to_contain_text("Ann Archer is typing a reply…", timeout=12_000)
    expect_said(b, "Ann Archer is typing a reply…")  # the strip polls every 5 s, and speaks when it changed
    expect(a.locator("#presence")).to_contain_text("Ben Brown is viewing", timeout=12_000)
    screenshot(b, "phone-typing-notice")

    b.locator("#reply-body").fill("Ben answered first")
    b.get_by_role("button", name="Send reply").click()
    expect(b.locator("#history")).to_contain_text("Ben answered first")

    a.get_by_role("button", name="Send reply").click()
    expect(a.get_by_role("alert")).to_contain_text("The ticket changed while you were writing")
    expect(a.get_by_role("alert")).to_be_focused()  # the notice, before the new entries
    expect(a.locator("#history")).to_contain_text("Ben answered first")
    expect(a.locator("#reply-body")).to_have_value("We are on it")
    screenshot(a, "desktop-stale-reply")
    a.get_by_role("button", name="Send reply").click()
    expect(a.locator("#history")).to_contain_text("We are on it")
    assert_not_reloaded(a)
