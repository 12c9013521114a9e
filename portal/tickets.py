"""The customer's tickets: the list, filing a new one, the conversation, replying, attachments."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal import bp
from portal.forms import NewTicketForm, ReplyForm
from shared import attachments, catalog, listing, permissions, tickets
from shared.errors import DomainError
from shared.extensions import db
from shared.forms import choices
from shared.models import Department, Product
from shared.web import uploads_from


def _find_or_404(number: int):
    ticket = permissions.find_ticket(current_user, number)
    if ticket is None:
        abort(404)
    return ticket


def _form_error(form, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    (field.errors if field is not None else form.form_errors).append(error.message)


@bp.get("/tickets")
def tickets_list():
    page = request.args.get("page", 1, type=int)
    open_page = listing.customer_tickets(current_user, closed=False, page=page)
    closed_page = listing.customer_tickets(current_user, closed=True, page=request.args.get("archive", 1, type=int))
    return render_template("portal/tickets.html", open_page=open_page, closed_page=closed_page)


@bp.route("/tickets/new", methods=["GET", "POST"])
def ticket_new():
    form = NewTicketForm()
    form.department.choices = choices([(d.id, d.name) for d in catalog.departments()])
    form.product.choices = choices([(0, gettext("— None —"))] + [(p.id, p.name) for p in catalog.products()])
    if form.validate_on_submit():
        try:
            ticket = tickets.open_ticket(
                actor=current_user,
                customer=current_user,
                type=form.type.data,
                department=catalog.get_active(Department, form.department.data) or abort(400),
                product=catalog.get_active(Product, form.product.data or None),
                subject=form.subject.data,
                body=form.body.data,
                uploads=uploads_from(form.attachments.data),
            )
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(gettext("Ticket #%(number)d is filed. We sent you a confirmation.", number=ticket.number), "success")
            return redirect(url_for("portal.ticket_show", number=ticket.number), 303)
    return render_template("portal/ticket_new.html", form=form), 422 if form.errors else 200


@bp.get("/tickets/<int:number>")
def ticket_show(number: int):
    ticket = _find_or_404(number)
    return render_template(
        "portal/ticket.html", ticket=ticket, entries=permissions.public_entries(ticket), form=ReplyForm()
    )


@bp.post("/tickets/<int:number>/reply")
def ticket_reply(number: int):
    ticket = _find_or_404(number)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            entry = tickets.post_reply(
                ticket, actor=current_user, body=form.body.data, uploads=uploads_from(form.attachments.data)
            )
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            if entry.ticket_id != ticket.id:
                flash(
                    gettext(
                        "#%(old)d was closed a while ago, so we opened #%(new)d for your message.",
                        old=ticket.number,
                        new=entry.ticket.number,
                    ),
                    "info",
                )
            return redirect(url_for("portal.ticket_show", number=entry.ticket.number, _anchor=f"e{entry.id}"), 303)
    entries = permissions.public_entries(ticket)
    return render_template("portal/ticket.html", ticket=ticket, entries=entries, form=form), 422


@bp.get("/tickets/<int:number>/attachments/<int:attachment_id>")
def attachment_download(number: int, attachment_id: int):
    return attachments.download(current_user, number, attachment_id, inline=request.args.get("inline") == "1")
