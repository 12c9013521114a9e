"""Links and merges from the ticket page's side panel.

Each action is a plain form post (303, then the page) and, from htmx, answers with the links panel
plus, out of band, the history events it added. Merging asks first: the first post shows what will
happen, the confirmed one merges and reloads the page, which then says where the ticket went. A
merge across customers is refused, and the refusal offers to link the two tickets instead.
"""

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from console import bp, ticket_page
from console.forms import LinkForm, MergeForm, ProblemForm
from shared.access import permissions
from shared.core import bounds
from shared.models import Ticket
from shared.records import catalog, history
from shared.tickets import links, merges
from shared.web.htmx import is_fragment_request
from shared.web.views import actor, commit_or_show, ticket_or_404


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
        **ticket_page.history_names(catalog.statuses()),
    )


def _answer(ticket: Ticket, status: int = 422, **forms):
    """The links card with a refusal or the merge question: alone for htmx, else in the whole page."""
    if is_fragment_request():
        return _panel(ticket, **forms), status
    return ticket_page.page(ticket, catalog.statuses(), **forms), status


def _change(ticket: Ticket, since: int, verb: Callable[[], None]):
    """A change with no form of its own (a card's button): a refusal shows in the card."""
    changed = commit_or_show(verb)
    if not changed.ok:
        return _answer(ticket, links_error=changed.error.message)
    return _done(ticket, since)


@bp.post("/tickets/<int:number>/links")
def ticket_link(number: int):
    ticket = ticket_or_404(number)
    form = LinkForm()
    since = history.last_entry_id(ticket)

    def link() -> None:
        other = links.find_by_number(actor(), form.number.data)
        links.link(ticket, other, form.relation.data, actor=actor())

    if form.validate_on_submit() and commit_or_show(link, form=form).ok:
        return _done(ticket, since)
    return _answer(ticket, link_form=form)


@bp.post("/tickets/<int:number>/links/remove")
def ticket_unlink(number: int):
    """Remove the link to the ticket numbered in the form's `other`."""
    ticket = ticket_or_404(number)
    other = permissions.find_ticket(actor(), bounds.whole(request.form.get("other")) or 0) or abort(404)
    since = history.last_entry_id(ticket)
    return _change(ticket, since, lambda: links.unlink(ticket, other, actor=actor()))  # CSRF checked app-wide


@bp.post("/tickets/<int:number>/problem")
def ticket_problem(number: int):
    ticket = ticket_or_404(number)
    form = ProblemForm()
    since = history.last_entry_id(ticket)
    if not form.validate_on_submit():
        abort(400)
    return _change(ticket, since, lambda: links.mark_problem(ticket, form.on.data == "1", actor=actor()))


@bp.post("/tickets/<int:number>/merge")
def ticket_merge(number: int):
    """First post: check and show what will happen. Confirmed post: merge, then the page."""
    ticket = ticket_or_404(number)
    form = MergeForm()
    if not form.validate_on_submit():
        return _answer(ticket, merge_form=form)
    confirmed = form.confirm.data == "yes"

    def check_or_merge() -> Ticket:
        target = links.find_by_number(actor(), form.number.data)
        merges.check_merge(ticket, target, actor=actor())
        if confirmed:
            merges.merge_ticket(ticket, target, actor=actor())
        return target

    # The first post's check writes nothing, so its commit commits nothing.
    merged = commit_or_show(check_or_merge, form=form)
    if not merged.ok:
        # Across customers the card offers to link the two tickets instead.
        offer = merged.error.target if isinstance(merged.error, merges.AcrossCustomers) else None
        return _answer(ticket, merge_form=form, link_offer=offer)
    target = merged.value
    if not confirmed:
        return _answer(ticket, 200, merge_form=form, merge_target=target)
    flash(gettext("#%(number)d is merged into #%(target)d.", number=number, target=target.number), "success")
    page = url_for("console.ticket_show", number=number)
    if is_fragment_request():
        return Response(status=204, headers={"HX-Redirect": page})
    return redirect(page, 303)
