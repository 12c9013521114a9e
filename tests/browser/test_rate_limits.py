"""The abuse limits as people meet them in Chromium: a customer filing too fast keeps the form and
reads when to try again; a login tried too often says the same, at desktop and phone widths."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Account

FLOOD = "Too many new tickets in a short time. You can file this one in"


@pytest.fixture
def app_config() -> dict:
    return {
        "RATELIMIT_ENABLED": True,
        "TICKET_ACCOUNT_RATE_LIMIT": "1 per hour",
        "LOGIN_ADDRESS_RATE_LIMIT": "2 per 15 minutes",
    }


def file_ticket(page: Page, subject: str) -> None:
    page.goto("/portal/tickets/new")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Describe what happened").fill("The export stops at **row 10**.")
    with page.expect_navigation():
        page.get_by_role("button", name="File ticket").click()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_customer_filing_too_fast_keeps_the_form_and_reads_when_to_try_again(
    page: Page, live_customer: Account, log_in, screenshot, size
) -> None:
    page.set_viewport_size(size)
    log_in(page, "portal", live_customer)
    file_ticket(page, "Export stops")
    expect(page.get_by_text("is filed")).to_be_visible()
    file_ticket(page, "Export stops again")
    expect(page.get_by_role("alert")).to_contain_text(FLOOD)
    expect(page.get_by_label("Subject")).to_have_value("Export stops again")
    expect(page.get_by_label("Describe what happened")).to_have_value("The export stops at **row 10**.")
    screenshot(page, "filing held back")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_login_tried_too_often_says_when_to_try_again(page: Page, live_customer: Account, screenshot, size) -> None:
    page.set_viewport_size(size)
    for _ in range(3):
        page.goto("/portal/login")
        page.get_by_label("Email").fill(live_customer.email)
        page.get_by_label("Password").fill("a wrong guess")
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.get_by_text("Please wait: you can try again in")).to_be_visible()
    screenshot(page, "login held back")
