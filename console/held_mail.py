"""Held mail: a message that matched a ticket from someone who is not on it waits for an agent,
who lets it in (the sender joins the ticket) or splits it off into a new ticket.

Any agent who may work the ticket decides, from a notice on the ticket page (admins can also
from the inbound mail log). Plain form posts, answered with 303 and the ticket's page.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug import Response

from console import bp
from shared.access import permissions
from shared.core.extensions import db
from shared.mail import intake
from shared.models import InboundMessage
from shared.web.views import actor, commit_or_show


def _decide(inbound_id: int, verb: Callable[[InboundMessage], str]) -> Response:
    """Load and authorise, apply `verb` (which says what happened), commit, and go back."""
    inbound = db.session.get(InboundMessage, inbound_id)
    if inbound is None or inbound.ticket is None or not permissions.can_decide_held_mail(current_user, inbound.ticket):
        abort(404)
    decided = commit_or_show(lambda: verb(inbound), flash_error=True)
    if decided.ok:
        flash(decided.value, "success")
    anchor = f"e{inbound.entry_id}" if inbound.entry_id else None
    return redirect(url_for("console.ticket_show", number=inbound.ticket.number, _anchor=anchor), 303)


@bp.post("/mail/held/<int:inbound_id>/accept")
def held_mail_accept(inbound_id: int):
    def accept(inbound: InboundMessage) -> str:
        entry = intake.accept_held(inbound, actor=actor())
        return gettext("%(name)s is on the ticket now, and their message is posted.", name=entry.author.display_name)

    return _decide(inbound_id, accept)


@bp.post("/mail/held/<int:inbound_id>/split")
def held_mail_split(inbound_id: int):
    def split(inbound: InboundMessage) -> str:
        ticket = intake.split_held(inbound, actor=actor())
        return gettext("The message is a new ticket: #%(number)d.", number=ticket.number)

    return _decide(inbound_id, split)
