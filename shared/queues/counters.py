"""The queue counters: how many tickets share each (status, assignee, last public writer), kept in the
same transaction as every ticket change, so the sidebar and the page totals add up a few hundred rows
instead of counting a million tickets.

Every ticket change goes through the ORM (the verbs), and a flush listener turns the changes it writes
into +1/-1 per key, applied as atomic upserts (`n = n + delta` in the database, never read, changed and
written back), so concurrent writers never lose a count. A bulk UPDATE or DELETE through the session
that would move a count is refused; bulk inserts on a bare connection (the bench seeder) call
`rebuild` afterwards, which also repairs a table that drifted."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, event, func, inspect, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from shared.models import Counter as NamedCounter
from shared.models import QueueCounter, Status, Ticket
from shared.models.queue_counters import UNASSIGNED

Key = tuple[int, int, str]  # (status_id, assignee_key, last_public_by)
_COUNTED = ("status_id", "assignee_id", "last_public_by")
_TABLE = QueueCounter.__table__
_KEY_COLUMNS = [_TABLE.c.status_id, _TABLE.c.assignee_key, _TABLE.c.last_public_by]


def _key(status_id: int, assignee_id: int | None, last_public_by: str) -> Key:
    return status_id, UNASSIGNED if assignee_id is None else assignee_id, str(last_public_by)


def _key_now(ticket: Ticket) -> Key:
    return _key(*(getattr(ticket, name) for name in _COUNTED))


def _key_before(ticket: Ticket) -> Key | None:
    """The key the ticket had before this flush, or None when the flush changed none of its counted
    columns. Their `active_history` makes the old value known even when it was not loaded."""
    histories = [inspect(ticket).attrs[name].history for name in _COUNTED]
    if not any(history.has_changes() for history in histories):
        return None
    old = []
    for name, history in zip(_COUNTED, histories, strict=True):
        if history.has_changes():
            old.append(history.deleted[0] if history.deleted else None)
        else:
            old.append(history.unchanged[0] if history.unchanged else getattr(ticket, name))
    return _key(*old)


def _count_changes(session: Session, flush_context: object) -> None:
    """After each flush, inside its transaction: what the flushed tickets moved, in one upsert."""
    deltas: Counter[Key] = Counter()
    for ticket in session.new:
        if isinstance(ticket, Ticket):
            deltas[_key_now(ticket)] += 1
    for ticket in session.dirty:
        if isinstance(ticket, Ticket) and (before := _key_before(ticket)) is not None:
            deltas[before] -= 1
            deltas[_key_now(ticket)] += 1
    for ticket in session.deleted:
        if isinstance(ticket, Ticket):
            deltas[_key_before(ticket) or _key_now(ticket)] -= 1
    add(session.connection(), deltas)


def add(connection: Connection, deltas: Counter[Key]) -> None:
    """Add each delta to its key's count in one statement: an insert that adds to the row when the key
    exists, atomic in the database. Keys go in a fixed order, so two writers lock rows alike."""
    rows = [
        {"status_id": status_id, "assignee_key": assignee_key, "last_public_by": last_public_by, "n": delta}
        for (status_id, assignee_key, last_public_by), delta in sorted(deltas.items())
        if delta
    ]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_TABLE).values(rows)
    connection.execute(
        statement.on_conflict_do_update(index_elements=_KEY_COLUMNS, set_={"n": _TABLE.c.n + statement.excluded.n})
    )


class BypassError(RuntimeError):
    """A bulk write of tickets that would move a count behind the counters' back."""


def _refuse_bypass(state: ORMExecuteState) -> None:
    """Bulk UPDATE and DELETE statements skip the flush, so the counters would not follow: refuse
    those that delete tickets or write a counted column (claiming an SLA breach writes neither)."""
    if not (state.is_update or state.is_delete) or getattr(state.statement.table, "name", None) != "tickets":
        return
    if state.is_delete:
        raise BypassError("bulk delete of tickets: delete them through the session")
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    # The statement's own SET values (column_keys=[] leaves out the columns it does not set), and
    # the rows of a bulk update by primary key.
    written = set(_COUNTED) & set(state.statement.compile(column_keys=[]).params).union(*rows)
    if written:
        raise BypassError(f"bulk update of tickets.{', '.join(sorted(written))}: change tickets through the verbs")


def install() -> None:
    """Keep the counters on every session, as history.install_guard guards the history."""
    if not event.contains(Session, "after_flush", _count_changes):
        event.listen(Session, "after_flush", _count_changes)
        event.listen(Session, "do_orm_execute", _refuse_bypass)


# --- Truth and repair ---------------------------------------------------------------------------

# The 0 is written into the SQL, so that PostgreSQL sees the same expression in SELECT and GROUP BY.
_ASSIGNEE_KEY = func.coalesce(Ticket.assignee_id, literal_column(str(UNASSIGNED)))
_TRUTH = select(Ticket.status_id, _ASSIGNEE_KEY, Ticket.last_public_by, func.count()).group_by(
    Ticket.status_id, _ASSIGNEE_KEY, Ticket.last_public_by
)


def counted_by_tickets(connection: Connection) -> dict[Key, int]:
    """The counts as the tickets have them now: one scan of the whole table, for repair and tests."""
    return {_key(*row[:3]): row[3] for row in connection.execute(_TRUTH)}


def stored(connection: Connection) -> dict[Key, int]:
    """The counts as the counters hold them, without the keys that count nothing."""
    rows = connection.execute(select(*_KEY_COLUMNS, _TABLE.c.n).where(_TABLE.c.n != 0))
    return {_key(*row[:3]): row[3] for row in rows}


@dataclass(frozen=True)
class Correction:
    """One counter that `rebuild` found wrong: its key, what it held, and the tickets' count."""

    status: str
    assignee_key: int
    last_public_by: str
    was: int
    now: int


def _lock(connection: Connection) -> None:
    """Keep every ticket writer out until the rebuild commits, so the count it takes stays true."""
    if connection.dialect.name == "postgresql":
        # Ticket writers upsert the counters in the flush that writes the ticket: they wait here.
        connection.exec_driver_sql("LOCK TABLE queue_counters IN EXCLUSIVE MODE")
    else:
        # A no-op write takes SQLite's one write lock now, before the tickets are counted.
        connection.execute(
            update(NamedCounter).where(NamedCounter.name == "ticket_number").values(value=NamedCounter.value)
        )


def rebuild(connection: Connection) -> list[Correction]:
    """Set every counter to what the tickets say, in the caller's transaction, and say what changed.
    Writers are held off meanwhile; the caller commits."""
    _lock(connection)
    truth, held = counted_by_tickets(connection), stored(connection)
    wrong = sorted(key for key in truth.keys() | held.keys() if truth.get(key, 0) != held.get(key, 0))
    if wrong:
        connection.execute(_TABLE.delete())
        add(connection, Counter(truth))
    statuses = dict(connection.execute(select(Status.id, Status.key)).all())
    return [
        Correction(statuses.get(key[0], str(key[0])), *key[1:], held.get(key, 0), truth.get(key, 0)) for key in wrong
    ]
