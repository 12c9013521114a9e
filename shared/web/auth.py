"""Sessions for the two account kinds, and the guards each area installs once.

The signed cookie names the account and carries the token of a server-side session
(shared/access/sessions.py); the account is loaded only while that session is open.
"""

from flask import Flask, Response, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from shared.access import sessions
from shared.core.extensions import db, login_manager
from shared.models import Agent, Customer
from shared.web.htmx import is_fragment_request

_KINDS: dict[str, type[Customer] | type[Agent]] = {"customer": Customer, "agent": Agent}
SESSION_TOKEN_KEY = "sid"


def _load_account(user_id: str) -> Customer | Agent | None:
    kind, _, raw_id = user_id.partition(":")
    model = _KINDS.get(kind)
    token = session.get(SESSION_TOKEN_KEY)
    if model is None or not raw_id.isdigit() or len(raw_id) > 18 or not isinstance(token, str):
        return None
    fresh = not db.session().in_transaction()
    found = sessions.find(model, int(raw_id), token)
    if found is None:
        return None
    g.login_session_id = found.session_id
    if fresh and sessions.needs_touch(found):
        # Nothing else has run in this transaction yet, so committing writes only the touch.
        sessions.touch(found.session_id)
        db.session.commit()
    return found.account


def current_session_id() -> str | None:
    """The id of the request's own session row (to mark "this session" and to keep it)."""
    if not current_user.is_authenticated:
        return None
    return g.get("login_session_id")


def log_in(account: Customer | Agent) -> None:
    """Start a fresh session: nothing from before the login (or a planted id) survives it.

    Adds the session row; the caller commits."""
    session.clear()
    token = sessions.start(account, user_agent=request.user_agent.string or "", ip=request.remote_addr or "")
    session[SESSION_TOKEN_KEY] = token
    login_user(account)
    session.permanent = True


def log_out() -> None:
    """End this session on the server too: a copy of the cookie is worth nothing afterwards.

    The caller commits."""
    session_id = current_session_id()
    if session_id is not None:
        sessions.end(session_id)
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
