"""End to end in Chromium: reflow (WCAG 1.4.10). Up to 900 px both top bars fold into a Menu
button that the keyboard opens and closes, with every item reachable; at 400% zoom (341x212) the
bar takes a quarter of the height at most; and a sample of pages never scrolls sideways at 200%
zoom (683x425), 400% zoom (341x212) or 320 px, in English and in Russian (longer words).
"""

from playwright.sync_api import Page, expect

from shared.people import accounts
from tests.browser.conftest import Account

ADMIN = Account("ada@desk.example", "Ada Konstantinopolskaya-Whitfield")
CUSTOMER = Account("bartholomew.featherstonehaugh@harbour-dental-clinic.example", "Bartholomew Featherstonehaugh")
ZOOM_200 = {"width": 683, "height": 425}  # a 1366x850 window at 200%
ZOOM_400 = {"width": 341, "height": 212}  # the same window at 400%
NARROWEST = {"width": 320, "height": 640}


def tab_to(page: Page, target, limit: int = 12) -> None:
    """Press Tab until `target` has the focus; fails if it is not reached within `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached with Tab")


def check_the_menu(page: Page, items: list) -> None:
    """Folded, the bar shows only the Menu button; Enter opens it and says so, Tab reaches every
    item in turn, Escape closes it and puts the focus back on the button."""
    toggle = page.get_by_role("banner").get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    for item in items:
        expect(item).to_be_hidden()
    page.locator("body").focus()
    tab_to(page, toggle)
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for item in items:
        page.keyboard.press("Tab")
        expect(item).to_be_focused()
        box = item.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], item
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    for item in items:
        expect(item).to_be_hidden()


def test_the_top_bars_fold_into_a_menu_the_keyboard_works(
    page: Page, new_context, in_live_app, log_in, live_customer, screenshot
) -> None:
    in_live_app(lambda: accounts.create_agent(ADMIN.email, name=ADMIN.name, password=ADMIN.password, is_admin=True))
    log_in(page, "console", ADMIN)
    customer = new_context().new_page()
    log_in(customer, "portal", live_customer)
    for size in ({"width": 390, "height": 844}, NARROWEST):
        page.set_viewport_size(size)
        page.goto("/console/")
        bar = page.get_by_role("banner")
        check_the_menu(
            page,
            [
                bar.get_by_role("searchbox", name="Search tickets"),
                bar.get_by_role("link", name="Administration"),
                bar.get_by_role("switch", name="Away"),
                bar.get_by_role("link", name=ADMIN.name),
                bar.get_by_role("button", name="Log out"),
            ],
        )
        customer.set_viewport_size(size)
        customer.goto("/portal/tickets")
        bar = customer.get_by_role("banner")
        check_the_menu(
            customer,
            [
                bar.get_by_role("link", name="My tickets"),
                bar.get_by_role("link", name=live_customer.name),
                bar.get_by_role("button", name="Log out"),
            ],
        )
    page.get_by_role("button", name="Menu").click()
    screenshot(page, "console-menu-open-320")

    # "/" still goes to the search box, opening the menu it is folded in.
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search tickets")).to_be_focused()

    # Wide, there is no Menu button: the items are in the bar.
    page.set_viewport_size({"width": 1366, "height": 850})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("banner").get_by_role("button", name="Log out")).to_be_visible()


def test_no_page_scrolls_sideways_at_200_and_400_percent_or_320_px(
    page: Page, new_context, in_live_app, log_in, add_customer, add_ticket, screenshot
) -> None:
    in_live_app(lambda: accounts.create_agent(ADMIN.email, name=ADMIN.name, password=ADMIN.password, is_admin=True))
    customer = add_customer(CUSTOMER.email, CUSTOMER.name)
    number = add_ticket(customer, subject="Receipts print blank after the firmware update on every till")
    customer_id = in_live_app(lambda: accounts.find_customer(CUSTOMER.email).id)
    console_pages = [
        "/console/",
        f"/console/tickets/{number}",
        "/console/tickets/new",
        "/console/search?q=receipts",
        "/console/admin/agents",
        "/console/admin/customers",
        f"/console/admin/customers/{customer_id}",
        "/console/admin/sla",
    ]
    portal_pages = ["/portal/tickets", "/portal/tickets/new", f"/portal/tickets/{number}"]
    log_in(page, "console", ADMIN)
    agent_session = page.context.storage_state()
    person = new_context().new_page()
    log_in(person, "portal", customer)
    person_session = person.context.storage_state()
    wide = []
    for language in ("en-US", "ru-RU"):
        agent = new_context(locale=language, storage_state=agent_session).new_page()
        person = new_context(locale=language, storage_state=person_session).new_page()
        for tab, paths in ((agent, console_pages), (person, portal_pages)):
            for path in paths:
                tab.set_viewport_size(ZOOM_200)
                tab.goto(path)
                for size in (ZOOM_200, ZOOM_400, NARROWEST):
                    tab.set_viewport_size(size)
                    scroll, width = tab.evaluate(
                        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                    )
                    if scroll > width:
                        wide.append(f"{path} in {language} at {size['width']} px: {scroll} px wide")
                    if size == ZOOM_400:
                        bar = tab.get_by_role("banner")
                        if path.startswith("/console/search"):  # its query is in the bar, which scrolls away
                            expect(bar).to_have_css("position", "static")
                        else:
                            height = bar.bounding_box()["height"]
                            assert height <= 0.25 * ZOOM_400["height"], f"{path} in {language}: the bar is {height} px"
        agent.set_viewport_size(ZOOM_400)
        agent.goto("/console/")
        screenshot(agent, f"queue-400-percent-{language}")
    assert not wide, "\n".join(wide)
