"""Bounced addresses: the customer's card on a ticket says when the desk's mail to them bounced for
good, and any agent clears the address once it works again (the held mail then goes out). A plain
form post, answered with 303 and the ticket's page."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from console import bp
from shared.access import permissions
from shared.outgoing import bounces
from shared.web.views import actor, commit_or_show


@bp.post("/tickets/<int:number>/bounce/clear")
def bounce_clear(number: int):
    ticket = permissions.find_ticket(current_user, number)
    bounce = bounces.active(ticket.customer.email) if ticket is not None and ticket.customer else None
    if bounce is None or not permissions.can_clear_bounce(current_user):
        abort(404)
    cleared = commit_or_show(lambda: bounces.clear(bounce, actor=actor()), flash_error=True)
    if cleared.ok:
        said = gettext("Mail to %(address)s goes out again.", address=bounce.address)
        if resumed := cleared.value:
            said += " " + ngettext(
                "%(num)d held message is on its way.", "%(num)d held messages are on their way.", resumed
            )
        flash(said, "success")
    return redirect(url_for("console.ticket_show", number=number), 303)
