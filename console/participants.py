"""Who is in the conversation, from the ticket page's side panel: add someone by address, remove
someone. Each is a plain form post (303, then the page) and, from htmx, answers with the card, the
history events it added and a sentence for screen readers, out of band."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from console import bp, ticket_page
from console.forms import ParticipantForm
from shared.core import bounds
from shared.models import Ticket
from shared.records import catalog, history
from shared.tickets import participants
from shared.web.htmx import is_fragment_request
from shared.web.views import actor, commit_or_show, ticket_or_404


@bp.context_processor
def _blank_form() -> dict:
    """The card's add form, empty; a view that shows a refused one passes it instead, which wins."""
    return {"participant_form": ParticipantForm(formdata=None)}


def _done(ticket: Ticket, since: int, said: str, *, focus: int | None = None):
    """After a change: the page again (no script), or the card, the new events and what happened."""
    if not is_fragment_request():
        flash(said, "success")
        return redirect(url_for("console.ticket_show", number=ticket.number, _anchor="ticket-participants"), 303)
    return render_template(
        "console/ticket/_participants_changed.html",
        ticket=ticket,
        participants=participants.current(ticket),
        new_entries=history.entries(ticket, after=since),
        said=said,
        focus=focus,
        **ticket_page.history_names(catalog.statuses()),
    )


def _refused(ticket: Ticket, form: ParticipantForm):
    """The card with the refusal beside the field: alone for htmx, else in the whole page (422)."""
    if is_fragment_request():
        people = participants.current(ticket)
        card = render_template(
            "console/ticket/_participants.html", ticket=ticket, participants=people, participant_form=form
        )
        return card, 422
    return ticket_page.page(ticket, catalog.statuses(), participant_form=form), 422


@bp.post("/tickets/<int:number>/participants")
def ticket_participant_add(number: int):
    ticket = ticket_or_404(number)
    form = ParticipantForm()
    since = history.last_entry_id(ticket)
    if form.validate_on_submit():
        added = commit_or_show(lambda: participants.add(ticket, form.email.data, actor=actor()), form=form)
        if added.ok:
            said = gettext("%(who)s is in the conversation now and gets the public replies.", who=added.value.email)
            return _done(ticket, since, said, focus=-1)
    return _refused(ticket, form)


@bp.post("/tickets/<int:number>/participants/remove")
def ticket_participant_remove(number: int):
    """Remove the participant whose id the form's `participant` carries; one of another ticket is 404."""
    ticket = ticket_or_404(number)
    row = participants.find(ticket, bounds.whole(request.form.get("participant")) or 0) or abort(404)
    since = history.last_entry_id(ticket)
    place = [p.id for p in participants.current(ticket)].index(row.id)
    form = ParticipantForm(formdata=None)  # a refusal shows above the card's form
    removed = commit_or_show(lambda: participants.remove(ticket, row, actor=actor()), form=form)
    if not removed.ok:
        return _refused(ticket, form)
    said = gettext("%(who)s is no longer in the conversation.", who=removed.value.email)
    return _done(ticket, since, said, focus=place)
