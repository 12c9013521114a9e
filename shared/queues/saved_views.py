"""Saved views: an agent keeps the queue list's current address (queue, filters, order) under a
name, and the sidebar shows each with its live count. A view is its owner's alone."""

from urllib.parse import parse_qsl, urlencode

from flask_babel import gettext
from sqlalchemy import select

from shared.access import permissions
from shared.core import bounds
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import PRIORITIES, TYPES, Agent, SavedView
from shared.queues import lists
from shared.records import catalog

NAME_MAX = 60
VIEWS_MAX = 20  # each view costs one count query per sidebar refresh
# The list address's arguments a view keeps, in this order; never the page.
KEYS = ("queue", "department", "product", "priority", "type", "assignee", "sort", "order")


def clean_query(query: str) -> str:
    """The address's query string reduced to what a view keeps, so the same list saves the same."""
    asked = dict(parse_qsl(query.lstrip("?")))
    return urlencode([(key, asked[key]) for key in KEYS if asked.get(key)])


def filters_of(query: str) -> tuple[str, lists.QueueFilters]:
    """A saved query as a queue and its filters; a value that names nothing narrows nothing."""
    args = dict(parse_qsl(query))

    def whole(name: str) -> int | None:
        return bounds.whole(args.get(name))

    assignee = args.get("assignee", "")
    return args.get("queue") or "all_open", lists.QueueFilters(
        department=whole("department"),
        product=whole("product"),
        priority=args.get("priority") if args.get("priority") in PRIORITIES else None,
        type=args.get("type") if args.get("type") in TYPES else None,
        assignee=whole("assignee") or (lists.NOBODY if assignee == lists.NOBODY else None),
        sort=args.get("sort") if args.get("sort") in lists.SORTS else "updated",
        descending=args.get("order") != "asc",
    )


def views_for(agent: Agent) -> list[SavedView]:
    return list(
        db.session.scalars(select(SavedView).where(SavedView.agent_id == agent.id).order_by(SavedView.name_key))
    )


def view_at(agent: Agent, query: str) -> SavedView | None:
    """The agent's view of the list at this address, if they keep one: its name titles the page."""
    mine = select(SavedView).where(SavedView.agent_id == agent.id, SavedView.query == clean_query(query))
    return db.session.scalar(mine.order_by(SavedView.name_key).limit(1))


def find_view(agent: Agent, view_id: int) -> SavedView | None:
    """The agent's own view with this id; a colleague's is not found."""
    view = db.session.get(SavedView, view_id)
    return view if view is not None and permissions.can_use_saved_view(agent, view) else None


def save_view(agent: Agent, name: str, query: str) -> SavedView:
    """Keep the list's current address under a name the agent has not used yet."""
    name = " ".join(name.split())
    if not name:
        raise DomainError(gettext("Give the view a name."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(gettext("Keep the name to %(num)d characters.", num=NAME_MAX), field="name")
    query = clean_query(query)
    queue, _ = filters_of(query)
    if not lists.is_queue(queue, catalog.statuses()):
        raise DomainError(gettext("This list no longer exists."))
    mine = views_for(agent)
    if any(view.name_key == name.casefold() for view in mine):
        raise DomainError(gettext("You already have a view named “%(name)s”.", name=name), field="name")
    if len(mine) >= VIEWS_MAX:
        raise DomainError(gettext("You can keep up to %(num)d views; delete one first.", num=VIEWS_MAX), field="name")
    view = SavedView(agent_id=agent.id, name=name, name_key=name.casefold(), query=query)
    db.session.add(view)
    db.session.flush()
    return view


def delete_view(view: SavedView) -> None:
    db.session.delete(view)
    db.session.flush()


def with_counts(agent: Agent) -> list[tuple[SavedView, int]]:
    """The agent's views and how many tickets each shows now: one COUNT per view, at most VIEWS_MAX."""
    return [(view, lists.queue_count(agent, *filters_of(view.query))) for view in views_for(agent)]
