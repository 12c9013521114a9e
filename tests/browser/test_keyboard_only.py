"""The core flows with the keyboard alone, in Chromium: only keys are pressed, nothing is clicked.
A customer logs in, files a ticket and comments on it; an agent logs in, skips to the list, opens
the ticket, replies, reassigns it in the side panel, closes it and reopens it. After each action
the test checks where the focus went (never back to <body>) and what the page's one live region
said. One live server and two browser contexts for the whole walk."""

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import DESKTOP, expect_said, mark_the_live_region


def is_focused(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, back: bool = False, most: int = 60) -> int:
    """Press Tab (Shift+Tab with `back`) until `target` has the focus; returns how many presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if is_focused(target):
            return presses
    raise AssertionError(f"{most} presses of Tab never reached {target}")


def type_into(page: Page, target: Locator, text: str, *, back: bool = False) -> None:
    tab_to(page, target, back=back)
    page.keyboard.type(text)


def log_in_by_keyboard(page: Page, area: str, email: str, password: str) -> None:
    page.goto(f"/{area}/login")
    type_into(page, page.get_by_label("Email"), email)
    type_into(page, page.get_by_label("Password"), password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")  # deferred scripts are listening before the next key


def test_the_core_flows_work_with_the_keyboard_alone(
    page: Page, new_context, live_agent, live_customer, screenshot
) -> None:
    # The customer: log in, file a ticket, comment.
    page.set_viewport_size(DESKTOP)
    log_in_by_keyboard(page, "portal", live_customer.email, live_customer.password)
    tab_to(page, page.get_by_role("link", name="New ticket"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    type_into(page, page.get_by_label("Subject"), "The card reader keeps beeping")
    type_into(page, page.get_by_label("Describe what happened"), "Every few seconds, since the update.")
    tab_to(page, page.get_by_role("button", name="File ticket"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+$"))

    type_into(page, page.get_by_label("Your reply"), "It also restarts at noon.")
    tab_to(page, page.get_by_role("button", name="Send reply"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    entry = page.locator("#history > li").last
    expect(entry).to_contain_text("It also restarts at noon.")
    expect(entry).to_be_focused()  # the page opens at the new comment
    screenshot(page, "customer-commented")

    # The agent: log in, skip to the list, open the ticket.
    agent = new_context(viewport=DESKTOP).new_page()
    log_in_by_keyboard(agent, "console", live_agent.email, live_agent.password)
    agent.keyboard.press("Tab")
    expect(agent.get_by_role("link", name="Skip to content")).to_be_focused()
    agent.keyboard.press("Tab")
    expect(agent.get_by_role("link", name="Skip to the list")).to_be_focused()
    agent.keyboard.press("Enter")
    expect(agent.locator("#queue-rows")).to_be_focused()
    subject = agent.get_by_role("link", name="The card reader keeps beeping")
    assert tab_to(agent, subject) == 2  # past the filters and the bulk bar: the row's box, its subject
    with agent.expect_navigation():
        agent.keyboard.press("Enter")
    agent.wait_for_load_state("load")
    mark_the_live_region(agent)

    # Reply: the skip link to the reply box, then the button; the focus lands on the reply sent.
    agent.keyboard.press("Tab")
    expect(agent.get_by_role("link", name="Skip to content")).to_be_focused()
    agent.keyboard.press("Tab")
    expect(agent.get_by_role("link", name="Skip to the conversation")).to_be_focused()
    agent.keyboard.press("Tab")
    expect(agent.get_by_role("link", name="Skip to the reply box")).to_be_focused()
    agent.keyboard.press("Enter")
    expect(agent.locator("#reply-body")).to_be_focused()
    agent.keyboard.type("Please unplug it for ten seconds.")
    tab_to(agent, agent.get_by_role("button", name="Send reply"))
    agent.keyboard.press("Enter")
    sent = agent.locator("#history > li.message--agent").last
    expect(sent).to_contain_text("Please unplug it for ten seconds.")
    expect(sent).to_be_focused()
    expect(sent).to_have_accessible_name(re.compile(live_agent.name))
    expect_said(agent, "Reply sent.")
    expect(agent.locator("#reply-body")).to_have_value("")
    screenshot(agent, "agent-replied")

    # Reassign, close and reopen in the side panel: the focus stays on the select, "Saved" is said.
    panel = agent.locator("#ticket-props")
    assignee = panel.get_by_label("Assignee")
    tab_to(agent, assignee)
    agent.keyboard.press("ArrowDown")  # Unassigned → the only agent
    expect(assignee.locator("option:checked")).to_have_text(live_agent.name)
    expect_said(agent, "Saved")
    expect(assignee).to_be_focused()

    status = panel.get_by_label("Status")
    tab_to(agent, status, back=True)
    agent.keyboard.press("c")  # type-ahead: Closed
    expect(agent.locator("#ticket-status")).to_have_text("Closed")
    expect(status).to_be_focused()
    expect_said(agent, "Saved")
    agent.evaluate("document.getElementById('live-status').textContent = ''")
    agent.keyboard.press("a")  # Assigned: reopened
    expect(agent.locator("#ticket-status")).to_have_text("Assigned")
    expect(status).to_be_focused()
    expect_said(agent, "Saved")
    screenshot(agent, "agent-reopened")
