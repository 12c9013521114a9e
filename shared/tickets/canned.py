"""Canned replies: keep them (personal ones by their owner, shared ones by admins), find them from
the reply box, and fill their placeholders for one ticket.

Placeholders are replaced token by token, never with `str.format`, so a reply's text cannot reach
attributes of the objects behind it and braces that are not placeholders stay as they were.
"""

import re

from flask_babel import gettext
from sqlalchemy import or_, select

from shared.access import permissions
from shared.core.clock import utcnow
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.urls import external_url
from shared.models import Agent, CannedReply, Ticket

SEARCH_LIMIT = 10
PLACEHOLDERS = ("customer_name", "ticket_number", "agent_name", "portal_link")
_TOKEN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def _check(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise DomainError(gettext("Give the reply a title to find it by."), field="title")
    if not body:
        raise DomainError(gettext("Write the text to insert."), field="body")
    return title, body


def create_canned(title: str, body: str, *, shared: bool, actor: Agent) -> CannedReply:
    """A personal reply for `actor`, or a shared one (admins only)."""
    title, body = _check(title, body)
    reply = CannedReply(title=title, body=body, owner_id=None if shared else actor.id)
    if not permissions.can_edit_canned(actor, reply):
        raise DomainError(gettext("Only admins add shared canned replies."), field="shared")
    db.session.add(reply)
    db.session.flush()
    return reply


def update_canned(reply: CannedReply, *, title: str, body: str, actor: Agent) -> None:
    if not permissions.can_edit_canned(actor, reply):
        raise DomainError(gettext("Only admins change shared canned replies."))
    reply.title, reply.body = _check(title, body)
    reply.updated_at = utcnow()
    db.session.flush()


def delete_canned(reply: CannedReply, *, actor: Agent) -> None:
    if not permissions.can_edit_canned(actor, reply):
        raise DomainError(gettext("Only admins delete shared canned replies."))
    db.session.delete(reply)
    db.session.flush()


def _usable(actor: Agent):
    return select(CannedReply).where(or_(CannedReply.owner_id.is_(None), CannedReply.owner_id == actor.id))


def find_canned(actor: Agent, reply_id: int) -> CannedReply | None:
    """The reply if `actor` may use it, else None (a colleague's personal one answers 404)."""
    return db.session.scalar(_usable(actor).where(CannedReply.id == reply_id))


def all_for(actor: Agent) -> list[CannedReply]:
    """The agent's own replies first, then the shared ones, each by title."""
    query = _usable(actor).order_by(CannedReply.owner_id.is_(None), CannedReply.title, CannedReply.id)
    return list(db.session.scalars(query))


def search(actor: Agent, query: str, limit: int = SEARCH_LIMIT) -> list[CannedReply]:
    """The agent's own and the shared replies whose title or text contains `query`, any case."""
    statement = _usable(actor)
    words = query.strip()
    if words:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", words) + "%"
        statement = statement.where(
            or_(CannedReply.title.ilike(pattern, escape="\\"), CannedReply.body.ilike(pattern, escape="\\"))
        )
    statement = statement.order_by(CannedReply.title, CannedReply.id).limit(limit)
    return list(db.session.scalars(statement))


def render(reply: CannedReply, ticket: Ticket, agent: Agent) -> str:
    """The reply's text for this ticket. A placeholder with nothing to fill it (an internal task has
    no customer) and unknown ones stay as typed, for the agent to see and edit."""
    values = {
        "ticket_number": str(ticket.number),
        "agent_name": agent.display_name,
        "portal_link": external_url("portal.ticket_show", number=ticket.number),
    }
    if ticket.customer is not None:
        values["customer_name"] = ticket.customer.display_name
    return _TOKEN.sub(lambda match: values.get(match.group(1), match.group(0)), reply.body)
