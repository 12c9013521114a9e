"""End to end in Chromium: a customer signs up, edits the profile, changes the password."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from shared.core.extensions import db
from shared.models import OutboxMessage
from tests.browser.conftest import PHONE, Account


def test_customer_signs_up_edits_the_profile_and_changes_the_password(
    page: Page, live_server, log_in, screenshot
) -> None:
    live_server.app.config["SIGNUP_ENABLED"] = True
    carol = Account("carol@example.com", "Carol Chen", "first secret 1234")

    page.goto("/portal/login")
    screenshot(page, "login-offers-sign-up")
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url("/portal/signup")
    expect(page.get_by_role("heading", name="Create your support account")).to_be_visible()
    page.get_by_label("Your name").fill(carol.name)
    page.get_by_label("Email").fill(carol.email)
    page.get_by_label("Password", exact=True).fill(carol.password)
    page.get_by_label("Repeat the password").fill("not the same password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_label("Repeat the password")).to_have_accessible_description(
        re.compile(r"The two passwords differ\.")
    )
    screenshot(page, "signup-error")

    page.get_by_label("Password", exact=True).fill(carol.password)
    page.get_by_label("Repeat the password").fill(carol.password)
    page.get_by_role("button", name="Create account").click()
    # No account until the address is proved: the owner gets a link, the page says only that.
    expect(page).to_have_url("/portal/login")
    expect(page.get_by_text("Check your mail: we sent carol@example.com a link to finish signing up.")).to_be_visible()
    screenshot(page, "check-your-mail")
    page.goto(mailed_link(live_server, carol.email, "/portal/signup/confirm/"))
    expect(page.get_by_role("heading", name="Confirm your address")).to_be_visible()
    screenshot(page, "confirm-your-address")
    page.get_by_label("Password").fill("not what I chose")
    page.get_by_role("button", name="Confirm and log in").click()
    expect(page.get_by_label("Password")).to_have_accessible_description(
        re.compile(r"That is not the password you chose when signing up\.")
    )
    page.get_by_label("Password").fill(carol.password)
    page.get_by_role("button", name="Confirm and log in").click()
    expect(page).to_have_url("/portal/tickets")
    expect(page.get_by_text("Welcome, Carol Chen! Your account is ready.")).to_be_visible()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    screenshot(page, "signed-up")

    page.get_by_role("link", name=carol.name).click()
    expect(page).to_have_url("/portal/profile")
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    screenshot(page, "profile")

    page.get_by_label("Your name").fill("Carol Chen-Ward")
    page.get_by_label("Language", exact=True).select_option(label="Русский")
    page.locator("form[action$='/profile'] button[type=submit]").click()
    expect(page).to_have_url("/portal/profile")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("link", name="Мои обращения")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Carol Chen-Ward")
    screenshot(page, "profile-in-russian")

    page.locator("select[name=locale]").select_option("en")
    page.locator("form[action$='/profile'] button[type=submit]").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("link", name="My tickets")).to_be_visible()

    page.get_by_label("Current password").fill("a wrong guess at it")
    page.get_by_label("New password", exact=True).fill("second secret 5678")
    page.get_by_label("Repeat the new password").fill("second secret 5678")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_label("Current password")).to_have_accessible_description(
        re.compile(r"That is not your current password\.")
    )
    screenshot(page, "wrong-current-password")

    page.get_by_label("Current password").fill(carol.password)
    page.get_by_label("New password", exact=True).fill("second secret 5678")
    page.get_by_label("Repeat the new password").fill("second secret 5678")
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url("/portal/profile")
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Menu").click()  # a phone's top bar folds into its menu
    expect(page.get_by_role("link", name="Carol Chen-Ward")).to_be_visible()
    screenshot(page, "profile-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/portal/login")
    log_in(page, "portal", carol)
    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    log_in(page, "portal", Account(carol.email, carol.name, "second secret 5678"))
    expect(page).to_have_url("/portal/tickets")
    expect(page.get_by_role("banner")).to_contain_text("Carol Chen-Ward")


def mailed_link(live_server, address: str, path: str) -> str:
    """The path of the link in the latest mail to `address` (the mail names BASE_URL's host)."""
    with live_server.app.app_context():
        mail = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == address).order_by(OutboxMessage.id.desc())
        ).first()
        return re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", mail.body_text).group(1)


def test_a_used_confirmation_link_says_so_plainly(page: Page, live_server, screenshot) -> None:
    live_server.app.config["SIGNUP_ENABLED"] = True
    page.goto("/portal/signup")
    page.get_by_label("Your name").fill("Erin Early")
    page.get_by_label("Email").fill("erin@example.com")
    page.get_by_label("Password", exact=True).fill("erin's secret 123")
    page.get_by_label("Repeat the password").fill("erin's secret 123")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url("/portal/login")
    link = mailed_link(live_server, "erin@example.com", "/portal/signup/confirm/")
    assert page.goto(link[:-2]).status == 404  # copied incompletely
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_role("link", name="Sign up again")).to_be_visible()
    screenshot(page, "broken-link")
    page.set_viewport_size(PHONE)
    screenshot(page, "broken-link-phone")


def test_without_sign_up_the_login_page_offers_none(page: Page, live_server) -> None:
    page.goto("/portal/login")
    expect(page.get_by_role("link", name="Create an account")).to_have_count(0)
    assert page.goto("/portal/signup").status == 404


def test_a_customer_who_only_wrote_by_email_sets_a_password_through_the_reset_link(
    page: Page, live_server, add_customer, add_ticket, screenshot
) -> None:
    """Customers made from email have no password: the reset link is how they get into the portal."""
    dana = add_customer("dana@example.com", name="Dana Diaz", password=None)
    number = add_ticket(dana, subject="Receipt printer prints blank pages")

    page.goto("/portal/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url("/portal/reset")
    page.get_by_label("Email").fill(dana.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("If that address has an account, a reset link is on its way.")).to_be_visible()
    screenshot(page, "link-requested")

    with live_server.app.app_context():
        mail = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == dana.email).order_by(OutboxMessage.id.desc())
        ).first()
        assert mail is not None
        # The mail links to the configured BASE_URL; the same path on the live server.
        link = re.search(r"https?://[^/\s]+(/portal/reset/\S+)", mail.body_text).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("dana's own secret")
    page.get_by_label("Repeat the new password").fill("dana's own secret")
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url("/portal/tickets")
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Receipt printer prints blank pages"))).to_be_visible()
    screenshot(page, "password-set")

    # The link worked once; the new password works from now on.
    page.goto(link)
    expect(page).to_have_url("/portal/reset")
    expect(page.get_by_text("This link has expired or was already used. Ask for a new one.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.goto("/portal/login")
    page.get_by_label("Email").fill(dana.email)
    page.get_by_label("Password").fill("dana's own secret")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/portal/tickets")
    page.get_by_role("link", name=re.compile("Receipt printer")).click()
    expect(page).to_have_url(f"/portal/tickets/{number}")
