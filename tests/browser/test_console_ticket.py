"""End to end in Chromium: an agent works one ticket — an internal note and a public reply sent in
place with the live preview, side-panel changes without a reload, errors that keep what was typed,
the same page without JavaScript, and the page at desktop and phone width."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from shared.core.extensions import db
from shared.demo import seed
from shared.models import Customer, Entry, EntryKind, Ticket, Visibility
from shared.records import catalog
from tests.browser.conftest import DESKTOP, PHONE, Account, assert_not_reloaded, mark_the_page


def history(page: Page):
    return page.locator("#history")


def header_status(page: Page):
    return page.locator("#ticket-status")


def test_an_agent_writes_an_internal_note_and_a_public_reply_in_place(
    page: Page, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    number = add_ticket(live_customer, subject="Card reader offline", body="It blinks red since this morning.")
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    expect(header_status(page)).to_have_text("New")
    mark_the_page(page)

    page.keyboard.press("n")
    body = page.locator("#reply-body")
    expect(body).to_be_focused()
    body.fill("Checked the **logs**: firmware 2.1 is\n\n- outdated\n- known to fail")
    preview = page.locator("#body-preview")
    expect(preview.locator("strong")).to_have_text("logs")
    expect(preview.locator("li")).to_have_count(2)
    expect(page.get_by_text("Only agents see internal notes.")).to_be_visible()
    screenshot(page, "writing-a-note")
    page.get_by_role("button", name="Add internal note").click()

    note = history(page).locator(".message--note")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("Internal note")
    expect(note).to_contain_text(live_agent.name)
    expect(note.locator(".avatar")).to_have_text("BB")
    expect(note.locator("strong", has_text="logs")).to_be_visible()
    expect(note.locator(".icon--lock")).to_have_count(1)
    expect(body).to_have_value("")  # the box is fresh, still a note, and the preview is empty again
    expect(page.locator("input[name=visibility][value=internal]")).to_be_checked()
    expect(preview).to_have_class(re.compile("preview--empty"))
    expect(header_status(page)).to_have_text("New")  # a note never moves the ticket

    page.locator("#reply label", has_text="Public reply").click()
    body.fill("Please update the firmware to 2.3 and restart the reader.")
    page.get_by_role("button", name="Send reply").click()

    reply = history(page).locator(".message--agent:not(.message--note)")
    expect(reply).to_contain_text("Please update the firmware to 2.3")
    expect(header_status(page)).to_have_text("Waiting on customer")
    expect(history(page).locator(".event")).to_contain_text(["Status: New → Waiting on customer"])
    expect(page.get_by_label("Status", exact=True)).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#props-status option:checked")).to_have_text("Waiting on customer")
    expect(body).to_have_value("")
    assert_not_reloaded(page)
    # Time order: the customer's message, the note, the reply, then the status event.
    texts = history(page).locator("> li").all_inner_texts()
    assert [i for i, t in enumerate(texts) if "blinks red" in t or "logs" in t or "firmware to 2.3" in t] == [0, 1, 2]
    assert "Waiting on customer" in texts[3]
    screenshot(page, "note-and-reply-sent")


def test_the_side_panel_changes_priority_department_type_and_assignee_without_a_reload(
    page: Page, live_agent, live_customer, add_ticket, in_live_app, log_in, screenshot
) -> None:
    in_live_app(lambda: catalog.create_department("Hardware", actor=None))
    number = add_ticket(live_customer, subject="Scanner arrived broken")
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    mark_the_page(page)
    events = history(page).locator(".event")

    page.get_by_label("Priority", exact=True).select_option(label="High")
    expect(events.last).to_contain_text("Priority: Normal → High")
    expect(page.locator(".props__saved")).to_have_text("Saved")
    expect(page.get_by_label("Priority", exact=True)).to_have_value("high")

    page.get_by_label("Department", exact=True).select_option(label="Hardware")
    expect(events.last).to_contain_text("Department: General → Hardware")

    page.get_by_label("Type", exact=True).select_option(label="Bug report")
    expect(events.last).to_contain_text("Type: Question → Bug report")

    page.get_by_label("Assignee", exact=True).select_option(label=live_agent.name)
    expect(history(page)).to_contain_text(f"Assigned to {live_agent.name}")
    expect(header_status(page)).to_have_text("Assigned")  # rule 2, shown in the header and the panel
    expect(page.locator("#props-status option:checked")).to_have_text("Assigned")
    expect(events).to_have_count(5)  # priority, department, type, assignment, status
    expect(page.get_by_role("button", name="Save")).to_be_hidden()  # with script, each select saves alone
    assert_not_reloaded(page)
    screenshot(page, "after-side-panel-changes")

    page.reload()
    expect(page.get_by_label("Department", exact=True).locator("option:checked")).to_have_text("Hardware")
    expect(page.get_by_label("Type", exact=True)).to_have_value("bug")
    expect(events).to_have_count(5)


def test_a_refused_message_keeps_what_the_agent_typed(
    page: Page, live_server, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    live_server.app.config["MAX_ATTACHMENT_MB"] = 1
    number = add_ticket(live_customer)
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")
    mark_the_page(page)

    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#reply-body-error")).to_have_text(re.compile("Write a message or attach a file."))

    page.locator("#reply-body").fill("Here is the full log, see the attachment.")
    page.get_by_label("Then set status").select_option(label="Bug report filed")
    page.get_by_label("Attachments").set_input_files(
        {"name": "huge.log", "mimeType": "text/plain", "buffer": b"x" * (1024 * 1024 + 1)}
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#reply-attachments-error")).to_have_text(re.compile("huge.log is larger than the 1 MB limit."))
    expect(page.locator("#reply-body")).to_have_value("Here is the full log, see the attachment.")
    expect(page.get_by_label("Then set status").locator("option:checked")).to_have_text("Bug report filed")
    expect(history(page).locator("> li")).to_have_count(1)
    assert_not_reloaded(page)
    screenshot(page, "attachment-too-large")

    page.get_by_label("Attachments").set_input_files(
        {"name": "small.log", "mimeType": "text/plain", "buffer": b"line one\n"}
    )
    page.get_by_role("button", name="Send reply").click()
    expect(history(page).locator(".chip", has_text="small.log")).to_be_visible()
    expect(page.locator("#ticket-status")).to_have_text("Bug report filed")  # the agent's choice won
    expect(page.locator("#reply-attachments-error")).to_have_count(0)


def test_the_ticket_page_works_without_javascript(
    new_context, live_agent, live_customer, add_ticket, log_in, screenshot
) -> None:
    page = new_context(java_script_enabled=False, viewport=DESKTOP).new_page()
    number = add_ticket(live_customer, subject="Invoice shows the wrong VAT")
    log_in(page, "console", live_agent)
    page.goto(f"/console/tickets/{number}")

    page.locator("#reply label", has_text="Internal note").click()
    page.get_by_label("Message").fill("Asked finance to look.")
    page.get_by_role("button", name="Add internal note").click()
    expect(page).to_have_url(re.compile(rf"/console/tickets/{number}#e\d+$"))
    expect(history(page).locator(".message--note")).to_contain_text("Asked finance to look.")

    page.get_by_label("Priority", exact=True).select_option("urgent")
    page.get_by_label("Assignee", exact=True).select_option(label=live_agent.name)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"/console/tickets/{number}")
    expect(history(page)).to_contain_text("Priority: Normal → Urgent")
    expect(history(page)).to_contain_text(f"Assigned to {live_agent.name}")
    expect(header_status(page)).to_have_text("Assigned")

    page.get_by_label("Message").fill("We corrected the invoice; a new one is on its way.")
    page.get_by_label("Then set status").select_option(label="Closed")
    page.get_by_role("button", name="Send reply").click()
    expect(header_status(page)).to_have_text("Closed")
    screenshot(page, "no-script-after-reply")


@pytest.fixture
def demo_agent(live_server) -> Account:
    """A desk with a few weeks of realistic history, seen by one of its agents."""
    with live_server.app.test_request_context(base_url=live_server.url):
        seed.seed(60)
        db.session.commit()
    return Account("tom@tallybook.example", "Tom Okafor", seed.DEMO_PASSWORD)


def busy_ticket(live_server) -> int | None:
    """A demo ticket with an internal note, whose customer is in an organization and has other tickets."""
    with live_server.app.app_context():
        noted = select(Entry.ticket_id).where(Entry.kind == EntryKind.MESSAGE, Entry.visibility == Visibility.INTERNAL)
        busy = select(Ticket.customer_id).group_by(Ticket.customer_id).having(func.count(Ticket.id) > 2)
        query = (
            select(Ticket.number)
            .join(Ticket.customer)
            .where(Ticket.id.in_(noted), Customer.organization_id.is_not(None), Ticket.customer_id.in_(busy))
            .order_by(Ticket.number)
        )
        return db.session.scalars(query).first()


def test_the_ticket_page_at_desktop_and_phone_width(new_context, live_server, demo_agent, log_in, screenshot) -> None:
    number = busy_ticket(live_server)
    assert number is not None
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, "console", demo_agent)
    page.goto(f"/console/tickets/{number}")
    expect(history(page).locator(".message--note").first).to_be_visible()
    expect(page.locator(".other-tickets li").first).to_be_visible()
    screenshot(page, "ticket-desktop")

    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    log_in(phone, "console", demo_agent)
    phone.goto(f"/console/tickets/{number}")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sideways
    screenshot(phone, "ticket-phone")
    phone.keyboard.press("n")
    phone.locator("#reply-body").fill("Called the customer back, **no answer**.")
    expect(phone.locator("#body-preview strong")).to_have_text("no answer")
    phone.get_by_role("button", name="Add internal note").tap()
    expect(history(phone).locator(".message--note").last).to_contain_text("Called the customer back")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
