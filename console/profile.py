"""The agent's own settings: their password and the sessions they are logged in with."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from console import bp
from shared import accounts, request_limits
from shared.account_views import sessions_context
from shared.auth import log_in
from shared.errors import DomainError
from shared.extensions import db
from shared.forms import PasswordChangeForm, ResetForm, show_error


def _password_form(**kwargs) -> ResetForm:
    return PasswordChangeForm(**kwargs) if current_user.password_hash else ResetForm(**kwargs)


def _page(password_form: ResetForm):
    status = 422 if password_form.errors else 200
    return render_template("console/profile.html", password_form=password_form, **sessions_context("console")), status


@bp.get("/profile")
def profile():
    return _page(_password_form(formdata=None))


@bp.post("/profile/password")
@request_limits.limited("login", lambda: current_user.email)
def password_change():
    form = _password_form()
    if form.validate_on_submit():
        current = form.current_password.data if "current_password" in form else None
        try:
            accounts.change_password(current_user._get_current_object(), current, form.password.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            log_in(current_user._get_current_object())  # the new password ended every session, this one too
            db.session.commit()
            flash(gettext("Your password is changed. Every other session is logged out."), "success")
            return redirect(url_for("console.profile"), 303)
    return _page(form)
