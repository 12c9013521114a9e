"""The queue page, for every view that answers with it: the list for an address's query arguments
(whole page, or the list alone for htmx), its sidebar with the counts, the bulk bar's form and where
a change made from the list goes back to. The views are console/queues.py's and
console/saved_views.py's.

Every view of a list (queue, filters, order, page) is an address: the page and its htmx swaps read
the same query arguments, so a reload, a bookmark and the back button all show the same list.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, abort, current_app, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from console.forms import BulkForm, QueueFilterForm, SavedViewForm
from shared.core import bounds
from shared.core.i18n import current_locale
from shared.models import Status
from shared.queues import lists, saved_views
from shared.records import catalog
from shared.web.forms import catalog_choices, choices
from shared.web.htmx import is_fragment_request, local_path
from shared.web.views import render

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


def bulk_bar_form(statuses: list[Status]) -> BulkForm:
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


def render_queue(
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
    bulk_form = bulk_form or bulk_bar_form(statuses)
    bulk_form.next.data = address.url(page.page)
    save_form = save_form or SavedViewForm(formdata=None)
    save_form.query.data = address.query
    fragment = is_fragment_request()
    view = saved_views.view_at(current_user, address.query)
    return render(
        "console/queue.html",
        "console/_queue_list.html",
        status=status,
        headers={"HX-Trigger-After-Swap": QUEUE_CHANGED} if fragment else None,
        page=page,
        queue=queue,
        title=view.name if view is not None else _queue_title(queue, statuses),
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


def list_address(asked: str | None) -> str:
    """Where a bulk change returns to: the list it was made from, and never anywhere else."""
    home = url_for("console.home")
    target = local_path(asked, under=home, default=home)
    return target if urlsplit(target).path == home else home
