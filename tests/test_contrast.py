"""Colour contrast without a browser: every pair of colour tokens the stylesheet puts together meets
WCAG 2.2 AA in the light and the dark scheme (text 4.5:1, large text and UI parts 3:1), and the
other parts draw with the tokens only, never with raw colours or with text made faint by opacity,
so this list of pairs is the whole story. axe in the browser tests sees only what a page shows;
this sees hover, cursor and error states too, and runs in milliseconds."""

import re

import pytest

from shared.core.config import PROJECT_ROOT

PARTS_DIR = PROJECT_ROOT / "static" / "css" / "parts"
TOKENS = PARTS_DIR / "01-tokens.css"
TEXT, UI = 4.5, 3.0

# (foreground, background, minimum): each pair a rule of the stylesheet draws, named by token.
# TEXT for words; UI for a part that must be seen to be used: input borders, focus rings, a checked
# card's border, the switch's track, a star. (The priority bars and the icons in --muted are drawn in
# colours already held to TEXT above.)
PAIRS = [
    *[("text", bg, TEXT) for bg in ("bg", "surface", "surface-2", "hover", "accent-soft", "note", "danger-soft")],
    *[("muted", bg, TEXT) for bg in ("bg", "surface", "surface-2", "hover", "accent-soft", "note", "danger-soft")],
    *[("link", bg, TEXT) for bg in ("bg", "surface", "surface-2", "accent-soft", "note")],
    ("on-accent", "accent", TEXT),  # primary buttons, the unread and admin badges, the skip link
    ("on-accent", "accent-hover", TEXT),
    ("on-danger", "danger", TEXT),  # the sidebar's overdue count
    *[("danger", bg, TEXT) for bg in ("bg", "surface", "surface-2", "danger-soft")],
    ("note-text", "note", TEXT),
    *[(f"{c}-fg", f"{c}-bg", TEXT) for c in ("new", "open", "pending", "on_hold", "closed")],
    ("pending-fg", "surface", TEXT),  # the Away switch's label
    ("closed-fg", "surface", TEXT),  # "Saved", a row's success message
    *[(f"{who}-fg", f"{who}-bg", TEXT) for who in ("customer", "agent", "system")],
    # The priority labels in a queue row: on the row, hovered, under the keyboard cursor.
    *[(prio, bg, TEXT) for prio in ("high", "urgent") for bg in ("surface", "hover", "accent-soft", "bg")],
    *[("control-border", bg, UI) for bg in ("bg", "surface", "surface-2")],
    *[("focus", bg, UI) for bg in ("bg", "surface", "accent-soft")],
    ("accent", "surface", UI),
    ("accent", "bg", UI),
    ("pending-dot", "surface", UI),  # the waiting ticket card's edge
    ("star", "surface", UI),
]

# Raw colours a part may still use, each with its reason.
RAW_COLOURS = {
    ".switch__knob": "white knob on the track in both schemes; the track's colour carries the state",
    ".mail-frame": "an e-mail's own HTML assumes a white page",
    ".shortcuts::backdrop": "the dimmed page behind the dialog",
}
# Opacity below 1 is for hiding and for dimming a list while htmx loads it, never for quiet text.
FADING = re.compile(r"htmx-request|@keyframes|presence-pulse|^\d+%$")


def parse_tokens(css: str) -> dict[str, dict[str, str]]:
    """The hex colour tokens of each scheme: light from the top level, dark as light overlaid by
    the prefers-color-scheme: dark block."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    start = css.index("@media (prefers-color-scheme: dark)")
    depth, end = 0, start
    for end in range(css.index("{", start), len(css)):
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        if depth == 0:
            break
    declaration = re.compile(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b")
    light = dict(declaration.findall(css[:start] + css[end + 1 :]))
    return {"light": light, "dark": light | dict(declaration.findall(css[start : end + 1]))}


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio, 1 to 21."""
    hi, lo = sorted((luminance(first), luminance(second)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


SCHEMES = parse_tokens(TOKENS.read_text())


def test_the_ratio_matches_the_audits_figures():
    """The figures the audit of issue 23 measured with axe on the old colours."""
    assert round(contrast("#ea580c", "#fff"), 2) == 3.56
    assert round(contrast("#79808b", "#f5f6f8"), 2) == 3.68
    assert round(contrast("#fff", "#a7a3f2"), 2) == 2.29
    assert contrast("#000", "#fff") == 21


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_pair_the_stylesheet_combines_is_readable(scheme):
    tokens = SCHEMES[scheme]
    failures = [
        f"--{fg} on --{bg}: {contrast(tokens[fg], tokens[bg]):.2f} < {minimum}"
        for fg, bg, minimum in PAIRS
        if contrast(tokens[fg], tokens[bg]) < minimum
    ]
    assert not failures, f"{scheme}: " + "; ".join(failures)


def test_every_token_a_pair_names_exists_and_is_used():
    named = {token for fg, bg, _ in PAIRS for token in (fg, bg)}
    assert named <= SCHEMES["light"].keys()
    css = "".join(part.read_text() for part in sorted(PARTS_DIR.glob("*.css")) if part != TOKENS)
    assert not {token for token in named if f"var(--{token})" not in css}


def declarations():
    """(part, selector, property, value) for every declaration outside 01-tokens.css."""
    for part in sorted(PARTS_DIR.glob("*.css")):
        if part == TOKENS:
            continue
        css = re.sub(r"/\*.*?\*/", "", part.read_text(), flags=re.S)
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
            for prop, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", re.sub(r'url\("[^"]*"\)', "url()", body)):
                yield part.name, selector.strip().split("\n")[-1].strip(), prop, value.strip()


def test_colours_come_from_the_tokens():
    raw = re.compile(r"#[0-9a-fA-F]{3,6}\b|rgba?\(|hsla?\(")
    found = [
        f"{part}: {selector} {{ {prop}: {value} }}"
        for part, selector, prop, value in declarations()
        if raw.search(value) and "mask" not in prop and prop != "box-shadow" and selector not in RAW_COLOURS
    ]
    assert not found


def test_no_text_is_made_faint_with_opacity():
    found = [
        f"{part}: {selector} {{ opacity: {value} }}"
        for part, selector, prop, value in declarations()
        if prop == "opacity" and float(value) not in (0, 1) and not FADING.search(selector)
    ]
    assert not found


def test_every_rule_that_sets_both_colours_is_a_listed_pair():
    """So a new rule cannot put two tokens together unchecked. Values mixed with color-mix() and
    the pills' per-status variables (whose pairs are listed above) are left to axe."""
    rules: dict[tuple[str, str], dict[str, str]] = {}
    for part, selector, prop, value in declarations():
        rules.setdefault((part, selector), {})[prop] = value
    token = re.compile(r"^var\(--([\w-]+)\)")
    listed = {(fg, bg) for fg, bg, _ in PAIRS}
    unlisted = []
    for (part, selector), props in rules.items():
        fg = token.match(props.get("color", ""))
        bg = token.match(props.get("background", props.get("background-color", "")))
        if fg and bg and {fg[1], bg[1]} <= SCHEMES["light"].keys() and (fg[1], bg[1]) not in listed:
            unlisted.append(f"{part}: {selector} (--{fg[1]} on --{bg[1]})")
    assert not unlisted
