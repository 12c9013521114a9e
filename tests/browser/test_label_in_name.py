"""Label in name in Chromium over every registered page (tests/browser/pages.py), as its user, in
every language the desk ships: each button, link, summary and form control that shows words has an
accessible name starting with them (tests/browser/label_in_name.py says how both are read).

axe's `label-content-name-mismatch` (tests/browser/test_accessibility.py) checks the same rule with
its own heuristics; this one reads Chromium's accessibility tree and asks for the visible words at the
start of the name. tests/test_label_in_name.py checks the pairs in every catalogue without a browser.
"""

import pytest
from playwright.sync_api import Browser

from tests.browser.label_in_name import mismatches
from tests.browser.pages import ROLES, pages_for
from tests.browser.sweep import LOGINS, SeededDesk, open_context, visit
from tests.routes import app_languages

pytestmark = pytest.mark.database("sqlite", reason="markup does not depend on the database")


@pytest.mark.parametrize("language", app_languages())
@pytest.mark.parametrize("role", ROLES)
def test_every_control_names_itself_with_the_words_it_shows(
    browser: Browser, seeded_desk: SeededDesk, role: str, language: str
) -> None:
    if role in LOGINS:
        # A second session of the same account first, so the profile lists one to end ("End").
        open_context(browser, seeded_desk, role, language, "light").close()
    context = open_context(browser, seeded_desk, role, language, "light")
    tab = context.new_page()
    wrong, silent = [], []
    for page in pages_for(role):
        visit(tab, seeded_desk, page, language)
        checked, found = mismatches(tab, f"{page.name} ({language})")
        wrong += found
        if not checked:
            silent.append(page.name)  # every page has words to check: its skip link, at least
    context.close()
    assert not silent, f"no control with words found on {silent}: the check read nothing"
    assert not wrong, "\n".join(map(str, wrong))
