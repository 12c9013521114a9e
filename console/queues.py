"""The queue list: open work, Needs reply, Mine, Unassigned and one queue per status.

Every view of a list (queue, filters, order, page) is an address: the page and its htmx swaps read
the same query arguments, so a reload, a bookmark and the back button all show the same list.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from flask import Response, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from console import bp
from console.forms import BulkForm, QueueFilterForm, SavedViewForm
from shared.core import bounds
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.i18n import current_locale
from shared.models import Agent, Status
from shared.queues import lists, saved_views
from shared.records import catalog
from shared.tickets import bulk
from shared.web.forms import catalog_choices, choices, show_error
from shared.web.htmx import is_fragment_request, local_path

DEFAULT_QUEUE = "all_open"
SORTING = ("sort", "order")  # kept when the filters are cleared
# Sent with every list fragment: the sidebar refetches its counts (and which queue is current).
QUEUE_CHANGED = "queue-changed"
SORT_LABELS = {
    "updated": _l("Last activity"),  # any entry, notes and events too; the rows show it as "activity"
    "created": _l("Created"),
    "priority": _l("Priority"),
    "number": _l("Number"),
    "due": _l("SLA due"),
}


def _filter_form(args: MultiDict) -> QueueFilterForm:
    """The filters as asked; a value that names nothing is switched off with a note, never a 500."""
    form = QueueFilterForm(formdata=args)
    # "" first in each: no filter.
    form.department.choices = catalog_choices("departments", ("", gettext("All departments")), value="text")
    form.product.choices = catalog_choices("products", ("", gettext("All products")), value="text")
    form.priority.choices = catalog_choices("priorities", ("", gettext("Any priority")))
    form.type.choices = catalog_choices("types", ("", gettext("Any type")))
    anyone, unassigned = ("", gettext("Anyone")), (lists.NOBODY, gettext("Unassigned"))
    form.assignee.choices = catalog_choices("agents", anyone, unassigned, value="text")
    form.sort.choices = choices((key, SORT_LABELS[key]) for key in lists.SORTS)
    form.order.choices = choices([("desc", gettext("Descending")), ("asc", gettext("Ascending"))])
    form.validate()
    return form


def _filters(form: QueueFilterForm) -> lists.QueueFilters:
    def whole(value: str) -> int | None:
        return int(value) if value.isdigit() else None

    return lists.QueueFilters(
        department=whole(form.department.data),
        product=whole(form.product.data),
        priority=form.priority.data or None,
        type=form.type.data or None,
        assignee=whole(form.assignee.data) or form.assignee.data or None,
        sort=form.sort.data,
        descending=form.order.data == "desc",
    )


def _bulk_form(statuses: list[Status]) -> BulkForm:
    """The bulk bar; on a POST it reads the posted form, so a refused change keeps the selection."""
    form = BulkForm()  # "" first in each: no change
    nobody = (lists.NOBODY, gettext("Nobody"))
    form.assignee.choices = catalog_choices("agents", ("", gettext("Assignee…")), nobody, value="text")
    form.status.choices = catalog_choices("statuses", ("", gettext("Status…")), items=statuses, value="text")
    form.priority.choices = catalog_choices("priorities", ("", gettext("Priority…")))
    return form


def _queue_title(queue: str, statuses: list[Status]) -> str:
    if queue in lists.QUEUE_LABELS:
        return str(lists.QUEUE_LABELS[queue])
    return next(s.label(current_locale()) for s in statuses if f"status:{s.key}" == queue)


@dataclass(frozen=True)
class _Address:
    """One view of a queue as an address, defaults left out: what its links, its refresh and a bulk
    change's way back use."""

    queue: str
    choices: dict[str, str]  # the filter form's values that differ from its defaults

    @property
    def filtered(self) -> bool:
        return any(name not in SORTING for name in self.choices)

    def url(self, page: int = 1, *, unfiltered: bool = False) -> str:
        args = {"queue": self.queue} if self.queue != DEFAULT_QUEUE else {}
        args |= {name: value for name, value in self.choices.items() if not unfiltered or name in SORTING}
        return url_for("console.home", **args, **({"page": page} if page > 1 else {}))

    @property
    def query(self) -> str:
        """The address's query string without the page: what a saved view keeps."""
        return self.url().partition("?")[2]


def _render_queue(
    args: MultiDict, *, bulk_form: BulkForm | None = None, save_form: SavedViewForm | None = None, status: int = 200
) -> Response:
    """The list for these query arguments: the whole page, or for htmx the list alone."""
    queue = args.get("queue") or DEFAULT_QUEUE
    statuses = catalog.statuses()
    if not lists.is_queue(queue, statuses):
        abort(404)
    form = _filter_form(args)
    page_size = current_app.config["QUEUE_PAGE_SIZE"]
    page = lists.queue_tickets(
        current_user, queue, filters=_filters(form), page=bounds.page(args.get("page")), per_page=page_size
    )
    address = _Address(queue, {f.name: f.data for f in form if f.data != f.default})
    bulk_form = bulk_form or _bulk_form(statuses)
    bulk_form.next.data = address.url(page.page)
    save_form = save_form or SavedViewForm(formdata=None)
    save_form.query.data = address.query
    fragment = is_fragment_request()
    template = "console/_queue_list.html" if fragment else "console/queue.html"
    html = render_template(
        template,
        page=page,
        queue=queue,
        title=_queue_title(queue, statuses),
        statuses=statuses,
        filter_form=form,
        address=address,
        bulk_form=bulk_form,
        save_form=save_form,
        fragment=fragment,
        counts=None if fragment else lists.queue_counts(current_user),
        views=None if fragment else saved_views.with_counts(current_user),
        queue_labels=lists.QUEUE_LABELS,
    )
    response = make_response(html, status)
    if fragment:
        response.headers["HX-Trigger-After-Swap"] = QUEUE_CHANGED
    return response


@bp.get("/")
def home():
    return _render_queue(request.args)


@bp.get("/queues/counts")
def queue_counts():
    """The sidebar with fresh counts, for its own htmx refresh; a person asking gets the list."""
    queue = request.args.get("queue") or DEFAULT_QUEUE
    if not is_fragment_request():
        return redirect(url_for("console.home", queue=queue))
    return sidebar(queue)


def sidebar(queue: str, *, oob: bool = False) -> str:
    """The sidebar partial with fresh counts; `oob` when it rides along another partial."""
    return render_template(
        "console/_sidebar.html",
        queue=queue,
        statuses=catalog.statuses(),
        counts=lists.queue_counts(current_user),
        views=saved_views.with_counts(current_user),
        queue_labels=lists.QUEUE_LABELS,
        oob=oob,
    )


@bp.get("/tickets")
def tickets_list():
    return redirect(url_for("console.home"))


def _list_address(asked: str | None) -> str:
    """Where a bulk change returns to: the list it was made from, and never anywhere else."""
    home = url_for("console.home")
    target = local_path(asked, under=home, default=home)
    return target if urlsplit(target).path == home else home


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
    back = _list_address(request.form.get("next"))
    form = _bulk_form(catalog.statuses())
    if form.validate_on_submit():
        try:
            outcome = bulk.update_tickets(form.ticket.data, actor=current_user, **_changes(form))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            for message, category in outcome.messages():
                flash(message, category)
            return redirect(back, 303)
    return _render_queue(MultiDict(parse_qsl(urlsplit(back).query)), bulk_form=form, status=422)
