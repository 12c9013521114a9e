"""The customer's own account: self sign-up (when the desk allows it) and the profile page."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user

from portal import bp
from portal.forms import ProfileForm, SignupForm
from shared.core.i18n import current_locale
from shared.core.urls import external_url
from shared.models import Customer
from shared.people import accounts
from shared.web import account_views, request_limits
from shared.web.account_views import sessions_context, steady_answer
from shared.web.auth import log_in
from shared.web.forms import ResetForm, SignupConfirmForm
from shared.web.views import actor, commit_or_show


def _confirm_url(token: str) -> str:
    return external_url("portal.signup_confirm", token=token)


@bp.route("/signup", methods=["GET", "POST"])
@request_limits.limited("signup")
def signup():
    """The same answer whether or not the address has an account: only its owner's mail differs."""
    if not current_app.config["SIGNUP_ENABLED"]:
        abort(404)
    form = SignupForm()
    if form.validate_on_submit():
        with steady_answer():  # the commit too: an account's mail is queued only for some addresses
            outcome = commit_or_show(
                lambda: accounts.register_customer(
                    form.email.data,
                    form.name.data,
                    form.password.data,
                    confirm_url_for=_confirm_url,
                    login_url=external_url("portal.login"),
                    locale=current_locale(),
                ),
                form=form,
            )
        if outcome.ok:
            sent = gettext("Check your mail: we sent %(email)s a link to finish signing up.", email=form.email.data)
            flash(sent, "info")
            return redirect(url_for("portal.login"), 303)
    return render_template("portal/signup.html", form=form), 422 if form.errors else 200


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
@request_limits.limited("login")  # a password is checked here: the login limits, per client IP
def signup_confirm(token: str):
    """The mailed link: a GET only shows the form (mail scanners open links), the password finishes."""
    pending = accounts.pending_signup(token)
    if pending is None:
        return render_template("portal/signup_confirm.html", pending=None), 404
    form = SignupConfirmForm()
    if form.validate_on_submit():

        def confirm() -> Customer:
            customer = accounts.confirm_signup(token, form.password.data)
            log_in(customer)
            return customer

        outcome = commit_or_show(confirm, form=form)
        if outcome.ok:
            customer = outcome.value
            flash(gettext("Welcome, %(name)s! Your account is ready.", name=customer.display_name), "success")
            return redirect(url_for("portal.tickets_list"), 303)
    status = 422 if form.errors else 200
    return render_template("portal/signup_confirm.html", pending=pending, form=form), status


def _profile_form(**kwargs) -> ProfileForm:
    return ProfileForm(name=current_user.name, locale=current_user.locale or current_locale(), **kwargs)


def _profile_page(profile_form: ProfileForm, password_form: ResetForm):
    status = 422 if profile_form.errors or password_form.errors else 200
    context = sessions_context("portal")
    return render_template("portal/profile.html", form=profile_form, password_form=password_form, **context), status


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    form = _profile_form()
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: accounts.update_profile(actor(), name=form.name.data, locale=form.locale.data), form=form
        )
        if outcome.ok:
            with force_locale(current_user.locale):  # thanked in the language just chosen
                flash(gettext("Your profile is saved."), "success")
            return redirect(url_for("portal.profile"), 303)
    return _profile_page(form, account_views.password_form(formdata=None))


@bp.post("/profile/password")
@request_limits.limited("login", lambda: current_user.email)
def password_change():
    return account_views.password_change("portal", lambda form: _profile_page(_profile_form(formdata=None), form))
