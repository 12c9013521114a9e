"""The agent's own profile in Chromium: they choose Russian and the console speaks it from the next
page on; back to English the same way."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE


def test_an_agent_chooses_russian_on_their_profile_and_the_console_speaks_it(
    page: Page, live_agent, log_in, screenshot
) -> None:
    log_in(page, "console", live_agent)
    page.get_by_role("link", name=live_agent.name).click()
    expect(page).to_have_url("/console/profile")
    expect(page.get_by_role("heading", name="Language")).to_be_visible()
    expect(page.get_by_role("combobox", name="Language")).to_have_value("en")
    screenshot(page, "profile")

    page.get_by_role("combobox", name="Language").select_option(label="Русский")
    page.get_by_role("button", name="Save language").click()
    expect(page).to_have_url("/console/profile")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("status")).to_contain_text("Язык сохранён.")
    expect(page.get_by_role("combobox", name="Язык")).to_have_value("ru")
    expect(page).to_have_title(re.compile(r"^Ваш профиль · "))
    screenshot(page, "profile-in-russian")

    page.goto("/console/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    page.set_viewport_size(PHONE)
    page.goto("/console/profile")
    screenshot(page, "profile-in-russian-phone")

    page.get_by_role("combobox", name="Язык").select_option("en")
    page.get_by_role("button", name="Сохранить язык").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Your language is saved.")).to_be_visible()
