"""Security headers through the real app: every route of the URL map, as an anonymous visitor, a
customer and an agent (pages, htmx fragments, files, errors, static assets); HSTS and Secure
cookies over HTTPS only, whether BASE_URL says so or the request (after the trusted proxies) does."""

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from shared.tickets.attachments import Upload
from tests.conftest import PASSWORD
from tests.routes import endpoints

STATIC = ["/static/css/deskbell.css", "/static/js/console/keyboard.js", "/static/favicon.svg"]
ROUTES = [
    *endpoints("portal"),
    *endpoints("console"),
    *[("GET", path) for path in ["/", "/healthz", "/favicon.ico", "/no/such/page", *STATIC]],
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def app_config() -> dict:
    """Real CSRF checks: the walk's posts carry no form token, so they are refused and change nothing
    (nor log the walker out)."""
    return {"WTF_CSRF_ENABLED": True}


def log_in(client: FlaskClient, area: str, email: str, **request) -> None:
    """Through the login form, with its CSRF token, as a browser would."""
    page = client.get(f"/{area}/login", **request).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    # Over HTTPS Flask-WTF wants a same-origin Referer, which the Referrer-Policy lets browsers send.
    referer = {"Referer": f"{request.get('base_url', 'http://localhost')}/{area}/login"}
    response = client.post(
        f"/{area}/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, headers=referer, **request
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        found[name] = sources
    return found


def problems(response, *, https: bool) -> list[str]:
    """What is wrong with one response's headers (an empty list when nothing is)."""
    headers, found = response.headers, []
    policy = directives(headers.get("Content-Security-Policy", "default-src *"))
    scripts = policy.get("script-src", policy.get("default-src", ["*"]))
    if not set(scripts) <= {"'self'", "'none'"}:
        found.append(f"script-src {scripts}")
    images = policy.get("img-src", policy.get("default-src", ["*"]))
    if not set(images) <= {"'self'", "'none'", "data:"}:
        found.append(f"img-src {images}")
    if policy.get("frame-ancestors") != ["'none'"]:
        found.append(f"frame-ancestors {policy.get('frame-ancestors')}")
    expected = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    found += [f"{name}: {headers.get(name)}" for name, value in expected.items() if headers.get(name) != value]
    if not response.request.path.startswith("/static/") and "no-store" not in headers.get("Cache-Control", ""):
        found.append(f"Cache-Control: {headers.get('Cache-Control')}")
    if ("Strict-Transport-Security" in headers) != https:
        found.append(f"Strict-Transport-Security: {headers.get('Strict-Transport-Security')}")
    for cookie in headers.getlist("Set-Cookie"):
        if ("; Secure" in cookie) != https:
            found.append(f"Set-Cookie: {cookie}")
    return found


def walk(client: FlaskClient, routes=ROUTES, **request) -> dict[str, list[str]]:
    """Each route plainly, and each GET also as htmx asks for it; the problems by request."""
    report = {}
    for method, path in routes:
        for htmx in [False, True] if method == "GET" else [False]:
            response = client.open(path, method=method, headers={"HX-Request": "true"} if htmx else {}, **request)
            response.close()  # a static file's handle
            assert response.status_code < 500, (method, path, response.status_code)
            if found := problems(response, https=request.get("base_url", "").startswith("https")):
                report[f"{method} {path}{' (htmx)' if htmx else ''} {response.status_code}"] = found
    return report


@pytest.fixture
def desk(db, customer, make_agent, make_ticket):
    """Ticket 1001 of the customer's, with an attached image (attachment 1), and an admin agent."""
    make_ticket(customer, uploads=[Upload("screen.png", PNG)])
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


@pytest.mark.parametrize("who", ["anonymous", "customer", "agent"])
def test_every_route_sends_the_security_headers(who, client, desk, customer):
    if who == "customer":
        log_in(client, "portal", customer.email)
    elif who == "agent":
        log_in(client, "console", desk.email)
    assert walk(client) == {}
    # The walk really was made as `who`, all the way through (the downloads too).
    path, status = {"anonymous": ("/portal/tickets", 302), "customer": ("/portal/tickets", 200)}.get(
        who, ("/console/", 200)
    )
    assert client.get(path).status_code == status
    if who != "anonymous":
        area = "portal" if who == "customer" else "console"
        download = client.get(f"/{area}/tickets/1001/attachments/1")
        download.close()
        assert download.status_code == 200 and "no-store" in download.headers["Cache-Control"]


def test_a_page_runs_only_the_desks_own_script_files(client, desk):
    log_in(client, "console", desk.email)
    page = client.get("/console/tickets/1001").get_data(as_text=True)
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    own = r'src="/static/js/(?:[\w-]+/)?[\w.-]+\.js"'  # a file of ours, in static/js/ or one folder below
    assert scripts and all(re.search(own, attrs) and not body for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", page) and "hx-on" not in page


def test_over_plain_http_there_is_no_hsts_and_no_secure_cookie(client, customer):
    log_in(client, "portal", customer.email)
    response = client.get("/portal/")
    assert "Strict-Transport-Security" not in response.headers
    assert problems(response, https=False) == []


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "BASE_URL": "https://desk.test"}])
def test_an_https_base_url_brings_hsts_and_secure_cookies(client, desk, customer):
    """TLS ends at a proxy the desk was not told about: BASE_URL alone says browsers use HTTPS."""
    page = client.get("/portal/login")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = page.headers["Set-Cookie"]
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie
    log_in(client, "console", desk.email, base_url="https://localhost")
    assert walk(client, base_url="https://localhost") == {}


