"""Customer login, logout and password reset."""

from flask import redirect, url_for

from portal import bp
from shared.models import Customer
from shared.web import account_views

account_views.register(bp, Customer, "portal")


@bp.get("/")
def home():
    return redirect(url_for("portal.tickets_list"))
