"""Links and merges from the ticket page's side panel.

Each action is a plain form post (303, then the page) and, from htmx, answers with the links panel
plus, out of band, the history events it added. Merging asks first: the first post shows what will
happen, the confirmed one merges and reloads the page, which then says where the ticket went. A
merge across customers is refused, and the refusal offers to link the two tickets instead.
"""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from console import bp
from console.forms import LinkForm, MergeForm, ProblemForm
from console.tickets import _find_or_404, _names, _page
from shared.access import permissions
from shared.core import bounds
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Ticket
from shared.records import catalog, history
from shared.tickets import links, merges
from shared.web.forms import show_error
from shared.web.htmx import is_fragment_request


@bp.context_processor
def _blank_forms() -> dict:
    """The links card's forms, empty; a view that shows a refused one passes it instead, which wins."""
    return {"link_form": LinkForm(formdata=None), "merge_form": MergeForm(formdata=None)}


def _panel(ticket: Ticket, **forms) -> str:
    return render_template("console/ticket/_links.html", ticket=ticket, ticket_links=links.links_of(ticket), **forms)


def _done(ticket: Ticket, since: int):
    """After a change: the page again (no script), or the panel and the new history events."""
    if not is_fragment_request():
        return redirect(url_for("console.ticket_show", number=ticket.number, _anchor="ticket-links"), 303)
    new_entries = history.entries(ticket, after=since)
    return render_template(
        "console/ticket/_links_changed.html",
        ticket=ticket,
        ticket_links=links.links_of(ticket),
        new_entries=new_entries,
        **_names(catalog.statuses()),
    )


def _answer(ticket: Ticket, status: int = 422, **forms):
    """The links card with a refusal or the merge question: alone for htmx, else in the whole page."""
    if is_fragment_request():
        return _panel(ticket, **forms), status
    return _page(ticket, catalog.statuses(), **forms), status


@bp.post("/tickets/<int:number>/links")
def ticket_link(number: int):
    ticket = _find_or_404(number)
    form = LinkForm()
    since = history.last_entry_id(ticket)
    if form.validate_on_submit():
        try:
            other = links.find_by_number(current_user, form.number.data)
            links.link(ticket, other, form.relation.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return _done(ticket, since)
    return _answer(ticket, link_form=form)


@bp.post("/tickets/<int:number>/links/remove")
def ticket_unlink(number: int):
    """Remove the link to the ticket numbered in the form's `other`."""
    ticket = _find_or_404(number)
    other = permissions.find_ticket(current_user, bounds.whole(request.form.get("other")) or 0) or abort(404)
    since = history.last_entry_id(ticket)
    try:
        links.unlink(ticket, other, actor=current_user)  # the app-wide CSRF check has already passed
    except DomainError as error:
        db.session.rollback()
        return _answer(ticket, links_error=error.message)
    db.session.commit()
    return _done(ticket, since)


@bp.post("/tickets/<int:number>/problem")
def ticket_problem(number: int):
    ticket = _find_or_404(number)
    form = ProblemForm()
    since = history.last_entry_id(ticket)
    if form.validate_on_submit():
        try:
            links.mark_problem(ticket, form.on.data == "1", actor=current_user)
        except DomainError as error:
            db.session.rollback()
            return _answer(ticket, links_error=error.message)
        db.session.commit()
        return _done(ticket, since)
    abort(400)


@bp.post("/tickets/<int:number>/merge")
def ticket_merge(number: int):
    """First post: check and show what will happen. Confirmed post: merge, then the page."""
    ticket = _find_or_404(number)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            target = links.find_by_number(current_user, form.number.data)
            merges.check_merge(ticket, target, actor=current_user)
            if form.confirm.data == "yes":
                merges.merge_ticket(ticket, target, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            # Across customers the card offers to link the two tickets instead.
            offer = error.target if isinstance(error, merges.AcrossCustomers) else None
            return _answer(ticket, merge_form=form, link_offer=offer)
        else:
            if form.confirm.data != "yes":
                return _answer(ticket, 200, merge_form=form, merge_target=target)
            db.session.commit()
            flash(gettext("#%(number)d is merged into #%(target)d.", number=number, target=target.number), "success")
            page = url_for("console.ticket_show", number=number)
            if is_fragment_request():
                return Response(status=204, headers={"HX-Redirect": page})
            return redirect(page, 303)
    return _answer(ticket, merge_form=form)