def test_a_request_over_https_brings_hsts_and_secure_cookies(client, desk):
    log_in(client, "console", desk.email, base_url="https://localhost")
    assert walk(client, [("GET", "/console/"), ("GET", "/static/css/deskbell.css")], base_url="https://localhost") == {}
    plain = client.get("/portal/login")
    assert "Strict-Transport-Security" not in plain.headers and "Secure" not in plain.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("app_config", "https"),
    [({"PROXY_COUNT": 0, "WTF_CSRF_ENABLED": True}, False), ({"PROXY_COUNT": 1, "WTF_CSRF_ENABLED": True}, True)],
)
def test_the_scheme_from_the_proxy_counts_only_from_a_trusted_proxy(client, https):
    response = client.get("/portal/login", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is https
    assert ("; Secure" in response.headers["Set-Cookie"]) is https


@pytest.mark.parametrize("app_config", [{"HSTS_SECONDS": 0, "BASE_URL": "https://desk.test"}])
def test_hsts_can_be_turned_off(client):
    response = client.get("/portal/login")
    assert "Strict-Transport-Security" not in response.headers and "; Secure" in response.headers["Set-Cookie"]


def test_an_attachment_keeps_its_own_stricter_policy(client, desk, customer):
    log_in(client, "portal", customer.email)
    response = client.get("/portal/tickets/1001/attachments/1?inline=1")
    response.close()
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'none'"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_templates_hold_no_inline_script_nor_style():
    """What the CSP would block: script bodies, handler attributes, hx-on (eval), javascript: URLs,
    style attributes. Mail templates are not pages (mail clients need their inline styles)."""
    patterns = [
        r"<script\b(?![^>]*\bsrc=)",
        r"\son[a-z]+\s*=",
        r"\bhx-on\b",
        r"\bhx-on:",
        r"js:",
        r"javascript:",
        r"\bstyle\s*=",
        r"<style\b",
    ]
    templates = Path(__file__).resolve().parent.parent / "templates"
    offenders = [
        f"{path.relative_to(templates)}: {pattern}"
        for path in templates.rglob("*.html")
        if path.parent.name != "email"
        for pattern in patterns
        if re.search(pattern, re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S))
    ]
    assert offenders == []
