"""The agent's own "away" switch in the console's header: while it is on, automatic assignment
passes them over. htmx gets the switch back; a plain form post returns to the page it came from."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from console import bp
from console.admin.forms import SwitchForm
from shared.core.extensions import db
from shared.tickets import assignment
from shared.web.htmx import is_fragment_request, local_path
from shared.web.views import actor


def _back(asked: str | None) -> str:
    """The console page the switch was on, and never an address elsewhere."""
    return local_path(asked, under=url_for("console.home"), default=url_for("console.home"))


@bp.post("/away")
def away_switch():
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    assignment.set_away(actor(), form.on, actor=actor())
    db.session.commit()
    if is_fragment_request():
        return render_template("console/_away.html")
    if form.on:
        flash(gettext("You are away: new tickets are not assigned to you automatically."), "success")
    else:
        flash(gettext("You are back: new tickets can be assigned to you again."), "success")
    return redirect(_back(request.form.get("next")), 303)
