"""End to end in Chromium: a ticket waiting on the customer for five days of a seven-day rule 7 gets
its reminder from the timers; the agent sees it as a history line, the customer (on a phone) as a
system note on the ticket."""

from datetime import timedelta

from playwright.sync_api import Page, expect

from shared.core.clock import frozen_at
from shared.core.extensions import db
from shared.models import Department, utcnow
from shared.people import accounts
from shared.tickets import conversation, reminders
from tests.browser.conftest import DESKTOP, PHONE

NOTE = "If we do not hear from you within 2 days, we will close this request."


def test_the_reminder_shows_in_the_console_and_the_portal(
    page: Page, new_context, live_agent, live_customer, in_live_app, log_in, screenshot
) -> None:
    def wait_six_days_then_run_the_timer() -> int:
        with frozen_at(utcnow() - timedelta(days=6, hours=1)):
            customer = accounts.find_customer(live_customer.email)
            department = db.session.scalar(db.select(Department).where(Department.name == "General"))
            ticket = conversation.open_ticket(
                actor=customer,
                customer=customer,
                department=department,
                subject="Card reader offline",
                body="It blinks red.",
            )
        with frozen_at(utcnow() - timedelta(days=6)):
            conversation.post_reply(
                ticket, actor=accounts.find_agent(live_agent.email), body="Which firmware is it on?"
            )
        assert reminders.remind_pending() == 1
        return ticket.number

    number = in_live_app(wait_six_days_then_run_the_timer)

    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    history = page.locator("#history")
    expect(history.locator(".event--reminder")).to_contain_text(
        "Reminder mailed to the customer: closes in 2 days without a reply"
    )
    expect(history.locator(".message--system")).to_contain_text(NOTE)
    screenshot(page, "console-ticket-with-reminder")

    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "portal", live_customer)
    phone.goto(f"/portal/tickets/{number}")
    expect(phone.get_by_text(NOTE)).to_be_visible()
    expect(phone.get_by_text("Reminder mailed")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "portal-ticket-with-reminder-phone")
