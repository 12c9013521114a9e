"""End to end in Chromium: an agent takes down a phone call from a new customer, on a phone-sized
screen, and files an internal task for a colleague at desktop width."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from shared.core.extensions import db
from shared.models import OutboxMessage, Ticket
from tests.browser.conftest import DESKTOP, PHONE


def in_live_db(live_server, work):
    with live_server.app.test_request_context(base_url=live_server.url):
        return work()


def filed(live_server, number: int) -> dict:
    """What the live database holds for ticket `number`: its customer, channel and queued mail."""

    def read() -> dict:
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id)).all()
        customer = ticket.customer
        return {
            "customer": (customer.email, customer.name) if customer else None,
            "channel": ticket.channel,
            "status": ticket.status.key,
            "assignee": ticket.assignee.name if ticket.assignee else None,
            "mail": [(m.template, m.to_addr) for m in mails],
        }

    return in_live_db(live_server, read)


def test_an_agent_files_a_phone_call_from_a_new_customer_on_a_phone(
    new_context, live_server, live_agent, log_in, screenshot
) -> None:
    page: Page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(page, "console", live_agent)
    expect(page.get_by_role("heading", name="All open")).to_be_visible()
    screenshot(page, "the empty queue with its new ticket button")
    page.get_by_role("link", name="New ticket").click()
    expect(page).to_have_url("/console/tickets/new")
    expect(page.get_by_role("heading", name="New ticket")).to_be_visible()
    expect(page.get_by_role("radio", name="Phone")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sideways
    screenshot(page, "new ticket form at phone width")

    page.get_by_label("Name (optional)").fill("Nora Caller")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Subject").fill("Card reader rejects every card")
    page.get_by_label("Description").fill("She called: the reader says **declined** since this morning.")
    page.get_by_role("button", name="Create ticket").click()

    # The address was forgotten: the error sits by its field and the rest stays as typed.
    email = page.get_by_label("Customer's email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#customer_email-error")).to_have_text(re.compile("Enter the customer's email address"))
    expect(page.get_by_label("Subject")).to_have_value("Card reader rejects every card")
    expect(page.get_by_label("Name (optional)")).to_have_value("Nora Caller")
    expect(page.get_by_label("Priority")).to_have_value("high")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "the missing address at phone width")

    email.fill("nora@example.com")
    page.get_by_role("button", name="Create ticket").click()
    expect(page).to_have_url("/console/tickets/1001")
    expect(page.get_by_text("Ticket #1001 is filed for Nora Caller.")).to_be_visible()
    expect(page.locator("#history strong", has_text="declined")).to_be_visible()
    expect(page.get_by_text("nora@example.com")).to_be_visible()
    screenshot(page, "the filed ticket at phone width")

    assert filed(live_server, 1001) == {
        "customer": ("nora@example.com", "Nora Caller"),
        "channel": "phone",
        "status": "new",
        "assignee": None,
        "mail": [("ticket_created", "nora@example.com")],
    }


def test_an_internal_task_hides_the_customer_part_and_goes_to_a_colleague(
    new_context, live_server, live_agent, add_agent, log_in, screenshot
) -> None:
    add_agent("carol@desk.example", name="Carol Chen")
    page: Page = new_context(viewport=DESKTOP).new_page()
    log_in(page, "console", live_agent)
    page.goto("/console/tickets/new")
    customer_part = page.get_by_label("Customer's email")
    expect(customer_part).to_be_visible()
    screenshot(page, "new ticket form at desktop width")

    page.get_by_text("Internal task", exact=True).click()
    expect(customer_part).to_be_hidden()
    expect(page.get_by_role("radio", name="Phone")).to_be_hidden()
    page.get_by_label("Assign to").select_option(label="Carol Chen")
    page.get_by_label("Subject").fill("Renew the TLS certificate")
    page.get_by_label("Description").fill("It expires on Friday.")
    screenshot(page, "an internal task at desktop width")
    page.get_by_role("button", name="Create ticket").click()

    expect(page).to_have_url("/console/tickets/1001")
    expect(page.get_by_text("Internal task #1001 is filed.")).to_be_visible()
    assert filed(live_server, 1001) == {
        "customer": None,
        "channel": "agent",
        "status": "assigned",
        "assignee": "Carol Chen",
        "mail": [("agent_new_ticket", "carol@desk.example")],  # no customer to mail; the colleague hears of it
    }
    page.get_by_role("link", name="Queues").click()
    row = page.locator("#queue-list tr[data-number='1001']")
    expect(row).to_contain_text("Renew the TLS certificate")
    expect(row).to_contain_text("Internal task")
    screenshot(page, "the queue with the internal task")
