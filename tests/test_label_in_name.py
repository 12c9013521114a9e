"""Label in name (WCAG 2.5.3) in every catalogue: where a control's accessible name is not its
visible text (an aria-label, or aria-labelledby naming hidden parts), the name starts with the
visible words, in every language the desk ships. A translation cannot break it unnoticed.

The templates are read as HTML with their Jinja expressions left in; each control's visible
msgid (the first `_("…")` in its content) is paired with its label's msgid (the first `_("…")` in
its aria-label, or the texts its aria-labelledby names). tests/browser/test_label_in_name.py
checks the same on the rendered pages, as the browser computes the names.
"""

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from shared.core.config import DEFAULTS, PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
TRANSLATIONS = PROJECT_ROOT / "translations"
CONTROLS = {"a", "button", "summary", "label", "option"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
GETTEXT = re.compile(r"""\b_\(\s*(?P<q>['"])(?P<msgid>.*?)(?P=q)""")
PLACEHOLDER = re.compile(r"%\(\w+\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
# Pairs that exist today: the scan must find at least these, so it cannot pass by finding nothing.
KNOWN_PAIRS = {
    ("Assignment", "Assignment settings for %(name)s"),
    ("Deactivate", "Deactivate %(name)s"),
    ("Reactivate", "Reactivate %(name)s"),
    ("End", "End the session of %(device)s"),
    ("Remove", "Remove %(name)s from %(organization)s"),
    ("Remove", "Remove the holiday %(day)s"),
    ("Save", "Save the calendar of %(name)s"),
}


class _Controls(HTMLParser):
    """Collects, per control, its attributes and the raw text (Jinja included) of its content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, dict, list[str]]] = []
        self.found: list[tuple[str, dict, str]] = []
        self.text_by_id: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append((tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, attrs, text = self.open.pop()
            content = "".join(text)
            if self.open:
                self.open[-1][2].append(content)
            if "id" in attrs:
                self.text_by_id[attrs["id"]] = content
            if name in CONTROLS or "aria-label" in attrs or "aria-labelledby" in attrs:
                self.found.append((name, attrs, content))
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)


def _first_msgid(text: str) -> str | None:
    match = GETTEXT.search(text)
    return match.group("msgid") if match else None


def label_pairs() -> list[tuple[str, str, str]]:
    """(template, visible msgid, label msgid) for every control with visible text and another name."""
    pairs = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        parser = _Controls()
        parser.feed(path.read_text())
        parser.close()
        where = str(path.relative_to(PROJECT_ROOT))
        for tag, attrs, content in parser.found:
            visible = _first_msgid(content)
            if visible is None or tag not in CONTROLS:
                continue  # no translated visible text (a multiplication sign, a name), or not a control (a landmark)
            if "aria-label" in attrs:
                label = _first_msgid(attrs["aria-label"])
            elif "aria-labelledby" in attrs:
                named = [parser.text_by_id.get(ref, "") for ref in attrs["aria-labelledby"].split()]
                label = " ".join(m for m in map(_first_msgid, named) if m) or None
            else:
                continue  # named by its content: the visible text is the name
            assert label is not None, f"{where}: <{tag}> shows {visible!r} but its name is not a msgid to check"
            pairs.append((where, visible, label))
    return pairs


def languages() -> list[str]:
    """The shipped languages, as the app offers them; each but the source language has a catalogue."""
    shipped = list(DEFAULTS["LANGUAGES"])
    on_disk = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    assert set(on_disk) <= set(shipped), f"catalogues for languages the app does not offer: {on_disk}"
    assert set(shipped) - set(on_disk) == {"en"}, f"a shipped language without a catalogue: {shipped}"
    return shipped


def catalogue(language: str) -> dict[str, str]:
    if language == "en":
        return {}
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if isinstance(m.id, str) and m.string}


def comparable(text: str) -> str:
    """Case, spacing and placeholders (the name filled in) make no difference to speech input."""
    return " ".join(PLACEHOLDER.sub(" ", text).casefold().split())


def starts_with_visible(visible: str, label: str) -> bool:
    return comparable(label).startswith(comparable(visible))


def test_the_scan_finds_the_known_pairs():
    found = {(visible, label) for _where, visible, label in label_pairs()}
    assert found >= KNOWN_PAIRS, KNOWN_PAIRS - found


def test_the_comparison_ignores_case_spacing_and_placeholders_but_not_words():
    assert starts_with_visible("Назначение", "назначение:  %(name)s")
    assert starts_with_visible("End", "End the session of %(device)s")
    assert not starts_with_visible("Назначение", "Настройки назначения: %(name)s")


@pytest.mark.parametrize("language", languages())
def test_every_accessible_name_starts_with_the_visible_text(language):
    texts = catalogue(language)
    wrong = []
    for where, visible, label in label_pairs():
        shown, named = texts.get(visible, visible), texts.get(label, label)
        if not starts_with_visible(shown, named):
            wrong.append(f"{where}: the name {named!r} does not start with the visible {shown!r}")
    assert not wrong, "\n".join(wrong)
