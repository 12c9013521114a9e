"""Customer login, logout and password reset."""

from flask import redirect, url_for

from portal import bp
from shared import account_views
from shared.models import Customer

account_views.register(bp, Customer, "portal")


@bp.get("/")
def home():
    return redirect(url_for("portal.tickets_list"))
