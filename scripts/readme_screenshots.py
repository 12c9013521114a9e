"""Regenerate the README's screenshots (docs/screenshots/*.png) from the demo data.

Screenshots taken by hand drift: other data, other window sizes, a half-typed form. This script
builds a throwaway desk in a temporary directory, seeds it with `demo seed`'s data, serves it on
127.0.0.1, logs in through the real login pages with the demo accounts, and photographs the same
pages at the same sizes every time, in Debian's Chromium (never a `playwright install` browser).

    .venv/bin/python scripts/readme_screenshots.py
"""

import logging
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, got_request_exception
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, `wsgi` and `shared` are not on the path

from shared.core.extensions import db  # noqa: E402
from shared.demo import seed  # noqa: E402
from shared.models import Agent, Customer, Ticket  # noqa: E402
from shared.queues import lists  # noqa: E402
from shared.records import presence  # noqa: E402
from shared.tickets import ratings  # noqa: E402
from wsgi import create_app  # noqa: E402

OUT_DIR = REPO_ROOT / "docs" / "screenshots"
CUSTOMER = "maria.lopez@harbourdental.example"
AGENT = "tom@tallybook.example"
COLLEAGUE = "sofia@tallybook.example"  # shown on the ticket page as typing a reply too
CANNED_QUERY = "screenshot"
ADMIN = seed.admin_email()
NEW_CALLER_EMAIL = "olga.petrova@northwind.example"
NEW_CALLER_SUBJECT = "Receipt printer prints blank pages"

# The same Chromium and arguments as tests/browser/conftest.py.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PHONE_MAX_HEIGHT = 1700  # css px: a phone page cut there still shows what matters
QUEUE_MAX_HEIGHT = 1000

NEW_TICKET_SUBJECT = "Invoice PDF shows last month's VAT rate"
# Short enough for the body's eight rows, so the box is not scrolled halfway.
NEW_TICKET_BODY = """Since **Monday**, invoice PDFs use the old VAT rate: `19 %` instead of `21 %`.

Steps to reproduce:

1. Open *Invoices* and pick any invoice from this month
2. Click **Download PDF**
3. Compare the VAT line with the amount on screen"""
RATING_COMMENT = "Quick and clear answers, thank you!"


@dataclass(frozen=True)
class Picks:
    """The ticket numbers to photograph, chosen from the seeded data."""

    portal_ticket: int
    rating_ticket: int
    console_ticket: int


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def make_demo_app(directory: Path) -> Flask:
    """A fresh desk in `directory`: migrated and seeded exactly as `flask --app wsgi demo seed` does."""
    app = create_app(
        {
            "SECRET_KEY": "readme-screenshots",
            "INSTANCE_PATH": str(directory),
            "DATABASE_URL": f"sqlite:///{directory / 'deskbell.sqlite'}",
            "SIGNUP_ENABLED": True,
        }
    )
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        seed.seed()
        db.session.commit()
    return app


