"""The sweeps over every registered page (tests/browser/pages.py): one seeded desk served once per
test process, one browser context per role, language and colour scheme, each logged in once.

Used by tests/browser/test_accessibility.py and tests/browser/test_reflow.py; the fixture that
starts the desk, `seeded_desk`, is in tests/browser/conftest.py.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, got_request_exception
from playwright.sync_api import Browser, BrowserContext
from playwright.sync_api import Page as Tab
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, make_server

from shared.core.extensions import db
from shared.demo import seed
from shared.mail import catcher, intake
from shared.models import (
    Agent,
    BusinessCalendar,
    Category,
    Customer,
    Department,
    Entry,
    InboundMessage,
    OutboxMessage,
    Product,
    Rating,
    Status,
    Ticket,
)
from shared.people import accounts
from shared.queues import saved_views
from shared.tickets import canned
from tests.browser.pages import Desk, Page
from tests.conftest import make_app

# The seeded accounts each role logs in as (the demo's, with the demo's password).
ADMIN = "priya@tallybook.example"
AGENT = "tom@tallybook.example"
MEMBER = "maria.lopez@harbourdental.example"  # Harbour Dental shares its tickets
CUSTOMER = "emma@schultz-physio.example"  # no organization
LOGINS = {"admin": ("console", ADMIN), "agent": ("console", AGENT), "member": ("portal", MEMBER)}
LOGINS["customer"] = ("portal", CUSTOMER)

INBOUND = (
    b"From: Maria Lopez <maria.lopez@harbourdental.example>\r\nTo: support@deskbell.localhost\r\n"
    b"Subject: The card reader beeps twice\r\nMessage-ID: <beep-1@harbourdental.example>\r\n"
    b"Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n\r\nIt beeps twice and then nothing happens.\r\n"
)


@dataclass
class SeededDesk:
    app: Flask
    url: str
    desk: Desk
    errors: list[BaseException]


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def serve_seeded_desk(databases, directory: Path) -> Iterator[SeededDesk]:
    """The demo desk (a few dozen tickets, mail in and out, caught mail, a saved view), served on
    127.0.0.1 with CSRF on. Pages only read it, so one serves every sweep of a test process."""
    app = make_app(
        databases,
        directory / "instance",
        WTF_CSRF_ENABLED=True,
        SERVER_NAME=None,
        SIGNUP_ENABLED=True,
        MAIL_CATCHER_DIR=str(directory / "caught"),
    )
    errors: list[BaseException] = []
    got_request_exception.connect(lambda sender, exception, **extra: errors.append(exception), app, weak=False)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    with app.test_request_context(base_url=url):
        desk = _seed(directory / "caught")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield SeededDesk(app, url, desk, errors)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
        databases.drop(app.config["DATABASE_URL"])


def _seed(caught: Path) -> Desk:
    seed.seed(40)
    intake.receive(INBOUND, source="pipe")
    intake.process_pending()
    catcher.save(caught, INBOUND)
    agent = accounts.find_agent(AGENT)
    customer = accounts.find_customer(CUSTOMER)
    member = accounts.find_customer(MEMBER)
    assert isinstance(agent, Agent) and isinstance(customer, Customer) and isinstance(member, Customer)
    view = saved_views.save_view(agent, "Urgent, not yet assigned", "queue=unassigned&priority=urgent")
    own = canned.create_canned("Restart the reader", "Hold both buttons for five seconds.", shared=False, actor=agent)
    tokens: list[str] = []
    keep = tokens.append  # the mailed links' tokens, in the order asked for
    accounts.request_password_reset(Customer, CUSTOMER, reset_url_for=keep)
    accounts.request_password_reset(Agent, AGENT, reset_url_for=keep)
    accounts.register_customer(
        "new@example.com", "Nina New", "a long enough secret", confirm_url_for=keep, login_url="/", locale=None
    )
    db.session.commit()
    by_history = func.count(Entry.id).desc()
    open_ticket = (
        select(Ticket.number).join(Ticket.status).join(Ticket.entries).where(Status.category != Category.CLOSED)
    )
    closed = select(Ticket.number).join(Ticket.status).where(Status.category == Category.CLOSED)
    return Desk(
        customer_ticket=_first(select(Ticket.number).where(Ticket.customer_id == customer.id)),
        member_ticket=_first(
            select(Ticket.number)
            .join(Ticket.customer)
            .where(Customer.organization_id == member.organization_id)
            .where(Ticket.customer_id != member.id)
        ),
        open_ticket=_first(open_ticket.group_by(Ticket.number).order_by(by_history)),
        closed_ticket=_first(closed.join(Rating, Rating.ticket_id == Ticket.id)),
        view_query=view.query,
        canned_id=own.id,
        agent_id=agent.id,
        customer_id=customer.id,
        organization_id=member.organization_id,
        department_id=_first(select(Department.id)),
        product_id=_first(select(Product.id)),
        calendar_id=_first(select(BusinessCalendar.id)),
        inbound_id=_first(select(func.max(InboundMessage.id))),
        outbox_id=_first(select(OutboxMessage.id)),
        caught_name=catcher.caught(caught)[0].name,
        customer_reset_token=tokens[0],
        agent_reset_token=tokens[1],
        signup_token=tokens[2],
    )


def _first(query):
    found = db.session.scalars(query.limit(1)).first()
    assert found is not None, f"the seeded desk has no row for {query}"
    return found


def open_context(browser: Browser, served: SeededDesk, role: str, language: str, scheme: str) -> BrowserContext:
    """A context in `language` and colour `scheme`, logged in as `role` (through the login form)."""
    context = browser.new_context(
        base_url=served.url, locale=language, color_scheme=scheme, viewport={"width": 1366, "height": 850}
    )
    context.set_default_timeout(10_000)
    if role in LOGINS:
        area, email = LOGINS[role]
        tab = context.new_page()
        tab.goto(f"/{area}/login")
        tab.locator("input[name=email]").fill(email)
        tab.locator("input[name=password]").fill(seed.DEMO_PASSWORD)
        with tab.expect_navigation():
            tab.locator("form button[type=submit]").first.click()
        assert "/login" not in tab.url, f"{email} could not log in"
        tab.close()
    return context


def visit(tab: Tab, served: SeededDesk, page: Page, language: str) -> None:
    """Open `page` and wait until it has settled; fail when it is not that page as that user (a
    redirect, an error, another language), which would make a sweep pass without looking."""
    address = page.url(served.desk)
    endpoint, _ = served.app.url_map.bind("127.0.0.1").match(urlsplit(address).path)
    assert endpoint == page.endpoint, f"{page.name}: {address} is {endpoint}, not {page.endpoint}"
    response = tab.goto(address)
    assert response is not None and response.status == 200, (
        f"{page.name}: {address} answered {response and response.status}"
    )
    # htmx's own requests on load (presence, counts) answered and swapped.
    tab.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert tab.url == served.url + address, f"{page.name}: {address} went to {tab.url}"
    assert tab.locator("html").get_attribute("lang") == language, f"{page.name} is not in {language}"
