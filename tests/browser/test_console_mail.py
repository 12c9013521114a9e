"""End to end in Chromium: an admin finds a quarantined message by filtering the inbound log,
downloads it and retries it, or makes one the parser cannot read a ticket by hand; an agent accepts
held mail from the ticket page; an admin sends a failed message again and reads it in the demo's
caught mail. At desktop and phone width."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from shared.core.extensions import db
from shared.delivery import sending
from shared.mail import catcher as mail_catcher
from shared.models import InboundMessage, OutboxMessage
from shared.people import accounts
from tests.browser.conftest import DESKTOP, PHONE, Account, assert_not_reloaded, mark_the_page
from tests.databases import free_port
from tests.shared.mail.eml import raw as written_message
from tests.shared.mail.inbound import compose, deliver

ADA = Account("ada@desk.example", "Ada Admin")


@pytest.fixture
def app_config() -> dict:
    """One refused connection is enough to mark a message failed."""
    return {"MAIL_MAX_ATTEMPTS": 1}


@pytest.fixture
def live_admin(in_live_app) -> Account:
    in_live_app(lambda: accounts.create_agent(ADA.email, name=ADA.name, password=ADA.password, is_admin=True))
    return ADA


def test_an_admin_filters_the_inbound_log_downloads_a_quarantined_message_and_retries_it(
    page: Page, in_live_app, live_admin, log_in, screenshot
) -> None:
    def mail_in() -> tuple[int, bytes]:
        deliver(compose(sender="Alice Archer <alice@example.com>", subject="The printer is on fire"))
        deliver(compose(sender="dev@atlas.example", subject="Invoice copy, please"))
        accounts.create_customer("gone@example.com", name="Gone Gale").is_active = False
        db.session.commit()
        raw = compose(sender="Gone Gale <gone@example.com>", subject="Are you still there?", body="Hello?")
        return deliver(raw).id, raw

    inbound_id, raw = in_live_app(mail_in)
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_admin)
    page.get_by_role("banner").get_by_role("link", name="Administration").click()
    nav = page.get_by_role("complementary", name="Admin")
    expect(nav.get_by_role("link", name="Inbound mail 1 quarantined")).to_be_visible()  # what waits, in the menu
    nav.get_by_role("link", name="Inbound mail").click()
    expect(page.get_by_role("heading", name="Inbound mail")).to_be_visible()
    rows = page.locator("#mail-list tbody tr")
    expect(rows).to_have_count(3)
    screenshot(page, "inbound-log")

    # Quarantined only: the list is swapped in place and the address says so.
    mark_the_page(page)
    page.locator("label", has_text="Quarantined").click()
    expect(page).to_have_url("/console/admin/mail/inbound?state=quarantined&q=")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Are you still there?")
    expect(rows.first).to_contain_text("deactivated")
    assert_not_reloaded(page)
    page.get_by_placeholder("Sender or subject").fill("nobody-like-this")
    expect(page.get_by_role("heading", name="No message matches")).to_be_visible()
    page.get_by_placeholder("Sender or subject").fill("gone@")
    expect(rows).to_have_count(1)
    screenshot(page, "inbound-quarantined")

    rows.first.get_by_role("link", name="Are you still there?").click()
    expect(page.get_by_role("heading", name="Are you still there?")).to_be_visible()
    expect(page.get_by_text("Why it was not processed")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download original").click()
    download = download_info.value
    assert download.suggested_filename == f"inbound-{inbound_id}.eml"
    assert Path(download.path()).read_bytes() == raw
    screenshot(page, "quarantined-message")

    # The cause fixed (the customer is back), a retry opens the ticket.
    in_live_app(lambda: setattr(accounts.find_customer("gone@example.com"), "is_active", True))
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("Processed: Opened a ticket.")).to_be_visible()
    expect(page.locator(".mail-head .pill")).to_have_text("Processed")
    expect(page.get_by_role("link", name="Ticket #")).to_be_visible()
    assert in_live_app(lambda: db.session.get(InboundMessage, inbound_id).state) == "processed"
    screenshot(page, "retried")

    page.set_viewport_size(PHONE)
    page.goto("/console/admin/mail/inbound")
    expect(page.locator("#mail-list tbody tr")).to_have_count(3)
    screenshot(page, "inbound-log-phone")
    page.goto(f"/console/admin/mail/inbound/{inbound_id}")
    screenshot(page, "message-phone")


def test_an_admin_makes_a_message_the_parser_cannot_read_a_ticket(
    page: Page, in_live_app, live_admin, log_in, screenshot
) -> None:
    inbound_id = in_live_app(lambda: deliver(written_message("parts/nested_too_deep.eml")).id)
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_admin)
    page.goto(f"/console/admin/mail/inbound/{inbound_id}")
    expect(page.get_by_role("heading", name="Nested too deep")).to_be_visible()
    expect(page.locator(".mail-error")).to_contain_text("nested 1001 deep")
    expect(page.locator(".mail-text")).to_have_text("Please call me about the outage.")
    screenshot(page, "unreadable-message")
    page.set_viewport_size(PHONE)
    page.reload()
    for region in (".mail-error", ".mail-actions", ".mail-text"):  # the page's own parts fit the phone
        assert page.locator(region).bounding_box()["x"] + page.locator(region).bounding_box()["width"] <= 390
    screenshot(page, "unreadable-message-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("It failed again and is still quarantined")).to_be_visible()
    page.get_by_role("button", name="Make it a ticket").click()
    expect(page.get_by_text("The message is a new ticket: #")).to_be_visible()
    expect(page.locator(".mail-head .pill")).to_have_text("Processed")
    screenshot(page, "made-a-ticket")
    page.get_by_role("link", name="Ticket #").click()
    expect(page.get_by_role("heading", name="Nested too deep")).to_be_visible()
    message = page.locator("#history .message").first
    expect(message).to_contain_text("Please call me about the outage.")
    expect(message).to_contain_text("original.eml")
    screenshot(page, "salvaged-ticket")
    page.set_viewport_size(PHONE)
    screenshot(page, "salvaged-ticket-phone")


def test_an_agent_accepts_held_mail_on_the_ticket_page(
    page: Page, in_live_app, live_customer, live_agent, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, "The card reader keeps disconnecting")

    def carol_answers_the_acknowledgement() -> None:  # Alice forwarded it to her colleague
        ack = db.session.scalar(select(OutboxMessage.message_id).where(OutboxMessage.to_addr == live_customer.email))
        subject = f"Re: [#{number}] Mine too"
        deliver(compose(sender="Carol Chen <carol@example.com>", subject=subject, in_reply_to=ack, body="Same here!"))

    in_live_app(carol_answers_the_acknowledgement)
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    notice = page.locator("#held-mail")
    expect(notice).to_contain_text(
        "A message from carol@example.com matched this ticket but carol@example.com is not on it."
    )
    screenshot(page, "held-notice")
    page.set_viewport_size(PHONE)
    screenshot(page, "held-notice-phone")
    page.set_viewport_size(DESKTOP)

    notice.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Carol Chen is on the ticket now, and their message is posted.")).to_be_visible()
    expect(page.locator("#held-mail")).to_have_count(0)
    carol = page.locator("#history .message", has_text="Same here!").last
    expect(carol).to_contain_text("Carol Chen")
    screenshot(page, "accepted")


def test_an_admin_sends_failed_mail_again_and_reads_it_in_the_caught_mail(
    page: Page, live_server, in_live_app, live_admin, live_customer, add_ticket, log_in, screenshot
) -> None:
    app = live_server.app
    add_ticket(live_customer, "The card reader keeps disconnecting")
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    in_live_app(sending.deliver_due)
    failed = in_live_app(lambda: db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.state == "failed")))
    catcher_port = free_port()
    catcher = mail_catcher.start("127.0.0.1", catcher_port, app.config["MAIL_CATCHER_DIR"])
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{catcher_port}"
    try:
        page.set_viewport_size(DESKTOP)
        log_in(page, "console", live_admin)
        page.goto("/console/admin/mail/outbox")
        page.locator("label", has_text="Failed").click()
        expect(page.locator("#mail-list tbody tr")).to_have_count(1)
        screenshot(page, "outbox-failed")
        page.locator("#mail-list tbody tr a").first.click()
        expect(page.get_by_text("Gave up after 1 attempt.")).to_be_visible()
        expect(page.locator(".mail-error")).to_contain_text("Connection")
        screenshot(page, "failed-message")
        page.get_by_role("button", name="Send again").click()
        expect(page.get_by_text("is queued again, to be sent now")).to_be_visible()

        report = in_live_app(sending.deliver_due)
        assert report.sent >= 1 and in_live_app(lambda: db.session.get(OutboxMessage, failed).state) == "sent"
        page.reload()
        expect(page.locator(".mail-head .pill")).to_have_text("Sent")

        page.get_by_role("complementary", name="Admin").get_by_role("link", name="Caught mail").click()
        expect(page.get_by_role("heading", name="Caught mail")).to_be_visible()
        screenshot(page, "caught-mail")
        page.locator("tbody tr a", has_text="The card reader keeps disconnecting").first.click()
        frame = page.frame_locator("iframe.mail-frame")
        expect(frame.locator("body")).to_contain_text("The card reader keeps disconnecting")
        expect(page.locator(".mail-text")).to_contain_text("The card reader keeps disconnecting")
        screenshot(page, "caught-message")
        page.set_viewport_size(PHONE)
        screenshot(page, "caught-message-phone")
    finally:
        catcher.stop()
