"""The console's admin area: agents, customers, organizations, departments, products, the log and mail.

A blueprint inside the console's, so the console's guard (agents only) runs first and this
one adds its own: any other agent gets the same 404 as an address that does not exist.
"""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from werkzeug import Response

from console import bp as console_bp
from shared.access import permissions

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _only_admins() -> None:
    if not permissions.can_administer(current_user):
        abort(404)


def done(message: str, endpoint: str, **values: object) -> Response:
    """After a change: say what happened on the page the browser is sent to (303, so a reload re-posts nothing)."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values), 303)


@bp.get("/")
def home() -> Response:
    return redirect(url_for("console.admin.agents_list"))


from console.admin import (  # noqa: E402,F401  (views register on bp)
    activity,
    agents,
    assignment,
    catalog,
    customers,
    mail_inbound,
    mail_outbox,
    organizations,
    sla,
)

console_bp.register_blueprint(bp)
