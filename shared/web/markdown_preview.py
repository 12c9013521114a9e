"""The live Markdown preview under the message boxes of both areas: what the ticket page will show,
as the customer or the agent types."""

from flask import abort, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from shared.core.markup import render_markdown
from shared.tickets.conversation import BODY_MAX
from shared.web.htmx import is_fragment_request


def markdown_preview() -> tuple[str, int] | str:
    """htmx posts the body here; a fragment comes back. It stores nothing, and plain page loads get 400."""
    if not is_fragment_request():
        abort(400)
    try:
        body = request.form.get("body", "")
    except RequestEntityTooLarge:  # past the form memory limit: far over BODY_MAX anyway
        body = None
    if body is None or len(body) > BODY_MAX:
        return render_template("shared/_preview.html", too_long=True, body_max=BODY_MAX), 422
    return render_template("shared/_preview.html", preview_html=Markup(render_markdown(body)))


def register(bp) -> None:
    """POST <area>/preview, behind the blueprint's own guard (customers in the portal, agents in the console)."""
    bp.add_url_rule("/preview", "markdown_preview", markdown_preview, methods=["POST"])
