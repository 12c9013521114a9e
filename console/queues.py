"""The queue list: open work, Needs reply, Mine, Unassigned, and one queue per status."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from console import bp
from shared import catalog, listing
from shared.web import is_fragment_request


@bp.get("/")
def home():
    queue = request.args.get("queue", "all_open")
    statuses = catalog.statuses()
    if queue not in listing.QUEUES and queue.removeprefix("status:") not in {s.key for s in statuses}:
        abort(404)
    page = listing.queue_tickets(current_user, queue, page=request.args.get("page", 1, type=int))
    template = "console/_queue_list.html" if is_fragment_request() else "console/queue.html"
    return render_template(template, page=page, queue=queue, statuses=statuses)


@bp.get("/tickets")
def tickets_list():
    return redirect(url_for("console.home"))