def pick_tickets(app: Flask) -> Picks:
    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.email == CUSTOMER))
        agent = db.session.scalar(select(Agent).where(Agent.email == AGENT))
        assert customer is not None and agent is not None, "the demo accounts are missing"
        own = db.session.scalars(select(Ticket).where(Ticket.customer_id == customer.id).order_by(Ticket.number)).all()

        def public_messages(ticket: Ticket) -> int:
            return sum(1 for e in ticket.entries if e.is_public and not e.is_event)

        def has_image(ticket: Ticket) -> bool:
            return any(a.is_inline_image for e in ticket.entries if e.is_public for a in e.attachments)

        def has_agent_reply(ticket: Ticket) -> bool:
            return any(e.is_public and not e.is_event and e.author_kind == "agent" for e in ticket.entries)

        def only_her(ticket: Ticket) -> bool:
            """Every customer message is hers: a conversation, not colleagues chiming in."""
            return all(e.customer_id == customer.id for e in ticket.entries if e.author_kind == "customer")

        replied = [t for t in own if has_agent_reply(t)]
        assert replied, f"{CUSTOMER} has no ticket with an agent's reply"
        portal = max(replied, key=lambda t: (has_image(t), only_her(t), public_messages(t), t.number))
        rateable = [t for t in own if ratings.rating_state(t).open]
        assert rateable, f"{CUSTOMER} has no closed ticket that can still be rated"
        # Unrated (so the form shows), and another ticket than the one above when there is one.
        rating = max(rateable, key=lambda t: (ratings.rating_for(t) is None, t is not portal, public_messages(t)))
        # From the agent's own Needs reply queue, one with an internal note and a real conversation.
        queue = lists.queue_tickets(agent, "needs_reply").items
        noted = [t for t in queue if any(e.is_note for e in t.entries)]
        assert noted, f"no ticket in {AGENT}'s Needs reply queue has an internal note"
        console = max(noted, key=lambda t: (t.assignee_id == agent.id, min(public_messages(t), 4), t.number))
        return Picks(portal.number, rating.number, console.number)


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 at a free port in a daemon thread; yields its base URL.

    Fails when any request raised, so a broken page never ends up in the README.
    """
    errors: list[BaseException] = []

    def record(sender: Flask, exception: BaseException, **extra: Any) -> None:
        errors.append(exception)

    got_request_exception.connect(record, app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(record, app)
        with app.app_context():
            db.engine.dispose()
    if errors:
        raise RuntimeError(f"the server raised while taking screenshots: {errors!r}")


def open_page(context: BrowserContext, path: str) -> Page:
    page = context.new_page()
    goto(page, path)
    return page


def goto(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    page.wait_for_load_state("networkidle")


def log_in(browser: Browser, base_url: str, area: str, email: str) -> dict[str, Any]:
    """Log in at /<area>/login like a person would; returns the session to reuse in other contexts."""
    context = browser.new_context(base_url=base_url, **DESKTOP)
    page = context.new_page()
    goto(page, f"/{area}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(seed.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    state = context.storage_state()
    context.close()
    return dict(state)


def shoot(page: Page, name: str, *, max_height: int | None = None) -> None:
    """A full-page PNG from the top (a page scrolled to an anchor draws its sticky bar mid-picture)."""
    page.evaluate("window.scrollTo(0, 0)")
    path = OUT_DIR / name
    if max_height is None:
        page.screenshot(path=path, full_page=True)
    else:
        width, height = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollHeight]")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, max_height)}
        page.screenshot(path=path, full_page=True, clip=clip)
    print(f"  {path.relative_to(REPO_ROOT)}  {path.stat().st_size // 1024} KB")


def shoot_region(page: Page, first: str, last: str, name: str, *, margin: int = 16) -> None:
    """The part of the page from the element `first` down to the element `last`, with a margin
    (less above when the element before `first` is closer, so no sliver of it shows)."""
    page.evaluate("window.scrollTo(0, 0)")  # keeps the sticky top bar at the top, out of the clip
    top, bottom, width = page.evaluate(
        """([first, last, margin]) => {
            const start = document.querySelector(first);
            const previous = start.previousElementSibling;
            let top = start.getBoundingClientRect().top - margin;
            if (previous) top = Math.max(top, (previous.getBoundingClientRect().bottom + top + margin) / 2);
            const bottom = document.querySelector(last).getBoundingClientRect().bottom + margin;
            return [top, bottom, document.documentElement.clientWidth];
        }""",
        [first, last, margin],
    )
    clip = {"x": 0, "y": max(0, top), "width": width, "height": bottom - max(0, top)}
    path = OUT_DIR / name
    page.screenshot(path=path, full_page=True, clip=clip)
    print(f"  {path.relative_to(REPO_ROOT)}  {path.stat().st_size // 1024} KB")


def portal_shots(browser: Browser, base_url: str, picks: Picks) -> None:
    session = log_in(browser, base_url, "portal", CUSTOMER)
    desktop = browser.new_context(base_url=base_url, storage_state=session, **DESKTOP)
    phone = browser.new_context(base_url=base_url, storage_state=session, **PHONE)

    # The lists first: opening a ticket clears its "New reply" marker.
    shoot(open_page(desktop, "/portal/tickets"), "portal-tickets.png")
    shoot(open_page(phone, "/portal/tickets"), "portal-tickets-phone.png", max_height=PHONE_MAX_HEIGHT)

    page = open_page(desktop, "/portal/tickets/new")
    page.locator("label[for='type-bug']").click()
    page.get_by_label("Subject").fill(NEW_TICKET_SUBJECT)
    page.get_by_label("Describe what happened").fill(NEW_TICKET_BODY)
    page.locator("#body-preview .prose ol").wait_for()  # htmx has swapped in the rendered Markdown
    page.wait_for_load_state("networkidle")
    page.evaluate("document.activeElement.blur()")  # no caret or focus ring in the picture
    shoot(page, "portal-new-ticket.png")

    shoot(open_page(desktop, f"/portal/tickets/{picks.portal_ticket}"), "portal-ticket.png")
    ticket_on_phone = open_page(phone, f"/portal/tickets/{picks.portal_ticket}")
    shoot(ticket_on_phone, "portal-ticket-phone.png", max_height=PHONE_MAX_HEIGHT)

    page = open_page(desktop, f"/portal/tickets/{picks.rating_ticket}")
    page.locator("#rating label.stars__star").nth(4).click()  # five stars and a comment, not sent
    page.locator("#rating textarea").fill(RATING_COMMENT)
    page.evaluate("document.activeElement.blur()")
    page.mouse.move(0, 0)  # no hover effect on the stars
    # The rating box, under the agent's last message for context.
    shoot_region(page, "#history > li:last-child", "#rating", "portal-rating.png")

    desktop.close()
    phone.close()


def colleague_types(app: Flask, number: int) -> None:
    """A colleague has the ticket open and is typing, as their page's heartbeat would record it."""
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        colleague = db.session.scalar(select(Agent).where(Agent.email == COLLEAGUE))
        assert ticket is not None and colleague is not None, "the demo ticket or colleague is missing"
        presence.touch(ticket, colleague, typing=True)
        db.session.commit()


