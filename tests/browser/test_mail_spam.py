"""In Chromium: mail the receiving server marked as spam, held for an agent (issue 15). An admin
finds the held message in the inbound log and makes it a ticket; an agent sees a customer's reply
held as spam on the ticket page and lets it in. Desktop and phone width."""

from playwright.sync_api import Page, expect
from sqlalchemy import select

from shared.core.extensions import db
from shared.models import OutboxMessage
from shared.people import accounts
from tests.browser.conftest import DESKTOP, PHONE, Account
from tests.shared.mail.eml import read
from tests.shared.mail.inbound import deliver

ADA = Account("ada@desk.example", "Ada Admin")


def test_an_admin_makes_mail_held_as_spam_a_ticket(page: Page, in_live_app, log_in, screenshot) -> None:
    def mail_in() -> int:
        accounts.create_agent(ADA.email, name=ADA.name, password=ADA.password, is_admin=True)
        return deliver(read("spam", "spamassassin_en.eml")).id

    inbound_id = in_live_app(mail_in)
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", ADA)
    page.goto("/console/admin/mail/inbound?state=held")
    rows = page.locator("#mail-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("You have won a new printer!")
    rows.first.get_by_role("link", name="You have won a new printer!").click()
    expect(page.get_by_text("The receiving mail server marked this message as spam.")).to_be_visible()
    expect(page.locator(".mail-error")).to_contain_text("X-Spam-Flag: YES")
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    screenshot(page, "held-spam")
    page.set_viewport_size(PHONE)
    screenshot(page, "held-spam-phone")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Make it a ticket").click()
    expect(page.get_by_text("The message is a new ticket: #1001.")).to_be_visible()
    assert page.url.endswith(f"/console/admin/mail/inbound/{inbound_id}")


def test_an_agent_lets_in_a_reply_held_as_spam(
    page: Page, in_live_app, live_agent, log_in, add_customer, add_ticket, screenshot
) -> None:
    anna = add_customer("anna.berg@contoso.example", "Anna Berg")
    number = add_ticket(anna, "The printer is on fire")

    def spam_reply() -> None:
        ack = db.session.scalar(select(OutboxMessage.message_id).where(OutboxMessage.to_addr == anna.email))
        deliver(read("spam", "spam_reply_customer_en.eml", ack=ack))

    in_live_app(spam_reply)
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    notice = page.locator("#held-mail")
    expect(notice).to_contain_text("the receiving mail server marked it as spam")
    screenshot(page, "spam-notice")
    page.set_viewport_size(PHONE)
    screenshot(page, "spam-notice-phone")
    page.set_viewport_size(DESKTOP)
    notice.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Anna Berg is on the ticket now, and their message is posted.")).to_be_visible()
    expect(page.locator("#held-mail")).to_have_count(0)
    expect(page.locator("#history .message", has_text="the printer is on fire again").last).to_contain_text("Anna Berg")
    screenshot(page, "spam-accepted")
