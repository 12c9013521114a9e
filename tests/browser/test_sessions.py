"""End to end in Chromium: an agent and a customer see where they are logged in and end a session."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE

PHONE_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_an_agent_ends_a_session_left_open_on_a_phone(page: Page, new_context, live_agent, log_in, screenshot) -> None:
    phone = new_context(viewport=PHONE, user_agent=PHONE_BROWSER).new_page()
    log_in(phone, "console", live_agent)
    log_in(page, "console", live_agent)

    page.get_by_role("link", name=live_agent.name).click()
    expect(page).to_have_url("/console/profile")
    sessions = page.locator("#sessions")
    expect(sessions.get_by_role("listitem")).to_have_count(2)
    expect(sessions.get_by_text("This session")).to_have_count(1)
    expect(sessions.get_by_text("Safari · iPhone")).to_be_visible()
    screenshot(page, "profile-two-sessions")

    page.evaluate("document.body.dataset.marker = 'same page'")
    sessions.get_by_role("button", name="End the session of Safari · iPhone").click()
    expect(page.get_by_role("main").get_by_text("That session is ended: it has to log in again.")).to_be_visible()
    expect(sessions.get_by_role("listitem")).to_have_count(1)
    assert page.evaluate("document.body.dataset.marker") == "same page"  # swapped by htmx, no reload
    screenshot(page, "profile-one-session")

    phone.reload()
    expect(phone).to_have_url("/console/login?next=/console/?")
    expect(phone.get_by_role("button", name="Log in")).to_be_visible()


def test_a_customer_ends_all_other_sessions_and_the_list_fits_a_phone(
    page: Page, new_context, live_customer, log_in, screenshot
) -> None:
    others = [new_context(user_agent=PHONE_BROWSER).new_page() for _ in range(2)]
    for other in others:
        log_in(other, "portal", live_customer)
    page.set_viewport_size(PHONE)
    log_in(page, "portal", live_customer)
    page.goto("/portal/profile")
    expect(page.locator("#sessions").get_by_role("listitem")).to_have_count(3)
    screenshot(page, "portal-profile-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name="End all other sessions").click()
    expect(page.get_by_role("main").get_by_text("2 other sessions are ended.")).to_be_visible()
    expect(page.locator("#sessions").get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_role("button", name="End all other sessions")).to_have_count(0)
    page.set_viewport_size(DESKTOP)
    screenshot(page, "portal-profile-desktop")
    for other in others:
        other.goto("/portal/tickets")
        expect(other).to_have_url("/portal/login?next=/portal/tickets?")
