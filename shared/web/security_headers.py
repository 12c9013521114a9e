"""Security headers on every response the desk sends: pages, fragments, files and static assets.

A Content-Security-Policy that runs only the desk's own script files (no inline script, no
handler attribute, no eval) and loads images only from the desk itself, so a remote image in a
message is never fetched when someone opens it; no framing; no MIME sniffing; no referrer to
other sites. When the desk is served over HTTPS (its BASE_URL says so, or the request came in
over HTTPS, as the trusted proxies tell it), HSTS, and `Secure` on every cookie.

It is WSGI middleware, not a Flask hook, so it also covers what WhiteNoise serves and every
cookie set by any part of the app (the session's is written after Flask's own hooks have run).
"""

from collections.abc import Callable, Iterable
from typing import Any

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # data: for the icons, which the stylesheet draws as SVG data URIs.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
]

StartResponse = Callable[..., Any]


def _secure_cookie(value: str) -> str:
    """A Set-Cookie value with the Secure attribute, added when it lacks it."""
    attributes = (part.strip().lower() for part in value.split(";")[1:])
    return value if "secure" in attributes else f"{value}; Secure"


def add_headers(headers: list[tuple[str, str]], *, https: bool, hsts_seconds: int) -> list[tuple[str, str]]:
    """`headers` with the security headers the response does not set itself. A response's own,
    stricter policy (an attachment's `sandbox`) is kept, and told not to be framed either."""
    present = {name.lower(): index for index, (name, _) in enumerate(headers)}
    out = list(headers)
    for name, value in HEADERS:
        if name.lower() not in present:
            out.append((name, value))
    policy_at = present.get("content-security-policy")
    if policy_at is not None and "frame-ancestors" not in out[policy_at][1]:
        out[policy_at] = (out[policy_at][0], f"{out[policy_at][1]}; frame-ancestors 'none'")
    if https:
        out = [(name, _secure_cookie(value) if name.lower() == "set-cookie" else value) for name, value in out]
        if hsts_seconds and "strict-transport-security" not in present:
            out.append(("Strict-Transport-Security", f"max-age={hsts_seconds}"))
    return out


class SecurityHeaders:
    """Wraps a WSGI app; `https_base`: the desk's BASE_URL is https, so browsers reach it over
    HTTPS whatever the hop from the proxy to this process speaks."""

    def __init__(self, app: Callable, *, https_base: bool, hsts_seconds: int) -> None:
        self.app = app
        self.https_base = https_base
        self.hsts_seconds = hsts_seconds

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        https = self.https_base or environ.get("wsgi.url_scheme") == "https"

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = add_headers(headers, https=https, hsts_seconds=self.hsts_seconds)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app(environ, start)
