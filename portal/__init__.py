"""The customer portal: filing, following and answering tickets on the web."""

from flask import Blueprint

from shared import markdown_preview
from shared.auth import guard
from shared.models import Customer

bp = Blueprint("portal", __name__, url_prefix="/portal")
OPEN_ENDPOINTS = {
    "portal.login",
    "portal.reset_request",
    "portal.reset_confirm",
    "portal.signup",
    "portal.signup_confirm",
}


@bp.before_request
def _only_customers():
    return guard(Customer, "portal.login", OPEN_ENDPOINTS)


from portal import account, auth, tickets  # noqa: E402,F401  (views register on bp)

markdown_preview.register(bp)
