"""Bodies are Markdown with raw HTML off, rendered and then sanitised by nh3."""

from html.parser import HTMLParser

import pytest

from shared.core.markup import render_markdown, sanitize_html

DANGEROUS_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "input",
    "svg",
    "math",
    "link",
    "meta",
    "base",
}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class Elements(HTMLParser):
    """The elements and attributes of a piece of HTML, as a browser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _ in self.found}


def assert_harmless(html: str) -> None:
    elements = Elements(html)
    assert elements.tags.isdisjoint(DANGEROUS_TAGS), html
    for tag, attrs in elements.found:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        for name in ("href", "src"):
            if name in attrs and ":" in attrs[name].split("/")[0]:
                assert attrs[name].lower().startswith(SAFE_SCHEMES), (tag, attrs)


ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<style>body { display: none }</style>",
    '<p style="position:fixed;top:0">Pay here</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name="password"></form>',
    "<!-- hidden --><b>bold</b>",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_raw_html_and_dangerous_links_never_become_markup(text):
    assert_harmless(render_markdown(text))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
        ("```\n<iframe></iframe>\n```", "<pre><code>&lt;iframe&gt;&lt;/iframe&gt;\n</code></pre>"),
    ],
)
def test_raw_html_is_shown_as_text(text, shown):
    """A customer pasting HTML sees what they pasted; nothing is silently lost."""
    assert shown in render_markdown(text)


def test_a_javascript_link_stays_plain_text():
    html = render_markdown("[click](javascript:alert(1))")

    assert "<a" not in html
    assert "click" in html


DIRTY_HTML = [
    "<script>alert(1)</script>",
    '<p onclick="alert(1)">hi</p>',
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JAVASCRIPT:alert(1)">a</a>',
    '<p style="color:red">hi</p>',
    "<style>p { color: red }</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<svg><script>alert(1)</script></svg>",
    '<form><input name="password"></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
]


@pytest.mark.parametrize("html", DIRTY_HTML)
def test_sanitize_html_strips_what_email_html_may_carry(html):
    assert_harmless(sanitize_html(html))


@pytest.mark.parametrize("html", DIRTY_HTML)
def test_the_harmlessness_check_sees_dirty_html(html):
    """Guard against the checks above passing because `assert_harmless` accepts anything."""
    with pytest.raises(AssertionError):
        assert_harmless(html)


def test_sanitize_html_keeps_text_and_safe_links():
    html = sanitize_html('<p style="x" onclick="y">Hello <a href="https://ok.example" target="_blank">there</a></p>')

    assert Elements(html).found == [
        ("p", {}),
        ("a", {"href": "https://ok.example", "rel": "noopener noreferrer nofollow"}),
    ]
    assert "Hello" in html and "there" in html


ORDINARY = """# Printer

The **big** printer is *on fire*, see `lp0`.

- smoke
- flames

1. unplug it
2. call us

> it beeps

```
$ lpstat -p
```

Details: [our status page](https://status.example/printers "Status") or <mailto:help@example.com>.

| part | state |
|------|-------|
| tray | ok    |
"""


def test_ordinary_markdown_survives():
    html = render_markdown(ORDINARY)
    elements = Elements(html)

    assert {"h1", "strong", "em", "code", "ul", "ol", "li", "blockquote", "pre", "a", "table", "td"} <= elements.tags
    assert "<strong>big</strong>" in html
    assert "<em>on fire</em>" in html
    assert "<code>lp0</code>" in html
    assert "<pre><code>$ lpstat -p\n</code></pre>" in html
    links = [attrs for tag, attrs in elements.found if tag == "a"]
    assert links == [
        {"href": "https://status.example/printers", "title": "Status", "rel": "noopener noreferrer nofollow"},
        {"href": "mailto:help@example.com", "rel": "noopener noreferrer nofollow"},
    ]
    assert_harmless(html)


@pytest.mark.parametrize("text", ["", None])
def test_an_empty_body_renders_to_nothing(text):
    assert render_markdown(text) == ""


def test_characters_are_escaped_not_dropped():
    html = render_markdown('Fish & chips < 5 € "quoted"')

    assert "Fish &amp; chips &lt; 5 €" in html
