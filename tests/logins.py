"""Logging in without the login form, for tests that turn CSRF on (the form would need a token)."""

from flask.testing import FlaskClient

from shared.access import sessions
from shared.core.extensions import db
from shared.models import Agent, Customer
from shared.web.auth import SESSION_TOKEN_KEY


def enter_session(client: FlaskClient, account: Customer | Agent) -> None:
    """A real server-side session for `account`, its token in the client's cookie, as a login makes."""
    token = sessions.start(account, user_agent="test", ip="127.0.0.1")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = account.get_id()
        session[SESSION_TOKEN_KEY] = token
        session["_fresh"] = True
