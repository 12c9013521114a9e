"""The customer's own account: self sign-up (when the desk allows it) and the profile page."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user

from portal import bp
from portal.forms import PasswordChangeForm, ProfileForm, SignupForm
from shared import accounts, request_limits
from shared.auth import log_in
from shared.errors import DomainError
from shared.extensions import db
from shared.forms import ResetForm, show_error
from shared.i18n import current_locale
from shared.urls import external_url


def _reset_url(token: str) -> str:
    return external_url("portal.reset_confirm", token=token)


def _after_signup(customer, email: str):
    if customer is None:  # the address was made from an email: its owner got a link instead
        flash(gettext("Check your mail: we sent %(email)s a link to set your password.", email=email), "info")
        return redirect(url_for("portal.login"), 303)
    log_in(customer)
    flash(gettext("Welcome, %(name)s! Your account is ready.", name=customer.display_name), "success")
    return redirect(url_for("portal.tickets_list"), 303)


@bp.route("/signup", methods=["GET", "POST"])
@request_limits.limited("signup")
def signup():
    if not current_app.config["SIGNUP_ENABLED"]:
        abort(404)
    form = SignupForm()
    if form.validate_on_submit():
        try:
            customer = accounts.register_customer(
                form.email.data, form.name.data, form.password.data, reset_url_for=_reset_url, locale=current_locale()
            )
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return _after_signup(customer, form.email.data)
    return render_template("portal/signup.html", form=form), 422 if form.errors else 200


def _profile_form(**kwargs) -> ProfileForm:
    return ProfileForm(name=current_user.name, locale=current_user.locale or current_locale(), **kwargs)


def _password_form(**kwargs) -> ResetForm:
    """Asks for the current password only when there is one (accounts made from email have none)."""
    return PasswordChangeForm(**kwargs) if current_user.password_hash else ResetForm(**kwargs)


def _profile_page(profile_form: ProfileForm, password_form: ResetForm):
    status = 422 if profile_form.errors or password_form.errors else 200
    return render_template("portal/profile.html", form=profile_form, password_form=password_form), status


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    form = _profile_form()
    if form.validate_on_submit():
        try:
            accounts.update_profile(current_user, name=form.name.data, locale=form.locale.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            with force_locale(current_user.locale):  # thanked in the language just chosen
                flash(gettext("Your profile is saved."), "success")
            return redirect(url_for("portal.profile"), 303)
    return _profile_page(form, _password_form(formdata=None))


@bp.post("/profile/password")
@request_limits.limited("login", lambda: current_user.email)
def password_change():
    form = _password_form()
    if form.validate_on_submit():
        current = form.current_password.data if "current_password" in form else None
        try:
            accounts.change_password(current_user, current, form.password.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(gettext("Your password is changed."), "success")
            return redirect(url_for("portal.profile"), 303)
    return _profile_page(_profile_form(formdata=None), form)
