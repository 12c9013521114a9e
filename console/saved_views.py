"""Saved views: keep the queue list's current address under a name, or drop one. With htmx the
answer is the changed partials (the save form, the sidebar); without, a redirect to the list."""

from urllib.parse import parse_qsl, urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from console import bp
from console.forms import SavedViewForm
from console.queue_page import DEFAULT_QUEUE, list_address, render_queue, sidebar
from shared.core.extensions import db
from shared.queues import saved_views
from shared.web.htmx import is_fragment_request
from shared.web.views import actor, commit_or_show


def _queue_of(address: str) -> str:
    return dict(parse_qsl(urlsplit(address).query)).get("queue") or DEFAULT_QUEUE


@bp.post("/views")
def view_save():
    form = SavedViewForm()
    query = saved_views.clean_query(form.query.data or "")
    back = list_address(url_for("console.home") + (f"?{query}" if query else ""))
    if form.validate_on_submit():
        saved = commit_or_show(lambda: saved_views.save_view(actor(), form.name.data or "", query), form=form)
        if saved.ok:
            view = saved.value
            if not is_fragment_request():
                flash(gettext("“%(name)s” is saved in My views.", name=view.name), "success")
                return redirect(back, 303)
            fresh = SavedViewForm(formdata=None, query=query)
            return render_template("console/_save_view.html", save_form=fresh, saved=view) + sidebar(
                _queue_of(back), oob=True
            )
    if is_fragment_request():
        return render_template("console/_save_view.html", save_form=form), 422
    return render_queue(MultiDict(parse_qsl(query)), save_form=form, status=422)


@bp.post("/views/<int:view_id>/delete")
def view_delete(view_id: int):
    view = saved_views.find_view(actor(), view_id)
    if view is None:
        abort(404)
    back = list_address(request.form.get("next"))
    saved_views.delete_view(view)  # the app-wide CSRF check has already passed
    db.session.commit()
    if is_fragment_request():
        return sidebar(_queue_of(back))
    return redirect(back, 303)
