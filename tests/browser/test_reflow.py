"""Reflow (WCAG 1.4.10): every registered page (tests/browser/pages.py), as its user, in every
language the desk ships, 320 CSS px wide, does not scroll sideways. A table may scroll inside a
wrapper of its own; the document itself may not.

One browser context per role and language (one login each). Limit the pages with -k, e.g.
`-k "admin-ru"`. The findings are also written to test-artifacts/a11y/reflow-<test>.json, with
the outermost elements that stick out, to start looking from.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.pages import ROLES, pages_for
from tests.browser.sweep import SeededDesk, open_context, visit
from tests.routes import app_languages

pytestmark = pytest.mark.database("sqlite", reason="markup does not depend on the database")

NARROW = {"width": 320, "height": 640}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "a11y"

# The document's widths, and the outermost elements reaching past its right edge that no
# sideways-scrolling (or clipping) wrapper holds.
MEASURE = """() => {
  const root = document.scrollingElement || document.documentElement;
  const edge = root.clientWidth + 1;
  const held = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const out = [...document.body.querySelectorAll("*")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > edge && !held(el);
  });
  const outermost = out.filter((el) => !out.some((other) => other !== el && other.contains(el)));
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((c) => "." + c).join("");
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    wide: outermost.slice(0, 5).map((el) => `${name(el)} (right ${Math.round(el.getBoundingClientRect().right)})`),
  };
}"""


@pytest.mark.parametrize("language", app_languages())
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_320_css_px(
    browser: Browser, seeded_desk: SeededDesk, role: str, language: str
) -> None:
    context = open_context(browser, seeded_desk, role, language, "light")
    tab = context.new_page()
    tab.set_viewport_size(NARROW)
    found = []
    for page in pages_for(role):
        visit(tab, seeded_desk, page, language)
        measured = tab.evaluate(MEASURE)
        if measured["scrollWidth"] > measured["clientWidth"] + 1:
            found.append({"page": page.name, "width": NARROW["width"], **measured})
    context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"reflow-{role}-{language}.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    assert not found, "\n".join(
        f"{item['page']} scrolls sideways at {item['width']} px: scrollWidth {item['scrollWidth']} "
        f"> clientWidth {item['clientWidth']}; sticking out: {', '.join(item['wide']) or '?'}"
        for item in found
    )
