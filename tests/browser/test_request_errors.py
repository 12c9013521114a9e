"""End to end in Chromium: an htmx request the server refuses says so on the page, and nothing
the agent typed is lost."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, assert_not_reloaded, mark_the_page


@pytest.fixture
def app_config() -> dict:
    # One 1 MB file per message: the whole request may carry 2 MB, so a 3 MB file is refused at the door.
    return {"MAX_ATTACHMENT_MB": 1, "MAX_ATTACHMENTS_PER_MESSAGE": 1}


def test_an_upload_over_the_request_limit_is_explained_and_the_text_kept(
    page: Page, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="Scanner drops pages")
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    mark_the_page(page)

    page.locator("#reply-body").fill("Here is the full scan log.")
    page.get_by_label("Attachments").set_input_files(
        {"name": "scan.log", "mimeType": "text/plain", "buffer": b"x" * (3 * 1024 * 1024)}
    )
    page.get_by_role("button", name="Send reply").click()

    alert = page.locator("#request-error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("over the size limit")
    expect(page.locator("#reply-body")).to_have_value("Here is the full scan log.")
    expect(page.locator("#history .message")).to_have_count(1)  # only the customer's first message
    assert_not_reloaded(page)
    page.set_viewport_size(PHONE)
    screenshot(page, "refused-upload-on-a-phone")

    alert.get_by_role("button", name="Dismiss").click()
    expect(alert).to_be_hidden()
    page.get_by_label("Attachments").set_input_files([])
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#history .message")).to_have_count(2)
    expect(alert).to_be_hidden()
