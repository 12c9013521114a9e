"""In Chromium: the customer card of a ticket whose customer's address bounced, with a forged
agent mail held beside it; the agent clears the address. Desktop and phone width."""

from playwright.sync_api import Page, expect
from sqlalchemy import select

from shared.core.extensions import db
from shared.mail import intake
from shared.models import OutboxMessage, Ticket
from shared.outgoing import bounces
from tests.browser.conftest import DESKTOP, PHONE
from tests.shared.mail.inbound import compose, dsn


def test_an_agent_sees_a_bounced_address_and_a_forged_agent_mail_and_clears_the_address(
    page: Page, live_agent, live_customer, add_ticket, in_live_app, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="Card reader offline", body="It blinks red since this morning.")

    def mail_comes_back() -> None:
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        ack = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == live_customer.email))
        returned = f"From: desk\r\nTo: {ack.to_addr}\r\nMessage-ID: {ack.message_id}\r\nSubject: x".encode()
        bounce = dsn(returned, recipient=live_customer.email)
        forged = compose(sender=f"Bob <{live_agent.email}>", in_reply_to=ack.message_id, body="Refund approved.")
        for raw in (bounce, forged):
            inbound, _new = intake.receive(raw, source="pipe")
            intake.process_one(inbound.id)
        assert ticket.number == number

    in_live_app(mail_comes_back)
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    card = page.locator(".customer-card__bounce")
    expect(card).to_contain_text("Mail to this address bounced")
    expect(card).to_contain_text("5.1.1")
    held = page.locator("#held-mail")
    expect(held).to_contain_text("it may be forged")
    expect(held.get_by_role("button", name="Accept")).to_have_count(0)
    card.scroll_into_view_if_needed()  # the side panel scrolls on its own
    screenshot(page, "console ticket with a bounced address")
    page.set_viewport_size(PHONE)
    card.scroll_into_view_if_needed()
    screenshot(page, "console ticket with a bounced address phone")
    page.set_viewport_size(DESKTOP)

    card.get_by_role("button", name="Clear: the address works again").click()
    expect(page.locator(".flash--success")).to_contain_text(f"Mail to {live_customer.email} goes out again.")
    expect(page.locator(".customer-card__bounce")).to_have_count(0)
    assert in_live_app(lambda: bounces.active(live_customer.email)) is None
    screenshot(page, "console ticket after clearing")
