"""Customers rate closed tickets (1 to 5, with an optional comment) and may change their mind for a while.

The rating itself is current state; every rating and every change is also appended to the
ticket's history as a "rating" event, which agents see in the console.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import select

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import SCORES, Customer, Rating, Ticket, utcnow
from shared.records.history import record_event

COMMENT_MAX = 2000


def rating_for(ticket: Ticket) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))


def change_deadline(rating: Rating) -> datetime:
    """Until when the rating may still be changed: a fixed time after the first rating."""
    return rating.created_at + timedelta(days=int(current_app.config["RATING_CHANGE_DAYS"]))


def can_change(rating: Rating | None) -> bool:
    return rating is None or utcnow() < change_deadline(rating)


@dataclass(frozen=True)
class RatingState:
    """What the ticket page shows: the form (`open`), or the given rating read-only; `mine` when
    the reader is the customer who may give it."""

    rating: Rating | None
    open: bool
    deadline: datetime | None
    mine: bool = True


def rating_state(ticket: Ticket, reader: Customer | None = None) -> RatingState:
    """The rating as `reader` sees it (the ticket's own customer when none is given)."""
    rating = rating_for(ticket)
    mine = permissions.can_rate(reader if reader is not None else ticket.customer, ticket)
    return RatingState(
        rating=rating,
        open=mine and ticket.status.is_closed and can_change(rating),
        deadline=change_deadline(rating) if rating is not None else None,
        mine=mine,
    )


def rate_ticket(ticket: Ticket, *, actor: Customer, score: int, comment: str = "") -> Rating:
    """Rate a closed ticket, or change the rating while the window is open. Never touches the status."""
    if not permissions.can_rate(actor, ticket):
        raise DomainError(gettext("You cannot rate this ticket."))
    if not ticket.status.is_closed:
        raise DomainError(gettext("You can rate a ticket once it is closed."))
    if isinstance(score, bool) or score not in SCORES:
        raise DomainError(gettext("Choose from 1 to 5 stars."), field="score")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(
            ngettext(
                "Keep the comment under %(num)d character.", "Keep the comment under %(num)d characters.", COMMENT_MAX
            ),
            field="comment",
        )
    rating = rating_for(ticket)
    now = utcnow()
    if rating is None:
        rating = Rating(ticket=ticket, customer=actor, score=score, comment=comment, created_at=now, updated_at=now)
        db.session.add(rating)
    elif not can_change(rating):
        raise DomainError(gettext("This rating can no longer be changed."))
    elif (rating.score, rating.comment) == (score, comment):
        return rating  # nothing changed, nothing to record
    else:
        rating.customer, rating.score, rating.comment, rating.updated_at = actor, score, comment, now
    record_event(ticket, "rating", {"score": score, "comment": comment}, actor=actor)
    db.session.flush()
    return rating
