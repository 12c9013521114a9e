"""Remote images in message bodies are never fetched by opening a ticket: each is shown as a link
to open deliberately, images on the desk stay images, and the CSP's img-src backs it up."""

import re

import pytest

from shared.core.remote_images import hold_remote_images, remote_host
from shared.web.security_headers import CONTENT_SECURITY_POLICY

BODY = (
    "Look: ![the error dialog](https://tracker.example/pixel.png?u=alice&t=1001)\n\n"
    "and ![](//cdn.example/b.png) and ![ours](/static/favicon.svg)"
)


def remote_imgs(html: str) -> list[str]:
    """The <img> sources in `html` a browser would fetch from another host."""
    return [src for src in re.findall(r'<img\b[^>]*\bsrc="([^"]*)"', html) if remote_host(src)]


@pytest.mark.parametrize(
    ("src", "host"),
    [
        ("https://tracker.example/a.png", "tracker.example"),
        ("HTTP://Tracker.Example:8080/a.png", "tracker.example"),
        ("//cdn.example/b.png", "cdn.example"),
        ("/\t/evil.example/c.png", "evil.example"),
        ("/\\evil.example/c.png", "evil.example"),
        (" /\n/evil.example/c.png", "evil.example"),
        ("mailto:x@example.com", "mailto:x@example.com"),
        ("/static/favicon.svg", None),
        ("pictures/a.png", None),
        ("", None),
    ],
)
def test_remote_host(src, host):
    assert remote_host(src) == host


def test_remote_images_become_links_and_local_ones_stay(app):
    from shared.core.markup import render_markdown

    with app.test_request_context():
        html = str(hold_remote_images(render_markdown(BODY)))
    assert remote_imgs(html) == []
    assert '<img src="/static/favicon.svg" alt="ours">' in html
    links = re.findall(
        r'<a class="remote-image" href="([^"]*)" target="_blank" rel="noopener noreferrer nofollow"', html
    )
    assert links == [
        "https://tracker.example/pixel.png?u=alice&amp;t=1001",
        "//cdn.example/b.png",
    ]
    assert "Remote image from tracker.example" in html and "the error dialog" in html


def test_sanitised_html_with_a_disguised_remote_source(app):
    """HTML that is not Markdown's (a mail body, kept by the sanitiser): a tab a browser drops."""
    from shared.core.markup import sanitize_html

    with app.test_request_context():
        html = str(hold_remote_images(sanitize_html('<p><img src="/\t/evil.example/c.png" alt="x"></p>')))
    assert "<img" not in html and "Remote image from evil.example" in html


def test_text_without_images_is_passed_through(app):
    with app.test_request_context():
        assert str(hold_remote_images("<p>plain &lt;img&gt;</p>")) == "<p>plain &lt;img&gt;</p>"


def test_the_csp_loads_images_only_from_the_desk():
    [images] = [part.split()[1:] for part in CONTENT_SECURITY_POLICY.split(";") if part.split()[0] == "img-src"]
    assert images == ["'self'", "data:"]


def test_opening_a_ticket_fetches_no_remote_image(client, customer, make_agent, make_ticket, login_as):
    make_ticket(customer, body=BODY)
    for account, path in [(customer, "/portal/tickets/1001"), (make_agent(), "/console/tickets/1001")]:
        login_as(account)
        page = client.get(path).get_data(as_text=True)
        assert remote_imgs(page) == [] and "Remote image from tracker.example" in page
        assert 'href="https://tracker.example/pixel.png?u=alice&amp;t=1001"' in page


def test_the_preview_shows_remote_images_as_links(client, customer, login_as):
    login_as(customer)
    response = client.post("/portal/preview", data={"body": BODY}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert remote_imgs(html) == [] and "Remote image from cdn.example" in html


def test_remote_image_links_are_translated(client, customer, make_ticket, login_as):
    make_ticket(customer, body=BODY)
    login_as(customer)
    page = client.get("/portal/tickets/1001", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Remote image from" not in page and "tracker.example" in page
