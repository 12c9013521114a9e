"""The ticket workbench's page and regions, for every view that answers with them: the whole page
(console/tickets.py, and the side panel's cards in console/links.py and console/participants.py),
an action's changed regions, the reply box and the side panel's forms, and the names the history's
events read with."""

from flask import render_template
from flask_babel import gettext
from flask_login import current_user

from console.forms import PropertiesForm, ReplyForm
from shared.access import permissions
from shared.core.i18n import current_locale
from shared.mail import log
from shared.models import Department, Product, Status, Ticket
from shared.outgoing import bounces
from shared.queues import lists
from shared.records import catalog, history
from shared.sla import tracking
from shared.tickets import links, participants, time_tracking
from shared.web.forms import catalog_choices


def history_names(statuses: list[Status]) -> dict:
    """What the history's events need to read well: names by key or id, retired ones included."""
    locale = current_locale()
    return {
        "status_names": {s.key: s.label(locale) for s in statuses},
        "agent_names": catalog.agent_names(),
        "department_names": catalog.names(Department),
        "product_names": catalog.names(Product),
    }


def reply_box_form(statuses: list[Status], **kwargs) -> ReplyForm:
    form = ReplyForm(**kwargs)
    form.status.choices = catalog_choices("statuses", (0, gettext("By the rules")), items=statuses)
    return form


# --- The side panel -------------------------------------------------------------------------


def panel_values(ticket: Ticket) -> dict:
    """The ticket's values as the panel's fields hold them (0 for nobody and no product)."""
    return {
        "assignee": ticket.assignee_id or 0,
        "status": ticket.status_id,
        "priority": ticket.priority,
        "department": ticket.department_id,
        "product": ticket.product_id or 0,
        "type": ticket.type,
    }


def panel_form(ticket: Ticket, statuses: list[Status], formdata=None) -> PropertiesForm:
    """The panel on the ticket's values; a post overrides only the fields it carries."""
    form = PropertiesForm(formdata=formdata, prefix="props", data=panel_values(ticket))
    form.status.choices = catalog_choices("statuses", items=statuses)
    # The ticket's own assignee, department and product stay offered once retired (see catalog_choices).
    form.assignee.choices = catalog_choices("agents", (0, gettext("Nobody")), keep=ticket.assignee)
    form.department.choices = catalog_choices("departments", keep=ticket.department)
    form.product.choices = catalog_choices("products", (0, gettext("— None —")), keep=ticket.product)
    return form


# --- Responses --------------------------------------------------------------------------------


def page(
    ticket: Ticket, statuses: list[Status], *, reply_form=None, props_form=None, preview_html=None, **panels
) -> str:
    """The whole ticket page; `panels` carries a side-panel form that was refused (links, merge)."""
    others, others_total = lists.other_tickets(ticket)
    return render_template(
        "console/ticket.html",
        preview_html=preview_html,
        ticket=ticket,
        entries=history.entries(ticket),
        reply_form=reply_form or reply_box_form(statuses, formdata=None, seen=history.last_entry_id(ticket)),
        props_form=props_form or panel_form(ticket, statuses),
        other_tickets=others,
        other_total=others_total,
        held_mail=log.held_on(ticket) if permissions.can_decide_held_mail(current_user, ticket) else [],
        time_total=time_tracking.ticket_total(ticket),
        sla=tracking.summary(ticket),
        ticket_links=links.links_of(ticket),
        participants=participants.current(ticket),
        bounce=bounces.active(ticket.customer.email) if ticket.customer else None,
        **panels,
        **history_names(statuses),
    )


def changed_regions(ticket: Ticket, statuses: list[Status], since: int, *, reply_form: ReplyForm | None = None) -> str:
    """An htmx action's answer: its own region (the fresh reply box, or the side panel), then out of
    band the header's status, the side panel when it is not the region, and the entries added.
    Out of band rather than an event the regions refetch on: one round trip, and one consistent
    state after the action (console/ticket/_changes.html says more)."""
    return render_template(
        "console/ticket/_changes.html",
        ticket=ticket,
        new_entries=history.entries(ticket, after=since),
        reply_form=reply_form,
        props_form=panel_form(ticket, statuses),
        saved=reply_form is None,
        time_total=time_tracking.ticket_total(ticket),
        sla=tracking.summary(ticket),
        **history_names(statuses),
    )
