"""What the admin-area tests read: a page's text, the page a redirect leads to with its flash, the
activity log's actions and the one link of a mail."""

import html
import re

from sqlalchemy import select

from shared.models import AuditEvent


def page_text(response) -> str:
    return response.get_data(as_text=True)


def flashed(client, response) -> str:
    """The page a 303 leads to, with the message flashed on the way (unescaped)."""
    assert response.status_code == 303, page_text(response)
    return html.unescape(page_text(client.get(response.headers["Location"])))


def audit_actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def mailed_link(message) -> str:
    """The path of the single link in a mail, checked to be the same in its text and HTML parts."""
    [link] = re.findall(r"http://desk\.test(/\S+/reset/[\w-]+)", message.body_text)
    assert f"http://desk.test{link}" in message.body_html
    return link
