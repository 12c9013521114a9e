"""The SLA in Chromium: an admin makes the calendar round-the-clock (a bad time zone refused first),
the list shows due chips with the exact time on hover, the Breaching soon and Overdue queues hold the
right tickets, and the ticket page's SLA card follows a reply without a reload; on a phone too."""

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from shared.core.clock import frozen_at, utcnow
from shared.core.extensions import db
from shared.models import Department
from shared.people import accounts
from shared.tickets import conversation
from tests.browser.conftest import DESKTOP, PHONE, assert_not_reloaded, mark_the_page


def test_due_times_queues_and_calendar(page: Page, live_agent, live_customer, in_live_app, log_in, screenshot) -> None:
    def open_urgent(subject: str, minutes_ago: int) -> int:
        with frozen_at(utcnow() - timedelta(minutes=minutes_ago)):
            customer = accounts.find_customer(live_customer.email)
            general = db.session.scalar(db.select(Department).where(Department.name == "General"))
            ticket = conversation.open_ticket(
                actor=customer,
                customer=customer,
                department=general,
                subject=subject,
                body="Please help.",
                priority="urgent",
            )
            return ticket.number

    def make_admin() -> None:
        accounts.find_agent(live_agent.email).is_admin = True

    in_live_app(make_admin)
    soon = in_live_app(lambda: open_urgent("Card reader rejects every card", 10))
    late = in_live_app(lambda: open_urgent("Checkout is down", 180))
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)

    # The admin makes the standard hours round-the-clock, so the clocks run whenever the test does.
    page.goto("/console/admin/sla")
    expect(page.get_by_role("heading", name="Targets by priority")).to_be_visible()
    screenshot(page, "sla-settings")
    page.get_by_role("link", name="Standard hours").first.click()
    page.get_by_label("Saturday").check()
    page.get_by_label("Sunday").check()
    page.get_by_label("Opens at").fill("00:00")
    page.get_by_label("Closes at").fill("23:59")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#timezone-error")).to_have_text(re.compile("Choose a time zone from the list"))
    expect(page.get_by_label("Sunday")).to_be_checked()  # nothing typed is lost
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash--success")).to_have_text("Changes saved.")
    page.get_by_label("Date").fill("2031-12-25")
    page.get_by_label("What it is").fill("Christmas Day")
    page.get_by_role("button", name="Add holiday").click()
    expect(page.locator(".holidays")).to_contain_text("Christmas Day")
    screenshot(page, "calendar")

    # The list: amber within the hour, red once overdue, the exact due time on hover.
    page.goto("/console/")
    mark_the_page(page)
    soon_chip = page.locator(f'tr[data-number="{soon}"] .sla')
    expect(soon_chip).to_have_class(re.compile("sla--soon"))
    expect(soon_chip).to_have_text(re.compile(r"^due in \d+ min$"))
    expect(soon_chip).to_have_attribute("title", re.compile("^Due "))
    expect(page.locator(f'tr[data-number="{late}"] .sla')).to_have_class(re.compile("sla--overdue"))
    nav = page.locator("#queue-nav")
    expect(nav.get_by_role("link", name=re.compile("^Breaching soon")).locator(".sidebar__count")).to_have_text("1")
    expect(nav.get_by_role("link", name=re.compile("^Overdue")).locator(".sidebar__count")).to_have_text("1")
    screenshot(page, "list")
    nav.get_by_role("link", name=re.compile("^Breaching soon")).click()
    expect(page).to_have_url("/console/?queue=breaching_soon")
    expect(page.locator("#queue-list tr[data-number]")).to_have_count(1)
    expect(page.locator(f'#queue-list tr[data-number="{soon}"]')).to_be_visible()
    nav.get_by_role("link", name=re.compile("^Overdue")).click()
    expect(page).to_have_url("/console/?queue=overdue")
    expect(page.locator("#queue-list tr[data-number]")).to_have_count(1)
    assert_not_reloaded(page)
    screenshot(page, "overdue-queue")

    # The ticket: first response overdue, resolution running; a reply meets one and pauses the other.
    page.locator(f'#queue-list tr[data-number="{late}"] a.row__subject').click()
    card = page.locator("#ticket-sla")
    expect(card.locator('[data-target="first_response"]')).to_contain_text("overdue")
    expect(card.locator('[data-target="resolution"]')).to_contain_text("due in")
    screenshot(page, "ticket")
    mark_the_page(page)
    page.locator("#reply-body").fill("We are on it: the payment provider is restarting.")
    page.get_by_role("button", name="Send reply").click()
    expect(card.locator('[data-target="first_response"]')).to_contain_text("Met late")
    expect(card.locator('[data-target="resolution"]')).to_contain_text("Paused")
    assert_not_reloaded(page)
    screenshot(page, "ticket-replied")

    page.set_viewport_size(PHONE)
    page.goto("/console/?queue=breaching_soon")
    expect(page.locator(f'tr[data-number="{soon}"] .sla')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "list-phone")
    page.goto(f"/console/tickets/{late}")
    expect(page.locator("#ticket-sla")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "ticket-phone")
    page.goto("/console/admin/sla")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "sla-settings-phone")
