"""Filing a ticket from the console: for a customer who called, came by or wrote in a chat (found
or added by address on the spot), or an internal task for a colleague."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from console import bp
from console.forms import NewTicketForm
from shared.models import Agent, Department, Product, Ticket
from shared.records import catalog
from shared.tickets import conversation
from shared.web.forms import catalog_choices
from shared.web.htmx import uploads_from
from shared.web.views import actor, commit_or_show

# Domain errors about the customer name their fields as the accounts code knows them.
FIELDS = {"email": "customer_email", "name": "customer_name"}


def _form() -> NewTicketForm:
    form = NewTicketForm()
    form.department.choices = catalog_choices("departments")
    form.product.choices = catalog_choices("products", (0, gettext("— None —")))
    me = gettext("Me (%(name)s)", name=current_user.display_name)
    form.assignee.choices = catalog_choices(
        "agents", (0, gettext("Nobody yet")), label=lambda a: me if a.id == current_user.id else a.display_name
    )
    return form


def _filed(ticket: Ticket) -> str:
    if ticket.customer is None:
        return gettext("Internal task #%(number)d is filed.", number=ticket.number)
    return gettext("Ticket #%(number)d is filed for %(name)s.", number=ticket.number, name=ticket.customer.display_name)


@bp.route("/tickets/new", methods=["GET", "POST"])
def new_ticket():
    form = _form()
    if form.validate_on_submit():
        filed = commit_or_show(
            lambda: conversation.open_ticket_by_agent(
                actor=actor(),
                customer_email=form.customer_email.data if form.for_customer else None,
                customer_name=form.customer_name.data or "",
                channel=form.channel.data,
                assignee=catalog.get_active(Agent, form.assignee.data or None),
                department=catalog.get_active(Department, form.department.data) or abort(400),
                product=catalog.get_active(Product, form.product.data or None),
                type=form.type.data,
                priority=form.priority.data,
                subject=form.subject.data,
                body=form.body.data,
                uploads=uploads_from(form.attachments.data),
            ),
            form=form,
            renamed=FIELDS,
        )
        if filed.ok:
            flash(_filed(filed.value), "success")
            return redirect(url_for("console.ticket_show", number=filed.value.number), 303)
    return render_template("console/new_ticket.html", form=form), 422 if form.errors else 200
