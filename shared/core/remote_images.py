"""Remote images in message bodies are not fetched when someone opens the message: a picture in a
customer's Markdown (or an agent's) could tell its sender when, from where and how often a ticket
was read. Each remote <img> is shown as a link, "Remote image from <host>", that the reader may open
deliberately (in a new tab, without a referrer); images on the desk itself stay images.

The Content-Security-Policy's `img-src 'self' data:` (shared/web/security_headers.py) enforces it in
the browser; this filter is what the reader sees instead of a broken picture. It works on bodies
as stored, already sanitised by `markup.sanitize_html`, so it also covers bodies written before it.
"""

import html
import re
from urllib.parse import urlsplit

from flask_babel import gettext
from markupsafe import Markup, escape

# nh3 (html5ever) writes every attribute as name="value", with " escaped inside the value.
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
# Browsers drop tabs and line breaks inside a URL and read a backslash as a slash.
_URL_NOISE = re.compile(r"[\t\n\r]")


def remote_host(src: str) -> str | None:
    """The host a browser would fetch `src` from, if it is not the page's own (None then)."""
    url = _URL_NOISE.sub("", src).strip().replace("\\", "/")
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return None
    return parts.hostname or parts.netloc or url


def _link(match: re.Match) -> str:
    attributes = {name.lower(): html.unescape(value) for name, value in _ATTRIBUTE.findall(match.group(1))}
    src = attributes.get("src", "")
    host = remote_host(src)
    if host is None:
        return match.group(0)
    alt = attributes.get("alt", "").strip()
    label = gettext("Remote image from %(host)s", host=host)
    hint = gettext("Not loaded, so its sender cannot tell you read this. Open it in a new tab.")
    return (
        f'<a class="remote-image" href="{escape(src)}" target="_blank" rel="noopener noreferrer nofollow" '
        f'title="{escape(hint)}">'
        f'<span class="icon icon--image" aria-hidden="true"></span><span class="remote-image__text">'
        f'<span class="remote-image__label">{escape(label)}</span>'
        + (f' <span class="remote-image__alt">{escape(alt)}</span>' if alt else "")
        + "</span></a>"
    )


def hold_remote_images(body_html: str) -> Markup:
    """A sanitised body with its remote images turned into links (the `hold_remote_images` filter)."""
    if "<img" not in body_html:
        return Markup(body_html)
    return Markup(_IMG.sub(_link, body_html))
