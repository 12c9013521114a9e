"""What issue 23 found in the console, checked where it shows: the bulk button that cannot act yet
is readable and says why; small buttons are 24 px or more; each search landmark has its own name;
the priority labels are readable in the dark scheme too. Screenshots of the queue, a ticket and an
admin page, light and dark, at 1366 and 390 px, are kept for a person to look at."""

import pytest
from playwright.sync_api import Page, expect

from shared.core.extensions import db
from shared.models import Ticket
from shared.people import accounts
from shared.queues import saved_views
from shared.tickets import properties
from tests.browser.conftest import PHONE

DESKTOP = {"width": 1366, "height": 850}

# The text colour and the first opaque background behind an element, and whether anything on the
# way up fades it (once its transitions end): what WCAG's contrast ratio is taken between.
CONTRAST_JS = """async (node) => {
  await Promise.all(node.getAnimations().map((transition) => transition.finished));  // colours settle
  const rgb = (value) => {  // "rgb(r g b)" or, from color-mix(), "color(srgb r g b)" in 0..1
    const parts = value.match(/[\\d.]+/g).map(Number);
    return value.startsWith("color(") ? parts.map((c, i) => (i < 3 ? c * 255 : c)) : parts;
  };
  const linear = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  const lum = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  let faded = false, back = null;
  for (let at = node; at; at = at.parentElement) {
    const style = getComputedStyle(at);
    if (Number(style.opacity) < 1) faded = true;
    const bg = rgb(style.backgroundColor);
    if (!back && (bg.length === 3 || bg[3] === 1)) back = bg.slice(0, 3);
  }
  const [hi, lo] = [lum(rgb(getComputedStyle(node).color)), lum(back || [255, 255, 255])].sort((a, b) => b - a);
  const color = getComputedStyle(node).color;
  return { ratio: (hi + 0.05) / (lo + 0.05), faded, color, back: String(back), text: node.textContent };
}"""

# Every landmark's role and accessible name (aria-label, or the text aria-labelledby points at).
LANDMARKS_JS = """() => {
  const found = document.querySelectorAll(
    "[role=search], search, nav, aside, [role=region], section[aria-label], section[aria-labelledby]");
  const roles = { NAV: "navigation", ASIDE: "complementary", SEARCH: "search" };
  const text = (id) => document.getElementById(id)?.textContent.trim();
  return Array.from(found, (node) => {
    const role = node.getAttribute("role") || roles[node.tagName] || "region";
    const by = node.getAttribute("aria-labelledby");
    const name = node.getAttribute("aria-label") || (by ? by.split(" ").map(text).join(" ") : "");
    return `${role}: ${name}`;
  });
}"""


def readable(locator, minimum: float = 4.5) -> None:
    seen = locator.evaluate(CONTRAST_JS)
    assert not seen["faded"] and seen["ratio"] >= minimum, seen


@pytest.fixture
def desk(live_server, add_agent, add_customer, add_ticket, in_live_app):
    """An admin agent, a customer with an urgent, a high and a normal ticket, and one saved view."""
    admin = add_agent()
    customer = add_customer()
    numbers = [add_ticket(customer, subject=subject) for subject in ("Server down", "Printer jam", "New mouse")]

    def prepare() -> None:
        agent = accounts.find_agent(admin.email)
        agent.is_admin = True
        for number, priority in zip(numbers, ("urgent", "high"), strict=False):
            ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
            properties.change_priority(ticket, priority, actor=agent)
        saved_views.save_view(agent, "Urgent work", "priority=urgent")
        db.session.commit()

    in_live_app(prepare)
    return admin, numbers


def test_the_console_is_readable_and_its_targets_big_enough_in_both_schemes(
    new_context, desk, log_in, screenshot
) -> None:
    admin, numbers = desk
    for scheme in ("light", "dark"):
        page: Page = new_context(viewport=DESKTOP, color_scheme=scheme).new_page()
        log_in(page, "console", admin)
        screenshot(page, f"queue {scheme} 1366")

        apply = page.get_by_role("button", name="Apply to selected")
        expect(apply).to_have_attribute("aria-disabled", "true")
        expect(apply).to_have_accessible_description("Select at least one ticket.")
        expect(page.get_by_text("Select at least one ticket.")).to_be_visible()
        readable(apply)
        apply.click(force=True)  # it cannot act yet: nothing is sent, nothing changes
        expect(page.locator("#bulk-count")).to_have_text("None selected")
        page.get_by_label(f"Select #{numbers[0]}").check()
        expect(apply).to_have_attribute("aria-disabled", "false")
        readable(apply)
        expect(page.get_by_text("Select at least one ticket.")).to_be_hidden()

        for label in ("Urgent", "High"):
            readable(page.locator(".prio").filter(has_text=label))
        remove = page.get_by_role("button", name="Delete the view “Urgent work”")
        pick = page.locator(".row__pick-area").first
        for target in (remove, pick):
            box = target.bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, box

        page.get_by_role("link", name="Server down").click()
        screenshot(page, f"ticket {scheme} 1366")
        for path in ("customers", "mail/inbound", "mail/outbox"):
            page.goto(f"/console/admin/{path}")
            landmarks = page.evaluate(LANDMARKS_JS)
            assert len(landmarks) == len(set(landmarks)), landmarks
            assert "search: Search tickets" in landmarks, landmarks
        screenshot(page, f"admin {scheme} 1366")

        phone = new_context(viewport=PHONE, color_scheme=scheme, has_touch=True, is_mobile=True).new_page()
        log_in(phone, "console", admin)
        screenshot(phone, f"queue {scheme} 390")
        readable(phone.locator(".prio").filter(has_text="Urgent"))
        phone.get_by_role("link", name="Server down").click()
        screenshot(phone, f"ticket {scheme} 390")
        phone.goto("/console/admin/customers")
        screenshot(phone, f"admin {scheme} 390")
        page.context.close()
        phone.context.close()
