"""The queue list's views: the list itself, the sidebar's refresh and the bulk change. The page is
console/queue_page.py's."""

from urllib.parse import parse_qsl, urlsplit

from flask import flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from console import bp
from console.forms import BulkForm
from console.queue_page import DEFAULT_QUEUE, bulk_bar_form, list_address, render_queue, sidebar
from shared.core.extensions import db
from shared.models import Agent, Status
from shared.queues import lists
from shared.records import catalog
from shared.tickets import bulk
from shared.web.htmx import is_fragment_request
from shared.web.views import actor, commit_or_show


@bp.get("/")
def home():
    return render_queue(request.args)


@bp.get("/queues/counts")
def queue_counts():
    """The sidebar with fresh counts, for its own htmx refresh; a person asking gets the list."""
    queue = request.args.get("queue") or DEFAULT_QUEUE
    if not is_fragment_request():
        return redirect(url_for("console.home", queue=queue))
    return sidebar(queue)


@bp.get("/tickets")
def tickets_list():
    return redirect(url_for("console.home"))


def _changes(form: BulkForm) -> dict:
    """The bulk bar's choices as the verbs' arguments; an empty choice changes nothing."""
    changes: dict = {}
    if form.assignee.data:
        nobody = form.assignee.data == lists.NOBODY
        changes["assignee"] = None if nobody else db.session.get(Agent, int(form.assignee.data))
    if form.status.data:
        changes["status"] = db.session.get(Status, int(form.status.data))
    if form.priority.data:
        changes["priority"] = form.priority.data
    return changes


@bp.post("/tickets/bulk")
def tickets_bulk():
    """Change the selected rows together, each through the ticket verbs, then show the same list."""
    back = list_address(request.form.get("next"))
    form = bulk_bar_form(catalog.statuses())
    if form.validate_on_submit():
        changed = commit_or_show(
            lambda: bulk.update_tickets(form.ticket.data, actor=actor(), **_changes(form)), form=form
        )
        if changed.ok:
            for message, category in changed.value.messages():
                flash(message, category)
            return redirect(back, 303)
    return render_queue(MultiDict(parse_qsl(urlsplit(back).query)), bulk_form=form, status=422)
