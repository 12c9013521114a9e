"""The agent's own settings: their password and the sessions they are logged in with."""

from flask import render_template
from flask_login import current_user

from console import bp
from shared.web import account_views, request_limits
from shared.web.forms import ResetForm


def _page(password_form: ResetForm) -> tuple[str, int]:
    status = 422 if password_form.errors else 200
    context = account_views.sessions_context("console")
    return render_template("console/profile.html", password_form=password_form, **context), status


@bp.get("/profile")
def profile():
    return _page(account_views.password_form(formdata=None))


@bp.post("/profile/password")
@request_limits.limited("login", lambda: current_user.email)
def password_change():
    return account_views.password_change("console", _page)
