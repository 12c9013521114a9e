"""Collision notices on the console's ticket page: who else has it open, who is typing a reply, and
whether the ticket changed while an agent was writing.

Presence rows are heartbeats, overwritten every few seconds; they are not history.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from shared.core.extensions import db
from shared.models import Agent, Entry, EntryKind, Ticket, TicketPresence, utcnow

# A page polls every 5 s: a viewer missing a few beats has left; typing is news for a short while.
VIEWING = timedelta(seconds=20)
TYPING = timedelta(seconds=10)


@dataclass(frozen=True)
class Viewer:
    agent: Agent
    typing: bool


def touch(ticket: Ticket, agent: Agent, *, typing: bool) -> None:
    """Record that `agent` has `ticket` open now (and is typing, if so): one upsert."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TicketPresence).values(
        ticket_id=ticket.id, agent_id=agent.id, seen_at=now, typing_at=now if typing else None
    )
    changes = {"seen_at": statement.excluded.seen_at}
    if typing:  # a quiet beat keeps the last keystroke's time, which then simply ages out
        changes["typing_at"] = statement.excluded.typing_at
    statement = statement.on_conflict_do_update(
        index_elements=[TicketPresence.ticket_id, TicketPresence.agent_id], set_=changes
    )
    db.session.execute(statement)


def others(ticket: Ticket, agent: Agent) -> list[Viewer]:
    """The other active agents on `ticket` right now, by name, and whether each is typing."""
    now = utcnow()
    rows = db.session.execute(
        select(Agent, TicketPresence.typing_at)
        .join(TicketPresence, TicketPresence.agent_id == Agent.id)
        .where(
            TicketPresence.ticket_id == ticket.id,
            TicketPresence.agent_id != agent.id,
            TicketPresence.seen_at >= now - VIEWING,
            Agent.is_active.is_(True),
        )
        .order_by(Agent.name)
    )
    return [Viewer(other, typing_at is not None and typing_at >= now - TYPING) for other, typing_at in rows]


def changed_since(ticket: Ticket, seen: int, agent: Agent) -> bool:
    """Someone other than `agent` added a reply or note after entry `seen`: sending now would answer
    a conversation the agent has not read."""
    newer = select(Entry.id).where(
        Entry.ticket_id == ticket.id,
        Entry.id > seen,
        Entry.kind == EntryKind.MESSAGE,
        (Entry.agent_id.is_(None)) | (Entry.agent_id != agent.id),
    )
    return db.session.scalar(newer.limit(1)) is not None


def answered_meanwhile(ticket: Ticket, seen: int, agent: Agent) -> bool:
    """`changed_since` as one step with the send that follows it in the same transaction: the
    ticket's row is locked first and stays locked until the commit, so when two agents send at the
    same instant the second waits, then sees the first one's reply and is held back.

    The lock is a write that changes nothing (the ticket's channel, set to itself: no index holds
    it): on PostgreSQL the row lock, on SQLite the single writer's lock, taken before the check
    reads. The ticket is read again under the lock, so what follows works on its current state."""
    tickets = Ticket.__table__
    db.session.execute(update(tickets).where(tickets.c.id == ticket.id).values(channel=tickets.c.channel))
    db.session.refresh(ticket)
    return changed_since(ticket, seen, agent)
