"""Sessions for the two account kinds, and the guards each area installs once."""

from flask import Flask, Response, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from shared.extensions import db, login_manager
from shared.models import Agent, Customer
from shared.web import is_fragment_request

_KINDS: dict[str, type[Customer] | type[Agent]] = {"customer": Customer, "agent": Agent}


def _load_account(session_id: str) -> Customer | Agent | None:
    kind, _, raw_id = session_id.partition(":")
    model = _KINDS.get(kind)
    if model is None or not raw_id.isdigit():
        return None
    account = db.session.get(model, int(raw_id))
    return account if account is not None and account.is_active else None


def log_in(account: Customer | Agent) -> None:
    """Start a fresh session: nothing from before the login (or a planted id) survives it."""
    session.clear()
    login_user(account)
    session.permanent = True


def log_out() -> None:
    logout_user()
    session.clear()


def _login_redirect(endpoint: str) -> Response:
    target = url_for(endpoint, next=request.full_path if request.method == "GET" else None)
    if is_fragment_request():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target)


def guard(kind: type[Customer] | type[Agent], login_endpoint: str, open_endpoints: set[str]) -> Response | None:
    """A blueprint's before_request: only accounts of `kind` get past, others go to its login.

    An account of the other kind is treated as logged out here, never as an intruder with a
    403 that would confirm the page exists.
    """
    if request.endpoint in open_endpoints:
        return None
    if isinstance(current_user._get_current_object(), kind):
        return None
    return _login_redirect(login_endpoint)


def init_auth(app: Flask) -> None:
    login_manager.user_loader(_load_account)
    login_manager.session_protection = "basic"
