"""End to end in Chromium: customers and agents log in, file, answer and read tickets."""

import re
import struct
import zlib
from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect


def small_png(width: int = 24, height: int = 16, rgb: tuple[int, int, int] = (220, 60, 40)) -> bytes:
    """A valid PNG of one colour, made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def expect_image_shown(page: Page, name: str) -> None:
    image = page.get_by_role("img", name=name)
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    # Decoded and drawn, not a broken-image icon.
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0


def choose(page: Page, option: str) -> None:
    """Pick a radio option by clicking its label, which is what a person sees and clicks."""
    page.locator("label").filter(has_text=option).click()
    expect(page.get_by_label(option, exact=True)).to_be_checked()


def test_customer_files_a_ticket_with_an_image_replies_and_logs_out(
    page: Page, live_customer, log_in, screenshot
) -> None:
    page.goto("/portal/login")
    expect(page.get_by_role("heading", name="Log in to your support account")).to_be_visible()
    screenshot(page, "login")

    log_in(page, "portal", live_customer)
    expect(page).to_have_url("/portal/tickets")
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(page.get_by_text("No tickets yet")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text(live_customer.name)
    screenshot(page, "my-tickets-empty")

    page.get_by_role("link", name="New ticket").click()
    expect(page).to_have_url("/portal/tickets/new")
    page.get_by_label("Bug report").check()
    page.get_by_label("Subject").fill("Invoice 1042 shows the wrong amount")
    page.get_by_label("Describe what happened").fill("It says **€0.00** but I paid €42.")
    page.get_by_label("Attachments").set_input_files(
        {"name": "invoice.png", "mimeType": "image/png", "buffer": small_png()}
    )
    screenshot(page, "new-ticket-filled")
    page.get_by_role("button", name="File ticket").click()

    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+$"))
    number = page.url.rsplit("/", 1)[1]
    expect(page.get_by_text(f"Ticket #{number} is filed.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{number} Invoice 1042 shows the wrong amount")
    expect(page.get_by_text("It says €0.00 but I paid €42.")).to_be_visible()
    expect_image_shown(page, "invoice.png")
    screenshot(page, "ticket-filed")

    page.get_by_label("Your reply").fill("Here is the bank statement line: 2026-11-20, €42.00.")
    page.get_by_role("button", name="Send reply").click()
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{number}(#e\d+)?$"))
    expect(page.get_by_text("Here is the bank statement line: 2026-11-20, €42.00.")).to_be_visible()
    screenshot(page, "replied")

    page.get_by_role("link", name="My tickets").first.click()
    expect(page.get_by_role("link", name=re.compile(rf"#{number}\b.*Invoice 1042"))).to_be_visible()
    screenshot(page, "my-tickets-with-ticket")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/portal/login")
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    screenshot(page, "logged-out")

    page.goto(f"/portal/tickets/{number}")
    expect(page).to_have_url(re.compile(r"/portal/login\?next="))
    expect(page.get_by_text("Invoice 1042")).to_have_count(0)


def test_wrong_password_and_unknown_address_get_the_same_answer(page: Page, live_customer, log_in, screenshot) -> None:
    log_in(page, "portal", replace(live_customer, password="not my password"))
    expect(page).to_have_url("/portal/login")
    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_accessible_description(re.compile(r"Wrong email or password\."))
    wrong_password = page.get_by_role("main").inner_text()
    screenshot(page, "wrong-password")

    log_in(page, "portal", replace(live_customer, email="nobody@example.com"))
    expect(page).to_have_url("/portal/login")
    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    screenshot(page, "unknown-address")
    assert page.get_by_role("main").inner_text() == wrong_password

    page.goto("/portal/tickets")
    expect(page).to_have_url(re.compile(r"/portal/login"))


def test_agent_answers_and_the_customer_sees_the_reply_but_not_the_note(
    new_context, live_customer, live_agent, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="The printer is on fire", body="Smoke everywhere.")
    note = "Checked the logs: their toner is a counterfeit."
    reply = "Please unplug the printer and send us a photo of the label."

    agent = new_context().new_page()
    log_in(agent, "console", live_agent)
    expect(agent).to_have_url("/console/")
    queue_row = agent.get_by_role("row").filter(has_text="The printer is on fire")
    expect(queue_row).to_contain_text(f"#{number}")
    expect(queue_row).to_contain_text(live_customer.name)
    screenshot(agent, "queue")

    queue_row.get_by_role("link", name="The printer is on fire").click()
    expect(agent).to_have_url(f"/console/tickets/{number}")
    expect(agent.get_by_role("heading", level=1)).to_have_text(f"#{number} The printer is on fire")
    expect(agent.get_by_text("Smoke everywhere.")).to_be_visible()
    status_badge = agent.locator(".ticket-head").get_by_text("Waiting on customer")
    expect(status_badge).to_have_count(0)
    screenshot(agent, "ticket")

    choose(agent, "Internal note")
    agent.get_by_label("Message").fill(note)
    agent.get_by_role("button", name="Add internal note").click()
    expect(agent).to_have_url(f"/console/tickets/{number}")
    expect(agent.get_by_role("listitem").filter(has_text=note)).to_contain_text("Internal note")
    screenshot(agent, "note-added")

    choose(agent, "Public reply")
    agent.get_by_label("Message").fill(reply)
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.get_by_text(reply)).to_be_visible()
    expect(agent.get_by_role("listitem").filter(has_text=reply)).not_to_contain_text("Internal note")
    expect(status_badge).to_be_visible()
    screenshot(agent, "replied")

    customer = new_context().new_page()
    log_in(customer, "portal", live_customer)
    expect(customer).to_have_url("/portal/tickets")
    customer.get_by_role("link", name=re.compile(r"The printer is on fire")).click()
    expect(customer).to_have_url(f"/portal/tickets/{number}")
    expect(customer.get_by_text(reply)).to_be_visible()
    expect(customer.get_by_text(live_agent.name).first).to_be_visible()
    expect(customer.get_by_text(note)).to_have_count(0)
    assert note not in customer.content()
    screenshot(customer, "customer-sees-reply")


@pytest.mark.browser_context_args(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
def test_customer_logs_in_on_a_phone(page: Page, live_customer, add_ticket, log_in, screenshot) -> None:
    add_ticket(live_customer, subject="The app crashes when I rotate my phone")

    page.goto("/portal/login")
    screenshot(page, "login")
    log_in(page, "portal", live_customer)
    expect(page).to_have_url("/portal/tickets")
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(page.get_by_role("link", name="The app crashes when I rotate my phone")).to_be_visible()
    expect(page.get_by_role("link", name="New ticket")).to_be_visible()
    screenshot(page, "my-tickets")
    # Nothing makes a person scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
