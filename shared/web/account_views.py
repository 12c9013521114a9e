"""Login, logout, password-reset and own-session views, the same for both areas over their own account kind."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from shared.access import sessions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.urls import external_url
from shared.models import Agent, Customer
from shared.people import accounts
from shared.web import request_limits
from shared.web.auth import current_session_id, log_in, log_out
from shared.web.forms import LoginForm, PasswordChangeForm, ResetForm, ResetRequestForm
from shared.web.htmx import is_fragment_request, local_path
from shared.web.views import actor, commit_or_show

Model = type[Customer] | type[Agent]


@contextmanager
def steady_answer() -> Iterator[None]:
    """Answer no sooner than ACCOUNT_ANSWER_MIN_MS: a stored link or a queued mail (only for some
    addresses) must not show in how long the page takes."""
    started = time.perf_counter()
    yield
    floor = float(current_app.config["ACCOUNT_ANSWER_MIN_MS"]) / 1000
    time.sleep(max(0.0, floor - (time.perf_counter() - started)))


def _safe_next(area: str, default: str) -> str:
    """Only same-area paths: never an open redirect to another site."""
    return local_path(request.args.get("next"), under=f"/{area}/", default=default)


def login(model: Model, area: str) -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        account = accounts.authenticate(model, form.email.data, form.password.data)
        if account is not None:
            log_in(account)
            db.session.commit()
            return redirect(_safe_next(area, url_for(f"{area}.home")), 303)
        form.password.errors.append(gettext("Wrong email or password."))
    status = 422 if form.errors else 200
    return render_template(f"{area}/login.html", form=form), status


def logout(area: str) -> Response:
    log_out()
    db.session.commit()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for(f"{area}.login"), 303)


def reset_request(model: Model, area: str) -> Response | str:
    form = ResetRequestForm()
    if form.validate_on_submit():
        with steady_answer():
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
            log_in(account)  # every other session of the account ended with the new password
            db.session.commit()
            flash(gettext("Your password is set."), "success")
            return redirect(url_for(f"{area}.home"), 303)
    # An invitation or an account opened from email has no password yet: it is chosen, not replaced.
    first = account.awaiting_password
    return render_template(f"{area}/reset_confirm.html", form=form, first=first), 422 if form.errors else 200


# --- The account's own sessions (on each area's profile page) -------------------------


def password_form(**kwargs) -> ResetForm:
    """Asks for the current password only when there is one (accounts made from email have none)."""
    return PasswordChangeForm(**kwargs) if current_user.password_hash else ResetForm(**kwargs)


def password_change(area: str, page: Callable[[ResetForm], tuple[str, int]]) -> Response | tuple[str, int]:
    """The profile's password form, the same in both areas; `page` renders the profile with it."""
    form = password_form()
    if form.validate_on_submit():
        account = actor()
        current = form.current_password.data if "current_password" in form else None

        def change() -> None:
            accounts.change_password(account, current, form.password.data)
            log_in(account)  # the new password ended every session, this one too

        if commit_or_show(change, form=form).ok:
            flash(gettext("Your password is changed. Every other session is logged out."), "success")
            return redirect(url_for(f"{area}.profile"), 303)
    return page(form)


def sessions_context(area: str, notice: str | None = None) -> dict:
    """What `shared/_sessions.html` shows: this account's open sessions, this one marked."""
    return {
        "area": area,
        "notice": notice,
        "open_sessions": sessions.open_sessions(actor()),
        "this_session": current_session_id(),
        "device_name": sessions.device_name,
    }


def sessions_region(area: str, notice: str | None = None) -> str:
    return render_template("shared/_sessions.html", **sessions_context(area, notice))


def _sessions_answer(area: str, message: str) -> Response | str:
    if is_fragment_request():
        return sessions_region(area, notice=message)
    flash(message, "success")
    return redirect(url_for(f"{area}.profile"), 303)


def session_end(area: str, session_id: str) -> Response | str:
    row = sessions.session_of(actor(), session_id)
    if row is None:
        abort(404)
    if row.id == current_session_id():  # ending this very session is logging out
        return logout(area)
    sessions.end(row.id)
    db.session.commit()
    return _sessions_answer(area, gettext("That session is ended: it has to log in again."))


def sessions_end_others(area: str) -> Response | str:
    ended = sessions.end_all(actor(), keep=current_session_id())
    db.session.commit()
    message = ngettext("%(num)d other session is ended.", "%(num)d other sessions are ended.", ended)
    return _sessions_answer(area, message)


def register(bp, model: Model, area: str) -> None:
    """Add the account routes to a blueprint, with the login and reset limits on their POSTs."""

    def named(name: str, view):
        view.__name__ = f"{area}_{name}"
        return view

    login_view = request_limits.limited("login")(named("login", lambda: login(model, area)))
    reset_view = request_limits.limited("reset")(named("reset_request", lambda: reset_request(model, area)))
    bp.add_url_rule("/login", "login", login_view, methods=["GET", "POST"])
    bp.add_url_rule("/logout", "logout", named("logout", lambda: logout(area)), methods=["POST"])
    bp.add_url_rule("/reset", "reset_request", reset_view, methods=["GET", "POST"])
    bp.add_url_rule(
        "/reset/<token>",
        "reset_confirm",
        named("reset_confirm", lambda token: reset_confirm(model, area, token)),
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        "/profile/sessions/<session_id>/end",
        "session_end",
        named("session_end", lambda session_id: session_end(area, session_id)),
        methods=["POST"],
    )
    bp.add_url_rule(
        "/profile/sessions/end-others",
        "sessions_end_others",
        named("sessions_end_others", lambda: sessions_end_others(area)),
        methods=["POST"],
    )
