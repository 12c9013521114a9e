"""The customer's tickets: the list, filing a new one, the conversation, replying, attachments."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal import bp
from portal.forms import NewTicketForm, RatingForm, ReplyForm
from shared.access import permissions
from shared.core import bounds
from shared.core.extensions import db
from shared.models import Department, Product
from shared.outgoing import notifications
from shared.queues import lists
from shared.records import catalog, reads
from shared.tickets import attachments, conversation, links, ratings, rules
from shared.web import request_limits
from shared.web.forms import catalog_choices
from shared.web.htmx import is_fragment_request, uploads_from
from shared.web.views import actor, commit_or_show, render, ticket_or_404


@bp.context_processor
def _reply_outcome() -> dict:
    """Lets the reply form on a closed ticket say what a reply will do: reopen it, or start a linked
    ticket; and the ticket cards whether they may name who wrote last."""

    def reply_opens_new_ticket(ticket) -> bool:
        return rules.wants_linked_ticket(rules.matching("message.public_by_customer", ticket, actor=current_user))

    return {"reply_opens_new_ticket": reply_opens_new_ticket, "names_last_writer": permissions.names_last_writer}


def _rating_context(ticket, form: RatingForm | None = None, *, saved: bool = False) -> dict:
    """What templates/portal/_rating.html needs: the current rating and the form to give or change it."""
    state = ratings.rating_state(ticket, current_user)
    return {
        "ticket": ticket,
        "rating": state,
        "rating_form": form or RatingForm(formdata=None, obj=state.rating),
        "rating_saved": saved,
    }


def _continued_in(ticket):
    """Where a merged ticket goes on, when the customer may see it there; else None (the ticket was
    merged across customers before merges kept to one, and its conversation stays on it)."""
    continued = links.continuation(ticket) if ticket.merged_into is not None else ticket
    return continued if continued is not ticket and permissions.can_view_ticket(current_user, continued) else None


def _ticket_page(ticket, *, form: ReplyForm | None = None, rating_form: RatingForm | None = None) -> str:
    return render_template(
        "portal/ticket.html",
        continued_in=_continued_in(ticket),
        entries=permissions.public_entries(ticket),
        # Who else gets the desk's replies by mail, so the customer knows before writing; names only.
        copied=notifications.participants_of(ticket) if ticket.merged_into is None else [],
        form=form or ReplyForm(formdata=None),
        **_rating_context(ticket, rating_form),
    )


@bp.get("/tickets")
def tickets_list():
    """Open tickets first, then the archive; the customer's own, or (a tab) their organization's."""
    view = lists.portal_view(current_user, request.args.get("view"))
    args = request.args
    open_page = lists.customer_tickets(current_user, closed=False, view=view, page=bounds.page(args.get("page")))
    closed_page = lists.customer_tickets(current_user, closed=True, view=view, page=bounds.page(args.get("archive")))
    organization = lists.shared_organization(current_user)
    return render(
        "portal/tickets.html",
        "portal/_ticket_list.html",
        open_page=open_page,
        closed_page=closed_page,
        view=view,
        organization=organization,
    )


def _flood_wait() -> int | None:
    """Counted in the filing's own transaction: only tickets filed count, and a refusal rolls back."""
    wait = request_limits.wait("ticket", f"account:{current_user.id}", own_transaction=False)
    if wait is not None:
        db.session.rollback()
    return wait


