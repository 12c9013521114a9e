"""The ticket workbench: the history, the reply box (public reply or internal note) and the side
panel's property changes. The page and its regions are console/ticket_page.py's.

Each action is a plain form post (303, then the page) and, from htmx, answers with the region it
changed plus out-of-band updates of what it touched: the status badge in the header, the side panel
and the history entries it added.
"""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from console import bp, ticket_page
from console.forms import PropertiesForm, ReplyForm
from shared.core import bounds
from shared.core.extensions import db
from shared.core.markup import render_markdown
from shared.models import Agent, Department, Entry, Product, Status, Ticket
from shared.records import catalog, history, presence
from shared.tickets import answers, attachments, properties
from shared.web.htmx import is_fragment_request, uploads_from
from shared.web.views import actor, commit_or_show, ticket_or_404

# --- The side panel -------------------------------------------------------------------------

# The panel's fields as `properties.update` takes them (0 stands for nobody and for no product).
PANEL_VALUES = {
    "assignee": lambda value: db.session.get(Agent, value) if value else None,
    "status": lambda value: db.session.get(Status, value),
    "priority": lambda value: value,
    "department": lambda value: db.session.get(Department, value),
    "product": lambda value: db.session.get(Product, value) if value else None,
    "type": lambda value: value,
}


def _changes(form: PropertiesForm, before: dict) -> properties.Changes:
    """The fields this post changes (those it sets to other than the ticket's values), read as records."""
    return {name: read(form[name].data) for name, read in PANEL_VALUES.items() if form[name].data != before[name]}


# --- Views ------------------------------------------------------------------------------------


@bp.get("/tickets/<int:number>")
def ticket_show(number: int):
    ticket = ticket_or_404(number)
    return ticket_page.page(ticket, catalog.statuses())


def _send(form: ReplyForm, ticket: Ticket) -> Entry:
    """The reply box's fields read as records, handed to the one verb that answers."""
    entry = answers.answer(
        ticket,
        actor=actor(),
        body=form.body.data,
        internal=form.visibility.data == "internal",
        uploads=uploads_from(form.attachments.data),
        status=db.session.get(Status, form.status.data) if form.status.data else None,
        minutes=form.minutes.data,
    )
    db.session.flush()
    return entry


@bp.post("/tickets/<int:number>/reply")
def ticket_reply(number: int):
    ticket = ticket_or_404(number)
    statuses = catalog.statuses()
    form = ticket_page.reply_box_form(statuses)
    valid, seen = form.validate_on_submit(), _seen(form)
    if valid and seen is not None and presence.answered_meanwhile(ticket, seen, actor()):
        return _collision(ticket, statuses, form, seen, history.last_entry_id(ticket))
    since = history.last_entry_id(ticket)
    if valid:
        # The anchor is read before the commit expires the entry: no reload for the redirect.
        sent = commit_or_show(lambda: f"e{_send(form, ticket).id}", form=form)
        if sent.ok:
            if not is_fragment_request():
                return redirect(url_for("console.ticket_show", number=number, _anchor=sent.value), 303)
            fresh = ticket_page.reply_box_form(statuses, formdata=None, visibility=form.visibility.data, seen=since)
            return ticket_page.changed_regions(ticket, statuses, since, reply_form=fresh)
    preview_html = Markup(render_markdown(form.body.data)) if form.body.data else None  # what was typed, kept
    if is_fragment_request():
        return render_template(
            "console/ticket/_reply.html", ticket=ticket, reply_form=form, preview_html=preview_html
        ), 422
    return ticket_page.page(ticket, statuses, reply_form=form, preview_html=preview_html), 422


def _seen(form: ReplyForm) -> int | None:
    """The last entry id the reply box was written against; none (an old page, a script) skips the check."""
    return bounds.whole(form.seen.data, low=0)


def _collision(ticket: Ticket, statuses: list[Status], form: ReplyForm, seen: int, since: int):
    """Others wrote while the agent was typing: nothing is sent. The agent gets the new entries, the
    text kept and a notice; the box now counts them as read, so the next send goes through."""
    form.form_errors.append(
        gettext("The ticket changed while you were writing: read the new entries, then send again.")
    )
    form.seen.data = str(since)
    preview_html = Markup(render_markdown(form.body.data)) if form.body.data else None
    if is_fragment_request():
        new_entries = history.entries(ticket, after=seen)
        page = render_template(
            "console/ticket/_collision.html",
            ticket=ticket,
            reply_form=form,
            preview_html=preview_html,
            new_entries=new_entries,
            **ticket_page.history_names(statuses),
        )
        return page, 409
    return ticket_page.page(ticket, statuses, reply_form=form, preview_html=preview_html), 409


@bp.post("/tickets/<int:number>/presence")
def ticket_presence(number: int):
    """The ticket page's heartbeat (htmx, every few seconds): records this agent, answers the strip
    of who else is here."""
    ticket = ticket_or_404(number)
    presence.touch(ticket, actor(), typing=request.form.get("typing") == "true")
    db.session.commit()
    return render_template("console/ticket/_presence.html", viewers=presence.others(ticket, actor()))


@bp.post("/tickets/<int:number>/properties")
def ticket_properties(number: int):
    """The side panel: htmx posts one select at a time, a plain post the whole form. Each field that
    differs from the ticket goes through its verb and is its own history event."""
    ticket = ticket_or_404(number)
    statuses = catalog.statuses()
    form = ticket_page.panel_form(ticket, statuses, formdata=request.form)
    since, before = history.last_entry_id(ticket), ticket_page.panel_values(ticket)

    def apply() -> None:
        properties.update(ticket, _changes(form, before), actor=actor())

    if form.validate_on_submit() and commit_or_show(apply, form=form).ok:
        if not is_fragment_request():
            return redirect(url_for("console.ticket_show", number=number), 303)
        return ticket_page.changed_regions(ticket, statuses, since)
    if is_fragment_request():
        return render_template("console/ticket/_properties.html", ticket=ticket, props_form=form), 422
    return ticket_page.page(ticket, statuses, props_form=form), 422


@bp.get("/tickets/<int:number>/attachments/<int:attachment_id>")
def attachment_download(number: int, attachment_id: int):
    return attachments.download(actor(), number, attachment_id, inline=request.args.get("inline") == "1")
