"""The portal's flows in Chromium, as a customer: filing with the live preview, replying, the same
without JavaScript, other people's tickets, replies to long-closed tickets, phones and keyboards."""

import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from shared.core.clock import frozen_at
from shared.core.extensions import db
from shared.models import Department, OutboxMessage, Product, Ticket, utcnow
from shared.people import accounts
from shared.tickets import conversation, properties, rules
from shared.tickets.attachments import Upload
from tests.browser.conftest import Account, LiveServer
from tests.browser.test_login import expect_image_shown, small_png

TEXT_LOG = b"2026-03-02 09:00:01 export started\n2026-03-02 09:00:07 ERROR total mismatch\n"


def in_live_app(live_server: LiveServer):
    return live_server.app.test_request_context(base_url=live_server.url)


@pytest.fixture
def catalog(live_server: LiveServer) -> None:
    """A second department and two products, so the form has real choices."""
    with in_live_app(live_server):
        billing = Department(name="Billing")
        db.session.add_all([billing, Product(name="Booking app", department=billing), Product(name="Website")])
        db.session.commit()


def live_ticket(live_server: LiveServer, number: int) -> Ticket:
    """The ticket as the database has it now (read in a throwaway context; use its plain values only)."""
    with in_live_app(live_server):
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
        assert ticket is not None
        db.session.expunge_all()
        return ticket


@pytest.fixture
def ticket_with_file(live_server: LiveServer) -> Callable[..., tuple[int, int]]:
    """File a ticket with one attachment for `customer`, straight in the database: (number, attachment id)."""

    def add(customer: Account, subject: str, filename: str = "statement.png") -> tuple[int, int]:
        with in_live_app(live_server):
            account = accounts.find_customer(customer.email)
            department = db.session.scalar(db.select(Department).where(Department.name == "General"))
            ticket = conversation.open_ticket(
                actor=account,
                customer=account,
                department=department,
                subject=subject,
                body="My card ending **4242** was charged twice.",
                uploads=[Upload(filename, small_png())],
            )
            db.session.commit()
            return ticket.number, ticket.entries[0].attachments[0].id

    return add


def preview_of(page: Page):
    return page.locator("#body-preview")


# --- Filing and replying, with the live preview ------------------------------------------


def test_customer_files_a_bug_with_two_files_watching_the_preview_then_replies(
    page: Page, live_server, live_customer, catalog, log_in, screenshot
) -> None:
    log_in(page, "portal", live_customer)
    page.get_by_role("link", name="New ticket").click()
    expect(page).to_have_url("/portal/tickets/new")
    expect(page.get_by_role("group", name="Type")).to_be_visible()
    expect(page.get_by_label("Question")).to_be_checked()
    expect(page.get_by_label("Bug report")).to_have_accessible_description(re.compile("Something is broken"))
    expect(preview_of(page)).to_contain_text("Your message appears here")
    expect(page.get_by_text("Up to 10 files, 20 MB each.")).to_be_visible()
    screenshot(page, "new-ticket-empty")

    page.locator(".choice-card").filter(has_text="Something is broken").click()  # anywhere on the card
    expect(page.get_by_label("Bug report")).to_be_checked()
    page.get_by_label("Department").select_option(label="Billing")
    page.get_by_label("Product or service").select_option(label="Booking app")
    page.get_by_label("Subject").fill("The invoice total is wrong")

    body = page.get_by_label("Describe what happened")
    # Typed markup shows as text in the preview, and never runs.
    body.fill('<script>window.owned = 1</script> <img src=x onerror="window.owned = 2">')
    expect(preview_of(page)).to_contain_text("<script>window.owned = 1</script>")
    assert page.evaluate("window.owned") is None
    expect(preview_of(page).locator("script, img")).to_have_count(0)

    body.fill("The total says **€0.00** but I paid €42.\n\n- booked on Monday\n- paid by card")
    expect(preview_of(page).locator("strong")).to_have_text("€0.00")
    expect(preview_of(page).get_by_role("listitem")).to_have_count(2)
    page.get_by_label("Attachments").set_input_files(
        [
            {"name": "invoice.png", "mimeType": "image/png", "buffer": small_png()},
            {"name": "export.log", "mimeType": "text/plain", "buffer": TEXT_LOG},
        ]
    )
    screenshot(page, "new-ticket-with-preview")
    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+$"))
    number = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_text(f"Ticket #{number} is filed. We sent you a confirmation.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{number} The invoice total is wrong")
    first = page.locator("#history > li").first
    expect(first).to_contain_text(live_customer.name)
    expect(first.locator(".avatar")).to_have_text("AA")
    expect(first.locator("strong", has_text="€0.00")).to_be_visible()
    expect_image_shown(page, "invoice.png")
    log_chip = page.get_by_role("link", name=re.compile(r"export\.log"))
    expect(log_chip).to_have_attribute("href", re.compile(rf"/portal/tickets/{number}/attachments/\d+$"))
    expect(page.get_by_role("img", name="export.log")).to_have_count(0)  # only images are shown inline
    screenshot(page, "ticket-filed")

    ticket = live_ticket(live_server, number)
    assert (ticket.type, ticket.channel) == ("bug", "web")
    with in_live_app(live_server):
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
        assert (ticket.department.name, ticket.product.name) == ("Billing", "Booking app")
        [ack] = db.session.scalars(db.select(OutboxMessage)).all()
        assert ack.to_addr == live_customer.email and ack.subject.startswith(f"[#{number}]")

    reply = page.get_by_label("Your reply")
    reply.fill("Found the bank line: **2026-03-02, €42.00**.")
    expect(preview_of(page).locator("strong")).to_have_text("2026-03-02, €42.00")
    page.get_by_role("button", name="Send reply").click()
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{number}#e\d+$"))
    expect(page.locator("#history > li")).to_have_count(2)
    expect(page.locator("#history > li").last.locator(".prose strong")).to_have_text("2026-03-02, €42.00")
    expect(preview_of(page)).to_contain_text("Your message appears here")  # a fresh, empty form
    screenshot(page, "replied")


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_filing_and_replying_work_without_javascript(page: Page, live_customer, catalog, log_in, screenshot) -> None:
    log_in(page, "portal", live_customer)
    expect(page).to_have_url("/portal/tickets")
    page.get_by_role("link", name="New ticket").click()
    expect(preview_of(page)).to_be_hidden()  # nothing would update it
    page.get_by_label("Feature request").check()
    page.get_by_label("Department").select_option(label="Billing")
    page.get_by_label("Subject").fill("Export to CSV")
    page.get_by_label("Describe what happened").fill("Please add a **CSV** export.")
    page.get_by_label("Attachments").set_input_files(
        {"name": "mockup.png", "mimeType": "image/png", "buffer": small_png(rgb=(40, 120, 220))}
    )
    screenshot(page, "new-ticket")
    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+$"))
    number = page.url.rsplit("/", 1)[1]
    expect(page.get_by_text(f"Ticket #{number} is filed.")).to_be_visible()
    expect(page.locator("#history .prose strong")).to_have_text("CSV")
    expect(page.get_by_role("img", name="mockup.png")).to_be_visible()
    screenshot(page, "ticket-filed")

    page.get_by_role("button", name="Send reply").click()  # empty: the error sits by the field
    expect(page.get_by_label("Your reply")).to_have_accessible_description(re.compile("Write a message"))
    page.get_by_label("Your reply").fill("Excel would be fine too.")
    page.get_by_role("button", name="Send reply").click()
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{number}#e\d+$"))
    expect(page.locator("#history > li").last).to_contain_text("Excel would be fine too.")
    screenshot(page, "replied")


