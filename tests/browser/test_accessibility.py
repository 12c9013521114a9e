"""axe-core over every registered page (tests/browser/pages.py) as the user who opens it: at desktop
(1366x850) and phone (390x844) width, in every language the desk ships, in the light and the dark
colour scheme. Any serious or critical finding fails, listed by rule, page and node.

One browser context per role, language and scheme (one login each); every page of the role is
opened once in it and checked at both widths. Limit the pages with -k, e.g. `-k "admin and ru"`.
Each run's findings are also written to test-artifacts/a11y/axe-<test>.json.
"""

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser
from playwright.sync_api import Page as Tab

from tests.browser.pages import ROLES, pages_for
from tests.browser.sweep import SeededDesk, open_context, visit
from tests.routes import app_languages

pytestmark = pytest.mark.database("sqlite", reason="markup does not depend on the database")

WIDTHS = {"desktop": {"width": 1366, "height": 850}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")
FAILING = {"serious", "critical"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "a11y"


def findings(tab: Tab, page_name: str, width: str) -> list[dict]:
    """axe's serious and critical violations on the page as it is now, one entry per node."""
    results = tab.evaluate("axe.run({resultTypes: ['violations']})")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "page": page_name,
            "width": width,
            "target": " ".join(str(part) for part in node["target"]),
            "html": re.sub(r"\s+", " ", node["html"])[:200],
            "help": violation["help"],
        }
        for violation in results["violations"]
        if violation["impact"] in FAILING
        for node in violation["nodes"]
    ]


def report(found: list[dict]) -> str:
    lines = [f"{len(found)} serious or critical axe finding(s):"]
    for item in found:
        lines.append(f"- {item['rule']} ({item['impact']}) on {item['page']} at {item['width']}: {item['target']}")
        lines.append(f"    {item['html']}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("language", app_languages())
@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_serious_axe_finding(
    browser: Browser, seeded_desk: SeededDesk, role: str, language: str, scheme: str
) -> None:
    context = open_context(browser, seeded_desk, role, language, scheme)
    tab = context.new_page()
    found: list[dict] = []
    for page in pages_for(role):
        visit(tab, seeded_desk, page, language)
        tab.evaluate(AXE_SCRIPT)  # axe-core as axe-playwright-python bundles it
        for width, size in WIDTHS.items():
            tab.set_viewport_size(size)
            found += findings(tab, page.name, width)
        tab.set_viewport_size(WIDTHS["desktop"])
    context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{role}-{language}-{scheme}.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    assert not found, report(found)
