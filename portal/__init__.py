"""The customer portal: filing, following and answering tickets on the web."""

from flask import Blueprint

from shared.models import Customer
from shared.web import markdown_preview
from shared.web.auth import guard

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
