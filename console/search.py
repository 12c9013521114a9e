"""Full-text search over every ticket an agent may see: `/console/search?q=…` with filters and pages.

A full page, or for htmx the results partial (the header box searches as the agent types, the filters
as they change). `#1042` or `1042` alone goes straight to that ticket when it is sent as a search.
"""

from flask import Response, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from console import bp
from console.forms import SearchForm
from shared.access import permissions
from shared.core import bounds
from shared.queues import lists
from shared.search import query as search_query
from shared.search import terms
from shared.web.forms import catalog_choices, choices
from shared.web.htmx import is_fragment_request
from shared.web.views import render

PER_PAGE = 20


def _form() -> SearchForm:
    """The words and filters as asked; a filter that names nothing, or an unreadable date, is
    switched off with a note beside it, never a failed page."""
    form = SearchForm(request.args)
    any_status, any_open = ("", gettext("Any status")), (search_query.OPEN, gettext("Any open status"))
    form.status.choices = catalog_choices("statuses", any_status, any_open, value="key")
    anyone, unassigned = ("", gettext("Anyone")), (lists.NOBODY, gettext("Unassigned"))
    form.assignee.choices = catalog_choices("agents", anyone, unassigned, value="text")
    form.department.choices = catalog_choices("departments", ("", gettext("All departments")), value="text")
    form.dated.choices = choices([("updated", gettext("Updated")), ("created", gettext("Created"))])
    form.validate()
    return form


def _filters(form: SearchForm) -> search_query.SearchFilters:
    def whole(value: str) -> int | None:
        return int(value) if value.isdigit() else None

    return search_query.SearchFilters(
        status=form.status.data or None,
        assignee=whole(form.assignee.data) or form.assignee.data or None,
        department=whole(form.department.data),
        dated=form.dated.data,
        since=None if form.since.errors else form.since.data,
        until=None if form.until.errors else form.until.data,
    )


def _address(form: SearchForm, page: int = 1) -> str:
    """This search as an address: what the pager links to and htmx pushes. Fields at their defaults
    (or switched off) are left out, so the address reads like what the agent asked."""
    args = {}
    for field in form:
        value = field._value() if field.type == "DateField" else field.data
        if value and value != field.default and not field.errors:
            args[field.name] = value
    return url_for("console.search_page", **args, **({"page": page} if page > 1 else {}))


@bp.get("/search")
def search_page() -> Response:
    form = _form()
    query = (form.q.data or "").strip() if not form.q.errors else ""
    number = terms.ticket_number(query)
    jump = permissions.find_ticket(current_user, number) if number else None
    fragment = is_fragment_request()
    if jump is not None and not fragment:  # sent as a search; while typing, the results offer it instead
        return redirect(url_for("console.ticket_show", number=jump.number), 303)
    results = search_query.search(
        current_user, query, _filters(form), page=bounds.page(request.args.get("page")), per_page=PER_PAGE
    )
    return render(
        "console/search.html",
        "console/_search.html",
        status=422 if form.q.errors else 200,
        headers={"HX-Push-Url": _address(form, results.page)} if fragment else None,
        form=form,
        query=query,
        words=terms.terms(query),
        results=results,
        jump=jump,
        address=lambda page=1: _address(form, page),
        fragment=fragment,
        count_cap=search_query.COUNT_CAP,
    )
