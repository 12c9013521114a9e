"""Login, logout and password-reset views, the same for both areas over their own account kind."""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from shared import accounts
from shared.auth import log_in, log_out
from shared.errors import DomainError
from shared.extensions import db, limiter
from shared.forms import LoginForm, ResetForm, ResetRequestForm
from shared.models import Agent, Customer
from shared.urls import external_url
from shared.web import local_path

Model = type[Customer] | type[Agent]


def _safe_next(area: str, default: str) -> str:
    """Only same-area paths: never an open redirect to another site."""
    return local_path(request.args.get("next"), under=f"/{area}/", default=default)


def login(model: Model, area: str) -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        account = accounts.authenticate(model, form.email.data, form.password.data)
        if account is not None:
            db.session.commit()
            log_in(account)
            return redirect(_safe_next(area, url_for(f"{area}.home")), 303)
        form.password.errors.append(gettext("Wrong email or password."))
    status = 422 if form.errors else 200
    return render_template(f"{area}/login.html", form=form), status


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def logout(area: str) -> Response:
    log_out()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for(f"{area}.login"), 303)


def reset_request(model: Model, area: str) -> Response | str:
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            model,
            form.email.data,
            reset_url_for=lambda token: external_url(f"{area}.reset_confirm", token=token),
        )
        db.session.commit()
        flash(gettext("If that address has an account, a reset link is on its way."), "info")
        return redirect(url_for(f"{area}.login"), 303)
    return render_template(f"{area}/reset_request.html", form=form), 422 if form.errors else 200


def reset_confirm(model: Model, area: str, token: str) -> Response | str:
    account = accounts.account_for_token(model, token)
    if account is None:
        flash(gettext("This link has expired or was already used. Ask for a new one."), "error")
        return redirect(url_for(f"{area}.reset_request"), 303)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            account = accounts.reset_password(model, token, form.password.data)
        except DomainError as exc:
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            log_in(account)
            flash(gettext("Your password is set."), "success")
            return redirect(url_for(f"{area}.home"), 303)
    # An invitation or an account opened from email has no password yet: it is chosen, not replaced.
    first = account.awaiting_password
    return render_template(f"{area}/reset_confirm.html", form=form, first=first), 422 if form.errors else 200


def register(bp, model: Model, area: str) -> None:
    """Add the account routes to a blueprint, with the login rate limit on POST."""

    def named(name: str, view):
        view.__name__ = f"{area}_{name}"  # Flask-Limiter keys its counters by view name.
        return view

    limited = limiter.limit(login_limit, methods=["POST"])
    login_view = limited(named("login", lambda: login(model, area)))
    reset_view = limited(named("reset_request", lambda: reset_request(model, area)))
    bp.add_url_rule("/login", "login", login_view, methods=["GET", "POST"])
    bp.add_url_rule("/logout", "logout", named("logout", lambda: logout(area)), methods=["POST"])
    bp.add_url_rule("/reset", "reset_request", reset_view, methods=["GET", "POST"])
    bp.add_url_rule(
        "/reset/<token>",
        "reset_confirm",
        named("reset_confirm", lambda token: reset_confirm(model, area, token)),
        methods=["GET", "POST"],
    )
