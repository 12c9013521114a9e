"""Canned replies: the agent's own and the shared ones on one page, and the reply box's search,
which answers with each reply already filled in for the ticket at hand."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from console import bp
from console.forms import CannedReplyForm, DeleteForm
from shared.access import permissions
from shared.core.extensions import db
from shared.models import CannedReply
from shared.tickets import canned
from shared.web.views import actor, commit_or_show, render, ticket_or_404


def _find_or_404(reply_id: int) -> CannedReply:
    reply = canned.find_canned(current_user, reply_id)
    if reply is None:
        abort(404)
    return reply


def _list_page(form: CannedReplyForm, status: int = 200):
    replies = canned.all_for(current_user)
    return render_template(
        "console/canned.html",
        form=form,
        replies=replies,
        placeholders=", ".join(f"{{{name}}}" for name in canned.PLACEHOLDERS),
    ), status


@bp.get("/canned")
def canned_list():
    return _list_page(CannedReplyForm(formdata=None))


@bp.post("/canned")
def canned_create():
    form = CannedReplyForm()
    if form.validate_on_submit():
        added = commit_or_show(
            lambda: canned.create_canned(form.title.data, form.body.data, shared=form.shared.data, actor=actor()),
            form=form,
        )
        if added.ok:
            flash(gettext("“%(title)s” is added.", title=added.value.title), "success")
            return redirect(url_for("console.canned_list"), 303)
    return _list_page(form, 422)


@bp.route("/canned/<int:canned_id>", methods=["GET", "POST"])
def canned_edit(canned_id: int):
    reply = _find_or_404(canned_id)
    if not permissions.can_edit_canned(current_user, reply):
        abort(404)
    form = CannedReplyForm(obj=reply, shared=reply.is_shared)
    if form.validate_on_submit():
        saved = commit_or_show(
            lambda: canned.update_canned(reply, title=form.title.data, body=form.body.data, actor=actor()), form=form
        )
        if saved.ok:
            flash(gettext("“%(title)s” is saved.", title=reply.title), "success")
            return redirect(url_for("console.canned_list"), 303)
    status = 422 if form.errors else 200
    return render_template("console/canned_edit.html", form=form, reply=reply, delete_form=DeleteForm()), status


@bp.post("/canned/<int:canned_id>/delete")
def canned_delete(canned_id: int):
    reply = _find_or_404(canned_id)
    if not permissions.can_edit_canned(current_user, reply):
        abort(404)
    if not DeleteForm().validate_on_submit():
        abort(400)
    title = reply.title
    canned.delete_canned(reply, actor=actor())
    db.session.commit()
    flash(gettext("“%(title)s” is deleted.", title=title), "success")
    return redirect(url_for("console.canned_list"), 303)


@bp.get("/tickets/<int:number>/canned")
def canned_search(number: int):
    """The reply box's search: htmx gets the list of matches, a plain GET a page to copy from."""
    ticket = ticket_or_404(number)
    query = request.args.get("q", "")[:200]
    found = [(reply, canned.render(reply, ticket, actor())) for reply in canned.search(actor(), query)]
    return render(
        "console/canned_pick.html", "console/ticket/_canned_results.html", ticket=ticket, query=query, found=found
    )
