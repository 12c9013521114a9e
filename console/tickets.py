"""The ticket workbench: the history, the reply box (public reply or internal note) and the side
panel's property changes.

Each action is a plain form post (303, then the page) and, from htmx, answers with the region it
changed plus out-of-band updates of what it touched: the status badge in the header, the side panel
and the history entries it added.
"""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup

from console import bp
from console.forms import PropertiesForm, ReplyForm
from shared.access import permissions
from shared.core import bounds
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.i18n import current_locale
from shared.core.markup import render_markdown
from shared.mail import log
from shared.models import Agent, Department, Entry, Product, Status, Ticket
from shared.outgoing import bounces
from shared.queues import lists
from shared.records import catalog, history, presence
from shared.sla import tracking
from shared.tickets import attachments, conversation, links, participants, properties, time_tracking
from shared.web.forms import catalog_choices, show_error
from shared.web.htmx import is_fragment_request, uploads_from


def _find_or_404(number: int) -> Ticket:
    ticket = permissions.find_ticket(current_user, number)
    if ticket is None:
        abort(404)
    return ticket


def _names(statuses: list[Status]) -> dict:
    """What the history's events need to read well: names by key or id, retired ones included."""
    locale = current_locale()
    return {
        "status_names": {s.key: s.label(locale) for s in statuses},
        "agent_names": catalog.agent_names(),
        "department_names": catalog.names(Department),
        "product_names": catalog.names(Product),
    }


def _reply_form(statuses: list[Status], **kwargs) -> ReplyForm:
    form = ReplyForm(**kwargs)
    form.status.choices = catalog_choices("statuses", (0, gettext("By the rules")), items=statuses)
    return form


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


def _current(ticket: Ticket) -> dict:
    """The ticket's values as the panel's fields hold them (0 for nobody and no product)."""
    return {
        "assignee": ticket.assignee_id or 0,
        "status": ticket.status_id,
        "priority": ticket.priority,
        "department": ticket.department_id,
        "product": ticket.product_id or 0,
        "type": ticket.type,
    }


def _properties_form(ticket: Ticket, statuses: list[Status], formdata=None) -> PropertiesForm:
    """The panel on the ticket's values; a post overrides only the fields it carries."""
    form = PropertiesForm(formdata=formdata, prefix="props", data=_current(ticket))
    form.status.choices = catalog_choices("statuses", items=statuses)
    # The ticket's own assignee, department and product stay offered once retired (see catalog_choices).
    form.assignee.choices = catalog_choices("agents", (0, gettext("Nobody")), keep=ticket.assignee)
    form.department.choices = catalog_choices("departments", keep=ticket.department)
    form.product.choices = catalog_choices("products", (0, gettext("— None —")), keep=ticket.product)
    return form


# --- Responses --------------------------------------------------------------------------------


def _page(
    ticket: Ticket, statuses: list[Status], *, reply_form=None, props_form=None, preview_html=None, **panels
) -> str:
    """The whole ticket page; `panels` carries a side-panel form that was refused (links, merge)."""
    others, others_total = lists.other_tickets(ticket)
    return render_template(
        "console/ticket.html",
        preview_html=preview_html,
        ticket=ticket,
        entries=history.entries(ticket),
        reply_form=reply_form or _reply_form(statuses, formdata=None, seen=history.last_entry_id(ticket)),
        props_form=props_form or _properties_form(ticket, statuses),
        other_tickets=others,
        other_total=others_total,
        held_mail=log.held_on(ticket) if permissions.can_decide_held_mail(current_user, ticket) else [],
        time_total=time_tracking.ticket_total(ticket),
        sla=tracking.summary(ticket),
        ticket_links=links.links_of(ticket),
        participants=participants.current(ticket),
        bounce=bounces.active(ticket.customer.email) if ticket.customer else None,
        **panels,
        **_names(statuses),
    )


def _changed(ticket: Ticket, statuses: list[Status], since: int, *, reply_form: ReplyForm | None = None) -> str:
    """An htmx action's answer: its own region (the fresh reply box, or the side panel), then out of
    band the header's status, the side panel when it is not the region, and the entries added.
    Out of band rather than an event the regions refetch on: one round trip, and one consistent
    state after the action (console/ticket/_changes.html says more)."""
    return render_template(
        "console/ticket/_changes.html",
        ticket=ticket,
        new_entries=history.entries(ticket, after=since),
        reply_form=reply_form,
        props_form=_properties_form(ticket, statuses),
        saved=reply_form is None,
        time_total=time_tracking.ticket_total(ticket),
        sla=tracking.summary(ticket),
        **_names(statuses),
    )


