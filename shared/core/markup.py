"""Markdown bodies rendered to HTML that is safe to show: raw HTML off, then sanitised. Plain
text (mail) rendered as it reads, with its line breaks."""

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import escape

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
# A web address in plain text, without the punctuation that ends the sentence around it.
_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]")


def sanitize_html(html: str) -> str:
    """Keep formatting, drop scripts, styles, event handlers and dangerous URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    return sanitize_html(_md.render(text or ""))


def render_plain_text(text: str) -> str:
    """Plain text (an email) as HTML that reads like it: paragraphs at blank lines, line breaks
    kept, web addresses clickable, everything else escaped; sanitised like every body."""
    paragraphs = [p for p in re.split(r"\n\s*\n", (text or "").strip()) if p.strip()]
    return sanitize_html("".join(f"<p>{_linkify(p).replace(chr(10), '<br>')}</p>" for p in paragraphs))


def _linkify(text: str) -> str:
    """`text` escaped, with its web addresses as links."""
    out, position = [], 0
    for match in _URL.finditer(text):
        url = escape(match.group(0))
        out += [escape(text[position : match.start()]), f'<a href="{url}">{url}</a>']
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(str(piece) for piece in out)
