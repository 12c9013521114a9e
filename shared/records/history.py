"""Writing and reading the append-only history, and the guard that keeps it (and the admin audit log) append-only."""

from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, selectinload

from shared.core.errors import HistoryError
from shared.core.extensions import db
from shared.core.markup import render_markdown
from shared.models import (
    ActorKind,
    Agent,
    Attachment,
    AuditEvent,
    Customer,
    Entry,
    EntryKind,
    Ticket,
    Visibility,
    utcnow,
)

APPEND_ONLY = (Entry, Attachment, AuditEvent)
Actor = Customer | Agent | None


def actor_kind(actor: Actor) -> ActorKind:
    if isinstance(actor, Customer):
        return ActorKind.CUSTOMER
    if isinstance(actor, Agent):
        return ActorKind.AGENT
    return ActorKind.SYSTEM


def append(
    ticket: Ticket,
    *,
    actor: Actor,
    kind: EntryKind,
    visibility: Visibility,
    body: str = "",
    body_html: str = "",
    event_name: str | None = None,
    data: dict[str, Any] | None = None,
    channel: str = "web",
) -> Entry:
    """Add one entry to the ticket's history and mark the ticket as touched."""
    now = utcnow()
    entry = Entry(
        ticket=ticket,
        kind=kind,
        visibility=visibility,
        author_kind=actor_kind(actor),
        customer=actor if isinstance(actor, Customer) else None,
        agent=actor if isinstance(actor, Agent) else None,
        body=body,
        body_html=body_html,
        event=event_name,
        data=data or {},
        channel=channel,
        created_at=now,
    )
    db.session.add(entry)
    ticket.updated_at = now
    return entry


def record_event(ticket: Ticket, event_name: str, data: dict[str, Any], *, actor: Actor) -> Entry:
    """An internal system event (status, assignment, priority, link...)."""
    return append(
        ticket, actor=actor, kind=EntryKind.EVENT, visibility=Visibility.INTERNAL, event_name=event_name, data=data
    )


def mark_public_change(ticket: Ticket, *, actor: Actor, preview: str = "", at: datetime | None = None) -> None:
    """Keep the ticket's last public message: when it was written, by whom, and its first words.
    Only messages count (a reply, and the desk's own notes to the customer such as a reminder):
    internal notes, status and other property changes, assignment, links, merges, ratings and
    SLA events never move it. The queues' "updated · by", *Needs reply* and the portal's order
    read it."""
    ticket.last_public_at = at or utcnow()  # the message's own time, when given
    ticket.last_public_by = actor_kind(actor)
    ticket.last_public_customer_id = actor.id if isinstance(actor, Customer) else None
    ticket.last_public_agent_id = actor.id if isinstance(actor, Agent) else None
    if preview:
        ticket.last_public_preview = " ".join(preview.split())[:200]


def post_system_note(ticket: Ticket, text: str, *, last_public: bool = True) -> Entry:
    """A public note from the desk itself (a timer, a rule): the customer sees it and it counts as
    the ticket's last public message, by the system; `last_public=False` for a note that only
    records a change (a merge), which leaves it where it was."""
    note = append(
        ticket,
        actor=None,
        kind=EntryKind.EVENT,
        visibility=Visibility.PUBLIC,
        body=text,
        body_html=render_markdown(text),
        event_name="note",
    )
    if last_public:
        mark_public_change(ticket, actor=None, preview=text, at=note.created_at)
    return note


def entries(ticket: Ticket, *, after: int = 0) -> list[Entry]:
    """The ticket's history in time order (or what came after entry id `after`), with authors and
    attachments loaded in a few queries instead of one per entry."""
    query = (
        select(Entry)
        .where(Entry.ticket_id == ticket.id, Entry.id > after)
        .options(selectinload(Entry.agent), selectinload(Entry.customer), selectinload(Entry.attachments))
        .order_by(Entry.id)
    )
    return list(db.session.scalars(query))


def last_entry_id(ticket: Ticket) -> int:
    """Where the history ends now, so a page can later fetch just what an action added."""
    return db.session.scalar(select(func.max(Entry.id)).where(Entry.ticket_id == ticket.id)) or 0


def _refuse_changes(session: Session, flush_context: object, instances: object) -> None:
    for obj in session.deleted:
        if isinstance(obj, APPEND_ONLY):
            raise HistoryError(f"{type(obj).__name__} {obj.id} cannot be deleted: history is append-only")
    for obj in session.dirty:
        if isinstance(obj, APPEND_ONLY) and session.is_modified(obj, include_collections=False):
            raise HistoryError(f"{type(obj).__name__} {obj.id} cannot be changed: history is append-only")


def _refuse_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    # By table, so `update(Entry.__table__)` is refused as well as `update(Entry)`.
    target = getattr(state.statement.table, "name", None)
    for model in APPEND_ONLY:
        if model.__tablename__ == target:
            raise HistoryError(f"bulk {'update' if state.is_update else 'delete'} of {model.__name__}")


def install_guard() -> None:
    """Refuse, on every session, any update or delete of history rows."""
    if not event.contains(Session, "before_flush", _refuse_changes):
        event.listen(Session, "before_flush", _refuse_changes)
        event.listen(Session, "do_orm_execute", _refuse_bulk)
