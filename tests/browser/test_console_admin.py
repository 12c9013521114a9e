"""End to end in Chromium: an admin invites an agent who sets a password from the mail, turns an
organization's ticket sharing on, adds a department, deactivates the new agent; every admin page
at desktop and phone width."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from shared.core.extensions import db
from shared.models import Department, Organization, OutboxMessage
from shared.people import accounts
from tests.browser.conftest import DESKTOP, PHONE, Account

ADA = Account("ada@desk.example", "Ada Admin")
DANA = Account("dana@desk.example", "Dana Scully", "dana's own passphrase")


def in_live_db(live_server, work):
    with live_server.app.test_request_context(base_url=live_server.url):
        result = work()
        db.session.commit()
        return result


def invitation_path(live_server, email: str) -> str:
    """The link in the newest mail to `email`, as a path on the live server."""

    def newest() -> tuple[str, str]:
        query = select(OutboxMessage).where(OutboxMessage.to_addr == email).order_by(OutboxMessage.id.desc())
        mail = db.session.scalars(query).first()
        return mail.template, mail.body_text

    template, text = in_live_db(live_server, newest)
    assert template == "agent_invitation"
    return re.search(r"https?://[^/\s]+(/console/reset/[\w-]+)", text).group(1)


def add_admin(live_server) -> None:
    in_live_db(
        live_server, lambda: accounts.create_agent(ADA.email, name=ADA.name, password=ADA.password, is_admin=True)
    )


def put_in_organization(live_server, email: str, name: str) -> None:
    def work():
        accounts.find_customer(email).organization = Organization(name=name)

    in_live_db(live_server, work)


def test_an_admin_invites_an_agent_shares_an_organization_adds_a_department_and_deactivates_the_agent(
    page: Page, live_server, new_context, log_in, add_customer, add_ticket, live_agent, screenshot
) -> None:
    add_admin(live_server)
    alice = add_customer("alice@atlas.example", "Alice Archer")
    add_customer("dev@atlas.example", "Dev Patel")
    add_ticket(alice, "The card reader keeps disconnecting")
    put_in_organization(live_server, alice.email, "Atlas Bike Repair")
    page.set_viewport_size(DESKTOP)

    # In through the top bar's Admin link, straight to the team.
    log_in(page, "console", ADA)
    page.get_by_role("banner").get_by_role("link", name="Administration").click()
    expect(page).to_have_url("/console/admin/agents")
    expect(page.get_by_role("heading", name="Agents", exact=True)).to_be_visible()

    # Invite Dana; a wrong address first is refused next to the field, keeping what was typed.
    page.get_by_label("Name").fill(DANA.name)
    page.get_by_label("Email").fill("dana at desk")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_label("Email")).to_have_accessible_description(re.compile("Enter a valid email address."))
    expect(page.get_by_label("Name")).to_have_value(DANA.name)
    screenshot(page, "invite-error")
    page.get_by_label("Email").fill(DANA.email)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {DANA.email}.")).to_be_visible()
    dana_row = page.locator("tr", has_text=DANA.name)
    expect(dana_row.locator(".pill")).to_have_text("Invited")
    screenshot(page, "agents")

    # Dana follows the mailed link in her own browser, chooses a password and lands in the console.
    link = invitation_path(live_server, DANA.email)
    dana_page = new_context(viewport=PHONE).new_page()
    dana_page.goto(link)
    expect(dana_page.get_by_role("heading", name="Choose your password")).to_be_visible()
    dana_page.get_by_label("New password", exact=True).fill(DANA.password)
    dana_page.get_by_label("Repeat the new password").fill(DANA.password)
    dana_page.get_by_role("button", name="Set password").click()
    expect(dana_page).to_have_url("/console/")
    expect(dana_page.get_by_text("Your password is set.")).to_be_visible()
    screenshot(dana_page, "invited-agent-in-the-console")
    expect(dana_page.get_by_role("banner").get_by_role("link", name="Administration")).to_have_count(0)

    # The organization's page: turn ticket sharing on in place.
    page.get_by_role("link", name="Organizations").click()
    expect(page).to_have_url("/console/admin/organizations")
    screenshot(page, "organizations")
    page.get_by_role("link", name="Atlas Bike Repair").click()
    switch = page.get_by_role("switch", name=re.compile("Ticket sharing"))
    expect(switch).to_have_attribute("aria-checked", "false")
    page.evaluate("window.__marker = 1")
    switch.click()
    expect(page.get_by_role("switch", name=re.compile("Ticket sharing"))).to_have_attribute("aria-checked", "true")
    assert page.evaluate("window.__marker") == 1  # swapped in place, no reload
    assert in_live_db(live_server, lambda: db.session.scalar(select(Organization.sharing)))
    page.get_by_label("Customer's email").fill("dev@atlas.example")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Dev Patel is now a member.")).to_be_visible()
    screenshot(page, "organization")

    # Add a department; the same name again is refused next to the field.
    page.get_by_role("link", name="Departments").click()
    page.get_by_label("Name").fill("Hardware")
    page.get_by_role("button", name="Add department").click()
    expect(page.get_by_text("Hardware is added.")).to_be_visible()
    expect(page.locator("tr", has_text="Hardware").locator(".pill")).to_have_text("Active")
    page.get_by_label("Name").fill("hardware")
    page.get_by_role("button", name="Add department").click()
    expect(page.get_by_label("Name")).to_have_accessible_description(
        re.compile("A department with this name already exists.")
    )
    screenshot(page, "departments")
    assert in_live_db(live_server, lambda: db.session.scalar(select(Department).filter_by(name="Hardware")).is_active)

    # A product in that department, renamed on its own page.
    page.get_by_role("link", name="Products").click()
    page.get_by_label("Name").fill("Card reader")
    page.get_by_label("Department").select_option(label="Hardware")
    page.get_by_role("button", name="Add product").click()
    expect(page.get_by_text("Card reader is added.")).to_be_visible()
    page.locator("tr", has_text="Card reader").get_by_role("link", name="Rename").click()
    expect(page.get_by_role("heading", name="Card reader")).to_be_visible()
    screenshot(page, "product")
    page.get_by_role("textbox", name="Name").fill("Card reader T2")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url("/console/admin/products")
    expect(page.locator("tr", has_text="Card reader T2")).to_contain_text("Hardware")

    # Deactivate Dana from her row: the row changes in place, and her open session ends.
    page.get_by_role("link", name="Agents").click()
    page.get_by_role("button", name=f"Deactivate {DANA.name}").click()
    dana_row = page.locator("tr", has_text=DANA.name)
    expect(dana_row.locator(".pill")).to_have_text("Deactivated")
    expect(dana_row).to_contain_text(f"{DANA.name} is deactivated.")
    expect(page.get_by_role("button", name=f"Reactivate {DANA.name}")).to_be_visible()
    expect(page.get_by_role("button", name=f"Deactivate {ADA.name}")).to_have_count(0)  # not oneself
    screenshot(page, "agent-deactivated")
    dana_page.goto("/console/")
    expect(dana_page).to_have_url(re.compile(r"/console/login"))

    # The other pages, and every page at phone width.
    for name, path in [("customers", "customers"), ("new-customer", "customers/new"), ("activity", "activity")]:
        page.goto(f"/console/admin/{path}")
        screenshot(page, name)
    page.set_viewport_size(PHONE)
    for name in ["agents", "customers", "customers/new", "organizations", "departments", "products", "activity"]:
        page.goto(f"/console/admin/{name}")
        screenshot(page, f"{name}-phone")
    page.goto("/console/admin/organizations")
    page.get_by_role("link", name="Atlas Bike Repair").click()
    screenshot(page, "organization-phone")


def test_the_customer_search_narrows_the_list_as_the_admin_types(
    page: Page, live_server, log_in, add_customer, screenshot
) -> None:
    add_admin(live_server)
    add_customer("emma@example.com", "Emma Schultz")
    add_customer("kenji@example.com", "Kenji Sato")
    page.set_viewport_size(DESKTOP)
    log_in(page, "console", ADA)
    page.goto("/console/admin/customers")
    rows = page.locator("#customer-list tbody tr")
    expect(rows).to_have_count(2)
    page.evaluate("window.__marker = 1")
    page.get_by_role("searchbox", name="Search customers").fill("kenji")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kenji Sato")
    expect(page).to_have_url("/console/admin/customers?q=kenji")
    assert page.evaluate("window.__marker") == 1
    screenshot(page, "customers-search")

    # Thirty more: the list pages in place, and the address follows.
    in_live_db(live_server, lambda: [accounts.create_customer(f"c{n:02d}@example.com") for n in range(30)])
    page.get_by_role("searchbox", name="Search customers").fill("example.com")
    expect(page.get_by_text("32 customers match “example.com”")).to_be_visible()
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"page=2"))
    assert page.evaluate("window.__marker") == 1
    page.get_by_role("searchbox", name="Search customers").fill("kenji")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="Kenji Sato").click()
    page.get_by_label("Name").fill("Kenji Satō")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Kenji Satō")).to_be_visible()
    screenshot(page, "customer")
