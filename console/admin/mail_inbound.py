"""Admin: the inbound mail log. Every received message with its state, filtered by state and
searched by sender or subject (htmx swaps the list and pushes the address); a message's page
with its headers, its error and its original for download; retry, accept and split.

Nothing is deleted: each action moves a message on and says so on its page.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug import Response

from console.admin import bp
from shared.core import bounds
from shared.core.extensions import db
from shared.mail import intake, log
from shared.models import InboundMessage, InboundState
from shared.web.views import actor, commit_or_show, render


@bp.context_processor
def _mail_words() -> dict:
    """State and reason labels for the mail pages, and the nav's mail entries (every admin page)."""
    return {
        "inbound_state_label": log.inbound_state_label,
        "outbox_state_label": log.outbox_state_label,
        "reason_label": log.reason_label,
        "catcher_in_use": log.catcher_in_use,
        "mail_counts": log.attention_counts,
    }


@bp.get("/mail/inbound")
def inbound_list():
    state = request.args.get("state", "")
    state = state if state in log.INBOUND_STATES else ""
    query = request.args.get("q", "")
    page = log.inbound_log(state, query, page=bounds.page(request.args.get("page")))
    counts, choices = log.inbound_counts(), log.INBOUND_STATES.items()
    return render(
        "console/admin/inbound.html",
        "console/admin/_inbound_list.html",
        page=page,
        state=state,
        query=query,
        counts=counts,
        choices=choices,
    )


def _inbound(inbound_id: int) -> InboundMessage:
    return db.session.get(InboundMessage, inbound_id) or abort(404)


@bp.get("/mail/inbound/<int:inbound_id>")
def inbound_show(inbound_id: int):
    inbound = _inbound(inbound_id)
    return render_template(
        "console/admin/inbound_message.html",
        inbound=inbound,
        headers=log.header_summary(inbound),
        text=log.text_preview(inbound),
    )


@bp.get("/mail/inbound/<int:inbound_id>/original")
def inbound_download(inbound_id: int):
    return log.download(_inbound(inbound_id))


def _act(inbound_id: int, verb: Callable[[InboundMessage], tuple[str, str]]) -> Response:
    """Apply `verb` (it returns what to tell the admin and how), commit, back to the message."""
    inbound = _inbound(inbound_id)
    acted = commit_or_show(lambda: verb(inbound))
    message, category = acted.value if acted.ok else (acted.error.message, "error")
    flash(message, category)
    return redirect(url_for("console.admin.inbound_show", inbound_id=inbound_id), 303)


@bp.post("/mail/inbound/<int:inbound_id>/retry")
def inbound_retry(inbound_id: int):
    def retry(inbound: InboundMessage) -> tuple[str, str]:
        inbound = intake.retry(inbound, actor=actor())
        if inbound.state == InboundState.QUARANTINED:
            return gettext("It failed again and is still quarantined: %(error)s", error=inbound.error), "error"
        return gettext("Processed: %(outcome)s.", outcome=log.reason_label(inbound.reason)), "success"

    return _act(inbound_id, retry)


@bp.post("/mail/inbound/<int:inbound_id>/accept")
def inbound_accept(inbound_id: int):
    def accept(inbound: InboundMessage) -> tuple[str, str]:
        entry = intake.accept_held(inbound, actor=actor())
        said = gettext("%(name)s is on the ticket now, and their message is posted.", name=entry.author.display_name)
        return said, "success"

    return _act(inbound_id, accept)


@bp.post("/mail/inbound/<int:inbound_id>/split")
def inbound_split(inbound_id: int):
    def split(inbound: InboundMessage) -> tuple[str, str]:
        ticket = intake.split_held(inbound, actor=actor())
        return gettext("The message is a new ticket: #%(number)d.", number=ticket.number), "success"

    return _act(inbound_id, split)
