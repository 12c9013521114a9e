"""The ticket workbench: history, reply or note, and property changes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from console import bp
from console.forms import PropertiesForm, ReplyForm
from shared import attachments, catalog, permissions, tickets
from shared.errors import DomainError
from shared.extensions import db
from shared.forms import choices
from shared.i18n import current_locale
from shared.models import Agent, Status
from shared.web import uploads_from


def _find_or_404(number: int):
    ticket = permissions.find_ticket(current_user, number)
    if ticket is None:
        abort(404)
    return ticket


def _forms(ticket, reply: ReplyForm | None = None) -> dict:
    reply = reply or ReplyForm(formdata=None)
    statuses = catalog.statuses()
    locale = current_locale()
    reply.status.choices = choices([(0, gettext("By the rules"))] + [(s.id, s.label(locale)) for s in statuses])
    props = PropertiesForm(
        formdata=None,
        prefix="props",
        status=ticket.status_id,
        assignee=ticket.assignee_id or 0,
        priority=ticket.priority,
    )
    props.status.choices = choices([(s.id, s.label(locale)) for s in statuses])
    props.assignee.choices = choices(
        [(0, gettext("Nobody"))] + [(a.id, a.display_name) for a in catalog.active_agents()]
    )
    return {
        "ticket": ticket,
        "reply_form": reply,
        "props_form": props,
        "status_names": {s.key: s.label(locale) for s in statuses},
        "agent_names": catalog.agent_names(),
    }


@bp.get("/tickets/<int:number>")
def ticket_show(number: int):
    ticket = _find_or_404(number)
    return render_template("console/ticket.html", **_forms(ticket))


@bp.post("/tickets/<int:number>/reply")
def ticket_reply(number: int):
    ticket = _find_or_404(number)
    form = ReplyForm()
    form.status.choices = choices([(0, "")] + [(s.id, s.key) for s in catalog.statuses()])
    if form.validate_on_submit():
        uploads = uploads_from(form.attachments.data)
        try:
            if form.visibility.data == "internal":
                tickets.add_internal_note(ticket, actor=current_user, body=form.body.data, uploads=uploads)
            else:
                status = db.session.get(Status, form.status.data) if form.status.data else None
                tickets.post_reply(ticket, actor=current_user, body=form.body.data, uploads=uploads, status=status)
        except DomainError as error:
            db.session.rollback()
            form.body.errors.append(error.message)
        else:
            db.session.commit()
            return redirect(url_for("console.ticket_show", number=number), 303)
    return render_template("console/ticket.html", **_forms(ticket, form)), 422


@bp.post("/tickets/<int:number>/properties")
def ticket_properties(number: int):
    """Status, assignee and priority in one form; each change is its own history event."""
    ticket = _find_or_404(number)
    form = PropertiesForm(prefix="props")
    form.status.choices = choices([(s.id, s.key) for s in catalog.statuses()])
    form.assignee.choices = choices([(0, "")] + [(a.id, a.email) for a in catalog.active_agents()])
    if not form.validate_on_submit():
        abort(400)
    status_before = ticket.status_id
    try:
        tickets.assign_ticket(ticket, catalog.get_active(Agent, form.assignee.data or None), actor=current_user)
        if form.status.data != status_before:  # an untouched field must not undo what a rule just did
            tickets.change_status(ticket, db.session.get(Status, form.status.data), actor=current_user)
        tickets.change_priority(ticket, form.priority.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
    return redirect(url_for("console.ticket_show", number=number), 303)


@bp.get("/tickets/<int:number>/attachments/<int:attachment_id>")
def attachment_download(number: int, attachment_id: int):
    return attachments.download(current_user, number, attachment_id, inline=request.args.get("inline") == "1")