@bp.route("/tickets/new", methods=["GET", "POST"])
def ticket_new():
    form = NewTicketForm()
    form.department.choices = catalog_choices("departments")
    form.product.choices = catalog_choices("products", (0, gettext("— None —")))
    if form.validate_on_submit():
        if (wait := _flood_wait()) is not None:
            form.form_errors.append(request_limits.ticket_flood_message(wait))
            return render_template("portal/ticket_new.html", form=form), 429, {"Retry-After": str(wait)}
        filed = commit_or_show(
            # The number is read before the commit expires the ticket: no reload for the redirect.
            lambda: (
                conversation.open_ticket(
                    actor=actor(),
                    customer=actor(),
                    type=form.type.data,
                    department=catalog.get_active(Department, form.department.data) or abort(400),
                    product=catalog.get_active(Product, form.product.data or None),
                    subject=form.subject.data,
                    body=form.body.data,
                    uploads=uploads_from(form.attachments.data),
                ).number
            ),
            form=form,
        )
        if filed.ok:
            number = filed.value
            flash(gettext("Ticket #%(number)d is filed. We sent you a confirmation.", number=number), "success")
            return redirect(url_for("portal.ticket_show", number=number), 303)
    return render_template("portal/ticket_new.html", form=form), 422 if form.errors else 200


@bp.get("/tickets/<int:number>")
def ticket_show(number: int):
    ticket = ticket_or_404(number)
    reads.mark_seen(ticket, current_user)
    db.session.commit()  # the one GET that writes: it clears the "New reply" marker in My tickets
    return _ticket_page(ticket)


@bp.post("/tickets/<int:number>/reply")
def ticket_reply(number: int):
    ticket = ticket_or_404(number)
    form = ReplyForm()
    if form.validate_on_submit():
        goes_to = links.continuation(ticket)  # a reply to a merged ticket goes where it continues
        outcome = commit_or_show(
            lambda: conversation.post_reply(
                goes_to,
                actor=actor(),
                body=form.body.data,
                uploads=uploads_from(form.attachments.data),
            ),
            form=form,
        )
        if outcome.ok:
            entry = outcome.value
            if goes_to is not ticket:
                return _merged_reply_sent(ticket, entry)
            if entry.ticket_id != ticket.id:
                flash(
                    gettext(
                        "This continues your earlier request #%(old)d. It was closed a while ago, "
                        "so your message opened this new ticket, #%(new)d.",
                        old=ticket.number,
                        new=entry.ticket.number,
                    ),
                    "info",
                )
            return redirect(url_for("portal.ticket_show", number=entry.ticket.number, _anchor=f"e{entry.id}"), 303)
    return _ticket_page(ticket, form=form), 422


def _merged_reply_sent(ticket, entry):
    """Their reply went to the ticket this one was merged into: show it there, or, when that is
    not theirs to see, say on this page that it arrived."""
    if permissions.can_view_ticket(current_user, entry.ticket):
        flash(gettext("#%(old)d continues here, so your reply was added here.", old=ticket.number), "info")
        return redirect(url_for("portal.ticket_show", number=entry.ticket.number, _anchor=f"e{entry.id}"), 303)
    flash(gettext("Thank you: your reply reached our team, who continue with your request."), "success")
    return redirect(url_for("portal.ticket_show", number=ticket.number), 303)


@bp.post("/tickets/<int:number>/rating")
def ticket_rate(number: int):
    """Rate a closed ticket or change the rating; a plain form post or an htmx swap of #rating."""
    ticket = ticket_or_404(number)
    if not permissions.can_rate(current_user, ticket):
        abort(403)  # a colleague who sees it through the organization: the rating is its customer's
    form = RatingForm()
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: ratings.rate_ticket(ticket, actor=actor(), score=form.score.data, comment=form.comment.data or ""),
            form=form,
        )
        if outcome.ok:
            if is_fragment_request():
                return render_template("portal/_rating.html", **_rating_context(ticket, saved=True))
            flash(gettext("Thank you for rating #%(number)d.", number=ticket.number), "success")
            return redirect(url_for("portal.ticket_show", number=number, _anchor="rating"), 303)
    if is_fragment_request():
        return render_template("portal/_rating.html", **_rating_context(ticket, form)), 422
    return _ticket_page(ticket, rating_form=form), 422


@bp.get("/tickets/<int:number>/attachments/<int:attachment_id>")
def attachment_download(number: int, attachment_id: int):
    return attachments.download(current_user, number, attachment_id, inline=request.args.get("inline") == "1")
