"""Admin: the outbox (every message the desk queued, its attempts and last error, retry) and, in
the demo, the mail catcher's messages: what customers and agents would have received."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from console.admin import bp
from shared.core import bounds
from shared.core.extensions import db
from shared.mail import catcher, log
from shared.models import OutboxMessage
from shared.outgoing import outbox
from shared.web.views import actor, commit_or_show, render


@bp.get("/mail/outbox")
def outbox_list():
    state = request.args.get("state", "")
    state = state if state in log.OUTBOX_STATES else ""
    query = request.args.get("q", "")
    page = log.outbox_log(state, query, page=bounds.page(request.args.get("page")))
    counts, choices = log.outbox_counts(), log.OUTBOX_STATES.items()
    return render(
        "console/admin/outbox.html",
        "console/admin/_outbox_list.html",
        page=page,
        state=state,
        query=query,
        counts=counts,
        choices=choices,
    )


def _message(outbox_id: int) -> OutboxMessage:
    return db.session.get(OutboxMessage, outbox_id) or abort(404)


@bp.get("/mail/outbox/<int:outbox_id>")
def outbox_show(outbox_id: int):
    message = _message(outbox_id)
    return render_template("console/admin/outbox_message.html", message=message, ticket=log.outbox_ticket(message))


@bp.post("/mail/outbox/<int:outbox_id>/retry")
def outbox_retry(outbox_id: int):
    message = _message(outbox_id)
    if commit_or_show(lambda: outbox.retry(message, actor=actor()), flash_error=True).ok:
        flash(
            gettext("The message to %(address)s is queued again, to be sent now.", address=message.to_addr), "success"
        )
    return redirect(url_for("console.admin.outbox_show", outbox_id=outbox_id), 303)


@bp.get("/mail/caught")
def caught_list():
    return render_template("console/admin/caught.html", messages=log.caught_mail())


@bp.get("/mail/caught/<name>")
def caught_show(name: str):
    message = catcher.read(name) or abort(404)
    text, html, files = log.caught_parts(message)
    return render_template("console/admin/caught_message.html", message=message, text=text, html=html, files=files)