# --- Views ------------------------------------------------------------------------------------


@bp.get("/tickets/<int:number>")
def ticket_show(number: int):
    ticket = _find_or_404(number)
    return _page(ticket, catalog.statuses())


def _send(form: ReplyForm, ticket: Ticket) -> Entry:
    """The reply or note, then the status the agent chose (a public reply passes it to the rules,
    where the explicit choice wins; a note does not move the ticket by itself), and the time spent
    on it, all in one transaction."""
    uploads = uploads_from(form.attachments.data)
    status = db.session.get(Status, form.status.data) if form.status.data else None
    if form.visibility.data == "internal":
        entry = conversation.add_internal_note(ticket, actor=current_user, body=form.body.data, uploads=uploads)
        if status is not None:
            properties.change_status(ticket, status, actor=current_user)
    else:
        entry = conversation.post_reply(ticket, actor=current_user, body=form.body.data, uploads=uploads, status=status)
    if form.minutes.data is not None:
        time_tracking.log(ticket, current_user._get_current_object(), form.minutes.data, entry=entry)
    return entry


@bp.post("/tickets/<int:number>/reply")
def ticket_reply(number: int):
    ticket = _find_or_404(number)
    statuses = catalog.statuses()
    form = _reply_form(statuses)
    valid, seen = form.validate_on_submit(), _seen(form)
    if valid and seen is not None and presence.answered_meanwhile(ticket, seen, current_user):
        return _collision(ticket, statuses, form, seen, history.last_entry_id(ticket))
    since = history.last_entry_id(ticket)
    if valid:
        try:
            entry = _send(form, ticket)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.flush()
            anchor = f"e{entry.id}"  # read before the commit expires it: no reload for the redirect
            db.session.commit()
            if not is_fragment_request():
                return redirect(url_for("console.ticket_show", number=number, _anchor=anchor), 303)
            fresh = _reply_form(statuses, formdata=None, visibility=form.visibility.data, seen=since)
            return _changed(ticket, statuses, since, reply_form=fresh)
    preview_html = Markup(render_markdown(form.body.data)) if form.body.data else None  # what was typed, kept
    if is_fragment_request():
        return render_template(
            "console/ticket/_reply.html", ticket=ticket, reply_form=form, preview_html=preview_html
        ), 422
    return _page(ticket, statuses, reply_form=form, preview_html=preview_html), 422


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
            **_names(statuses),
        )
        return page, 409
    return _page(ticket, statuses, reply_form=form, preview_html=preview_html), 409


@bp.post("/tickets/<int:number>/presence")
def ticket_presence(number: int):
    """The ticket page's heartbeat (htmx, every few seconds): records this agent, answers the strip
    of who else is here."""
    ticket = _find_or_404(number)
    presence.touch(ticket, current_user, typing=request.form.get("typing") == "true")
    db.session.commit()
    return render_template("console/ticket/_presence.html", viewers=presence.others(ticket, current_user))


@bp.post("/tickets/<int:number>/properties")
def ticket_properties(number: int):
    """The side panel: htmx posts one select at a time, a plain post the whole form. Each field that
    differs from the ticket goes through its verb and is its own history event."""
    ticket = _find_or_404(number)
    statuses = catalog.statuses()
    form = _properties_form(ticket, statuses, formdata=request.form)
    since, before = history.last_entry_id(ticket), _current(ticket)
    if form.validate_on_submit():
        try:
            properties.update(ticket, _changes(form, before), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            if not is_fragment_request():
                return redirect(url_for("console.ticket_show", number=number), 303)
            return _changed(ticket, statuses, since)
    if is_fragment_request():
        return render_template("console/ticket/_properties.html", ticket=ticket, props_form=form), 422
    return _page(ticket, statuses, props_form=form), 422


@bp.get("/tickets/<int:number>/attachments/<int:attachment_id>")
def attachment_download(number: int, attachment_id: int):
    return attachments.download(current_user, number, attachment_id, inline=request.args.get("inline") == "1")
