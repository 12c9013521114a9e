"""The view kit: one way to write a view in either area.

A view reads, top to bottom: load and authorise (`ticket_or_404`, or the blueprint's guard), validate
its form, call one domain verb inside `commit_or_show` with the acting account (`actor()`), and
respond: `render` for a page or its htmx fragment, a 303 redirect after a change.

    ticket = ticket_or_404(number)
    form = RatingForm()
    if form.validate_on_submit():
        done = commit_or_show(lambda: ratings.rate_ticket(ticket, actor=actor(), ...), form=form)
        if done.ok:
            return redirect(url_for("portal.ticket_show", number=number), 303)
    return render("portal/ticket.html", "portal/_rating.html", status=422, ...)
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import Response, abort, flash, make_response, render_template
from flask_login import current_user
from flask_wtf import FlaskForm

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, Customer, Ticket
from shared.web.forms import show_error
from shared.web.htmx import is_fragment_request

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What `commit_or_show` did: the verb's value once committed, or the refusal it rolled back."""

    value: T | None = None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def commit_or_show(
    verb: Callable[[], T],
    *,
    form: FlaskForm | None = None,
    renamed: Mapping[str, str] | None = None,
    flash_error: bool = False,
) -> Outcome[T]:
    """The request's transaction around one domain verb (which flushes, never commits): commit what
    it did, or, when it refuses with a DomainError, roll all of it back and show the refusal beside
    the `form` field it names (through `renamed`), above the form, or with `flash_error` as a flash.
    Without either, the view shows `Outcome.error` itself (a table row's message, a side panel)."""
    try:
        value = verb()
    except DomainError as error:
        db.session.rollback()
        if form is not None:
            show_error(form, error, dict(renamed) if renamed else None)
        if flash_error:
            flash(error.message, "error")
        return Outcome(error=error)
    db.session.commit()
    return Outcome(value=value)


def actor() -> Agent | Customer:
    """The account acting in this request (the area's guard let only its own kind in), as the model
    object the verbs take as `actor` and store references to, never flask-login's proxy."""
    return current_user._get_current_object()


def ticket_or_404(number: int) -> Ticket:
    """The ticket with that number, when the acting account may see it; else 404, the same answer as
    for a number that does not exist (shared/access/permissions.py decides)."""
    ticket = permissions.find_ticket(current_user, number)
    if ticket is None:
        abort(404)
    return ticket


def render(
    page: str,
    fragment: str | None = None,
    /,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context,
) -> Response:
    """`page` in full, or for an htmx fragment request `fragment` (when the view has one), on the same
    context. Either answer says `Vary: HX-Request`: a cache must not hand one for the other."""
    template = fragment if fragment is not None and is_fragment_request() else page
    response = make_response(render_template(template, **context), status)
    response.headers.extend(dict(headers or {}))
    response.vary.add("HX-Request")
    return response