# --- What a customer can never reach -----------------------------------------------------


def test_another_customers_ticket_and_file_are_not_found(
    new_context, live_customer, add_customer, ticket_with_file, log_in, screenshot
) -> None:
    number, attachment_id = ticket_with_file(live_customer, "Charged twice for booking 7781")
    mallory = add_customer("mallory@example.com", name="Mallory Moss")
    page = new_context().new_page()
    log_in(page, "portal", mallory)
    expect(page).to_have_url("/portal/tickets")

    for path in (
        f"/portal/tickets/{number}",
        f"/portal/tickets/{number}/attachments/{attachment_id}",
        f"/portal/tickets/{number}/attachments/{attachment_id}?inline=1",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", name="Nothing here")).to_be_visible()
        content = page.content()
        for secret in ("Charged twice", "7781", "4242", "statement.png", live_customer.name, live_customer.email):
            assert secret not in content, (path, secret)
    screenshot(page, "not-found")

    # A crafted rating, with a valid token, is refused alike for their ticket and for a number nobody has.
    token = json.loads(page.locator("body").get_attribute("hx-headers"))["X-CSRFToken"]
    answers = [
        page.request.post(f"/portal/tickets/{n}/rating", form={"score": "1"}, headers={"X-CSRFToken": token})
        for n in (number, number + 500)
    ]
    assert [answer.status for answer in answers] == [404, 404]
    # Alike but for the page's fresh CSRF token, which is signed with the time of the response.
    token_pattern = re.compile(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+')
    bodies = [token_pattern.sub(r"\1TOKEN", answer.text()) for answer in answers]
    assert bodies[0] == bodies[1]

    # The owner, in their own browser, gets both.
    owner = new_context().new_page()
    log_in(owner, "portal", live_customer)
    assert owner.goto(f"/portal/tickets/{number}").status == 200
    expect_image_shown(owner, "statement.png")


# --- A reply long after closing ------------------------------------------------------------


def test_a_reply_to_a_ticket_closed_long_ago_opens_a_linked_ticket_and_says_so(
    page: Page, live_server, live_customer, live_agent, add_ticket, log_in, screenshot
) -> None:
    with frozen_at(utcnow() - timedelta(days=60)):
        number = add_ticket(live_customer, subject="Double booking on Fridays")
    with in_live_app(live_server), frozen_at(utcnow() - timedelta(days=45)):
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
        agent = accounts.find_agent(live_agent.email)
        conversation.post_reply(ticket, actor=agent, body="Fixed in version 4.2, please update.")
        properties.change_status(ticket, rules.status_by_key("closed"), actor=agent)
        db.session.commit()

    log_in(page, "portal", live_customer)
    page.goto(f"/portal/tickets/{number}")
    expect(page.locator(".ticket-head")).to_contain_text("Closed")
    notice = page.locator("#reply-outcome")
    expect(notice).to_contain_text("Your reply starts a new ticket that continues this one")
    screenshot(page, "closed-long-ago")

    page.get_by_label("Your reply").fill("It is **back** since last week.")
    page.get_by_role("button", name="Send reply").click()
    new_number = number + 1
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{new_number}#e\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{new_number} Double booking on Fridays")
    expect(page.get_by_role("status")).to_contain_text(
        f"This continues your earlier request #{number}. It was closed a while ago, "
        f"so your message opened this new ticket, #{new_number}."
    )
    expect(page.locator(".ticket-head").get_by_role("link", name=f"#{number}")).to_be_visible()
    expect(page.locator("#history > li")).to_have_count(1)
    expect(page.locator("#history .prose strong")).to_have_text("back")
    expect(page.locator("#reply-outcome")).to_have_count(0)  # the new ticket is open
    screenshot(page, "follow-up")

    page.locator(".ticket-head").get_by_role("link", name=f"#{number}").click()
    expect(page).to_have_url(f"/portal/tickets/{number}")
    expect(page.get_by_text("It is back since last week.")).to_have_count(0)  # the old one is untouched
    with in_live_app(live_server):
        linked = db.session.scalar(db.select(Ticket).where(Ticket.number == new_number))
        assert linked.follows.number == number and linked.customer.email == live_customer.email


# --- Phones and keyboards ------------------------------------------------------------------


@pytest.mark.browser_context_args(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
def test_the_portal_pages_fit_a_phone(page: Page, live_customer, catalog, add_ticket, log_in, screenshot) -> None:
    add_ticket(live_customer, subject="Reminder emails arrive a day late")
    log_in(page, "portal", live_customer)
    expect(page).to_have_url("/portal/tickets")
    screenshot(page, "my-tickets")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="New ticket").click()
    page.locator(".choice-card").filter(has_text="Feature request").tap()
    expect(page.get_by_label("Feature request")).to_be_checked()
    page.get_by_label("Department").select_option(label="Billing")
    page.get_by_label("Product or service").select_option(label="Website")
    page.get_by_label("Subject").fill("Let customers pay a deposit online when they book")
    page.get_by_label("Describe what happened").fill("A **20 %** deposit would stop no-shows.\n\n1. book\n2. pay")
    expect(preview_of(page).locator("strong")).to_have_text("20 %")
    screenshot(page, "new-ticket")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="File ticket").tap()

    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+$"))
    page.get_by_label("Your reply").fill("Also **Apple Pay**, if possible.")
    expect(preview_of(page).locator("strong")).to_have_text("Apple Pay")
    screenshot(page, "ticket")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Send reply").tap()
    expect(page.locator("#history > li")).to_have_count(2)
    screenshot(page, "replied")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


FOCUS_RING = """el => {
  // The element that draws the focus ring: a radio's is drawn by its card.
  const ring = el.closest('.choice-card') || el;
  const style = getComputedStyle(ring);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {id: el.id || el.textContent.trim(), visible: outline || style.boxShadow !== 'none'};
}"""


def test_keyboard_focus_is_visible_on_the_new_ticket_form(page: Page, live_customer, log_in, screenshot) -> None:
    log_in(page, "portal", live_customer)
    page.goto("/portal/tickets/new")
    seen = []
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        ring = focused.evaluate(FOCUS_RING)
        seen.append(ring["id"])
        assert ring["visible"], f"no visible focus on {ring['id']!r}"
        if ring["id"] == "type-question":
            break
    assert seen[0] == "Skip to content" and seen[-1] == "type-question", seen

    card = page.locator(".choice-card").first
    focused_look = card.screenshot()
    screenshot(page, "focus-on-type")
    page.keyboard.press("ArrowRight")  # arrows move within the radio group
    expect(page.get_by_label("Feature request")).to_be_checked()
    expect(page.get_by_label("Feature request")).to_be_focused()
    assert card.screenshot() != focused_look  # the ring moved on, visibly

    for label in ("Department", "Product or service", "Subject", "Describe what happened"):
        page.keyboard.press("Tab")
        expect(page.get_by_label(label)).to_be_focused()
        assert page.evaluate_handle("document.activeElement").evaluate(FOCUS_RING)["visible"]
    page.keyboard.type("Typed **by keyboard**")
    expect(preview_of(page).locator("strong")).to_have_text("by keyboard")
    screenshot(page, "focus-on-body")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Attachments")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="File ticket")).to_be_focused()
    assert page.evaluate_handle("document.activeElement").evaluate(FOCUS_RING)["visible"]
