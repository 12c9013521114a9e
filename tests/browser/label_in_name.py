"""Label in name (WCAG 2.5.3) as Chromium computes it: for every button, link, summary and form
control that shows words, the accessible name starts with those words.

The visible words are the rendered text a sighted person reads on the control (for a form control,
on its labels), leaving out what is hidden from sight (`.visually-hidden`, `display: none`) or
from assistive technology (`aria-hidden`, such as avatar initials). A control that shows no letter
or digit (a multiplication sign with an aria-label) has no visible label to speak, so it is
skipped. The names come from the browser's own accessibility tree, over the Chrome DevTools
Protocol. Used over every registered page by tests/browser/test_label_in_name.py.
"""

from dataclasses import dataclass

from playwright.sync_api import Page

MARK = "data-label-in-name"

# Marks each control that shows words and returns, in mark order, what it shows.
_VISIBLE_WORDS = """(mark) => {
  const words = (root, skip) => {
    const parts = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let shown = true;
      for (let el = node.parentElement; el && shown; el = el === root ? null : el.parentElement) {
        const style = getComputedStyle(el);
        shown = !(el === skip || el.matches("select, textarea, option, .visually-hidden, [aria-hidden=true]")
                  || style.display === "none" || style.visibility === "hidden");
      }
      if (shown) parts.push(node.data);
    }
    return parts.join(" ").replace(/\\s+/g, " ").trim();
  };
  const controls = document.querySelectorAll(
    "a[href], button, summary, input:not([type=hidden]), select, textarea, " +
    "[role=button], [role=link], [role=switch], [role=checkbox], [role=tab], [role=menuitem], [role=option]"
  );
  const found = [];
  document.querySelectorAll(`[${mark}]`).forEach((el) => el.removeAttribute(mark));
  for (const el of controls) {
    if (!el.getClientRects().length || el.closest("[aria-hidden=true]")) continue;
    let text;
    if (el.matches("input[type=submit], input[type=button], input[type=reset]")) text = el.value;
    else if (el.matches("input, select, textarea")) text = [...(el.labels || [])].map((l) => words(l, el)).join(" ");
    else text = words(el, null);
    text = text.replace(/\\s+/g, " ").trim();
    if (!/[\\p{L}\\p{N}]/u.test(text)) continue;
    el.setAttribute(mark, String(found.length));
    found.push({text, html: el.outerHTML.slice(0, 200)});
  }
  return found;
}"""


@dataclass(frozen=True)
class Mismatch:
    where: str
    visible: str
    name: str
    html: str

    def __str__(self) -> str:
        return f"{self.where}: the name {self.name!r} does not start with the visible {self.visible!r}\n    {self.html}"


def comparable(text: str) -> str:
    """Letters and digits only, case folded: how the text is split into nodes (a `<mark>` in a
    search result) or spaced, and its punctuation, make no difference to the words spoken."""
    return "".join(c for c in text.casefold() if c.isalnum())


def _marks(node: dict, found: dict[int, int]) -> None:
    """backendNodeId -> mark, from the DOM tree as DevTools sends it."""
    attributes = node.get("attributes", [])
    names = attributes[0::2]
    if MARK in names:
        found[node["backendNodeId"]] = int(attributes[2 * names.index(MARK) + 1])
    for child in node.get("children", []) + node.get("shadowRoots", []):
        _marks(child, found)


def accessible_names(page: Page) -> list[tuple[str, str | None, str]]:
    """(visible words, computed accessible name, markup) of each control that shows words."""
    controls = page.evaluate(_VISIBLE_WORDS, MARK)
    cdp = page.context.new_cdp_session(page)
    try:
        marks: dict[int, int] = {}
        _marks(cdp.send("DOM.getDocument", {"depth": -1})["root"], marks)
        names: dict[int, str] = {}
        for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
            mark = marks.get(node.get("backendDOMNodeId"))
            if mark is not None and not node.get("ignored"):
                names[mark] = node.get("name", {}).get("value", "")
    finally:
        cdp.detach()
    return [(c["text"], names.get(i), c["html"]) for i, c in enumerate(controls)]


def mismatches(page: Page, where: str) -> tuple[int, list[Mismatch]]:
    """How many controls with words the page has, and those whose name does not start with them."""
    checked = accessible_names(page)
    wrong = [
        Mismatch(where, visible, name or "", html)
        for visible, name, html in checked
        if name is None or not comparable(name).startswith(comparable(visible))
    ]
    return len(checked), wrong