def console_shots(browser: Browser, base_url: str, picks: Picks, app: Flask) -> None:
    session = log_in(browser, base_url, "console", AGENT)
    desktop = browser.new_context(base_url=base_url, storage_state=session, **DESKTOP)
    # A page holds up to 50 rows; the top of it tells the story at a quarter of the bytes.
    shoot(open_page(desktop, "/console/?queue=needs_reply"), "console-queue.png", max_height=QUEUE_MAX_HEIGHT)
    # The workbench as agents see it most: the SLA card, a colleague typing, a canned reply found.
    colleague_types(app, picks.console_ticket)
    page = open_page(desktop, f"/console/tickets/{picks.console_ticket}")
    page.locator("#presence").get_by_text("typing").wait_for()
    page.locator("#canned-q").press_sequentially(CANNED_QUERY)  # keyup fetches the matches
    page.locator("#canned-results li").first.wait_for()
    page.wait_for_load_state("networkidle")
    shoot(page, "console-ticket.png")

    page = open_page(desktop, "/console/tickets/new")
    page.get_by_label("Customer's email").fill(NEW_CALLER_EMAIL)
    page.get_by_label("Subject").fill(NEW_CALLER_SUBJECT)
    page.evaluate("document.activeElement.blur()")
    shoot(page, "console-new-ticket.png")

    phone = browser.new_context(base_url=base_url, storage_state=session, **PHONE)
    shoot(open_page(phone, "/console/?queue=needs_reply"), "console-queue-phone.png", max_height=PHONE_MAX_HEIGHT)
    phone.close()
    desktop.close()

    admin = browser.new_context(base_url=base_url, storage_state=log_in(browser, base_url, "console", ADMIN), **DESKTOP)
    shoot(open_page(admin, "/console/admin/agents"), "console-admin-agents.png")
    admin.close()


def main() -> None:
    started = time.monotonic()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="deskbell-screenshots-") as tmp:
        app = make_demo_app(Path(tmp))
        logging.getLogger("deskbell.request").setLevel(logging.WARNING)  # one JSON line per request
        picks = pick_tickets(app)
        print(f"Tickets: portal #{picks.portal_ticket}, rating #{picks.rating_ticket}, console #{picks.console_ticket}")
        with serve(app) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                portal_shots(browser, base_url, picks)
                console_shots(browser, base_url, picks, app)
            finally:
                browser.close()
    print(f"Done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
