"""Read-side queries for lists: the portal's "My tickets", the console's queues and a customer's other tickets."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, case, false, func, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from shared.access.permissions import customer_ticket_filter, sees_every_ticket, visible_tickets
from shared.core.extensions import db
from shared.core.paging import Page
from shared.models import (
    PRIORITIES,
    ActorKind,
    Agent,
    Category,
    Customer,
    Organization,
    QueueCounter,
    Status,
    Ticket,
    utcnow,
)
from shared.models.queue_counters import UNASSIGNED
from shared.records import reads
from shared.sla.tracking import SOON

COUNT_CAP = 1000  # past this many, a count that has no counters behind it says "1,000+", as search does
# The queues the counters answer (see shared/queues/counters.py): every one but the SLA queues, whose
# membership moves with the clock. Those are counted along their due-time index, up to COUNT_CAP.
SLA_QUEUES = ("breaching_soon", "overdue")


class AtLeast(int):
    """A count that stopped at its cap: at least this many (shown as "1,000+", paged that far)."""


def count_rows(query: Select, cap: int | None = None) -> int:
    """How many rows `query` gives; with a `cap`, counting stops past it and answers AtLeast(cap), so
    the cost is bounded by the cap rather than by the data."""
    if cap is None:
        return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    found = query.order_by(None).with_only_columns(Ticket.id).limit(cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(found)) or 0
    return AtLeast(cap) if total > cap else total


def _page_number(page: int, total: int, per_page: int) -> int:
    """The page asked for; past the end (an old bookmark, a list that shrank), the last one."""
    return min(max(1, page), max(1, -(-total // per_page)))


def paginate(query: Select, page: int, per_page: int) -> Page:
    """One page of `query`, counted, its tickets loaded as the lists show them."""
    total = count_rows(query)
    page = _page_number(page, total, per_page)
    ids = db.session.scalars(query.with_only_columns(Ticket.id).limit(per_page).offset((page - 1) * per_page))
    return Page(tickets_in_order(list(ids)), page, per_page, total)


def shared_organization(customer: Customer) -> Organization | None:
    """The customer's organization when it shares its tickets with its members, else None."""
    organization = customer.organization
    return organization if organization is not None and organization.sharing else None


def portal_view(customer: Customer, asked: str | None) -> str:
    """The list the customer asked for, if they may see it: their own, or their organization's."""
    return "organization" if asked == "organization" and shared_organization(customer) else "mine"


def customer_tickets(
    customer: Customer, *, closed: bool, view: str = "mine", page: int = 1, per_page: int = 20
) -> Page:
    """The customer's tickets (or all their organization's), open or closed, most recently active
    first, with the ones that have unseen news marked."""
    category = Status.category == Category.CLOSED if closed else Status.category != Category.CLOSED
    scope = customer_ticket_filter(customer) if view == "organization" else Ticket.customer_id == customer.id
    query = (
        visible_tickets(customer)
        .join(Ticket.status)
        .where(category, scope)
        .order_by(Ticket.last_public_at.desc(), Ticket.id.desc())
    )
    result = paginate(query, page, per_page)
    result.unread = reads.unread_ids(customer, result.items)
    return result


# --- The console's queues --------------------------------------------------------------

# The named queues, in the sidebar's order; each status is a queue too, as "status:<key>".
QUEUE_LABELS = {
    "all_open": _l("All open"),
    "needs_reply": _l("Needs reply"),
    "mine": _l("Mine"),
    "unassigned": _l("Unassigned"),
    "breaching_soon": _l("Breaching soon"),
    "overdue": _l("Overdue"),
}
NOBODY = "none"  # the assignee filter's value for tickets nobody works
_PRIORITY_RANK = case({key: rank for rank, key in enumerate(PRIORITIES)}, value=Ticket.priority)
SORTS = {
    "updated": Ticket.updated_at,
    "created": Ticket.created_at,
    "priority": _PRIORITY_RANK,
    "number": Ticket.number,
    "due": Ticket.sla_due_at,
}


@dataclass(frozen=True)
class QueueFilters:
    """What narrows and orders a queue. None everywhere means no narrowing; the newest activity first."""

    department: int | None = None
    product: int | None = None
    priority: str | None = None
    type: str | None = None
    assignee: int | str | None = None  # an agent's id, or NOBODY
    sort: str = "updated"
    descending: bool = True


def is_queue(queue: str, statuses: list[Status]) -> bool:
    return queue in QUEUE_LABELS or queue in {f"status:{s.key}" for s in statuses}


def _in_queue(agent: Agent, queue: str) -> ColumnElement[bool]:
    """The one definition of each queue, shared by its list and its count."""
    if queue.startswith("status:"):
        return Status.key == queue.partition(":")[2]
    open_work = Status.category != Category.CLOSED
    if queue == "needs_reply":  # the customer spoke last in public: it is the desk's turn
        return and_(open_work, Ticket.last_public_by == ActorKind.CUSTOMER)
    if queue == "mine":
        return and_(open_work, Ticket.assignee_id == agent.id)
    if queue == "unassigned":
        return and_(open_work, Ticket.assignee_id.is_(None))
    # The SLA queues: a due time is stored only while its clock runs (not paused, met or closed).
    if queue == "breaching_soon":
        now = utcnow()
        return and_(Ticket.sla_due_at > now, Ticket.sla_due_at <= now + SOON)
    if queue == "overdue":
        return Ticket.sla_due_at <= utcnow()
    # Asked by status id, the list starts from the status index, which holds only the open tickets
    # it reads, whatever else narrows it (a product, a type, a priority): never a scan of all tickets.
    return Ticket.status_id.in_(select(Status.id).where(open_work).correlate(None))


def _narrowed_by(filters: QueueFilters) -> list[ColumnElement[bool]]:
    wanted = {
        Ticket.department_id: filters.department,
        Ticket.product_id: filters.product,
        Ticket.priority: filters.priority,
        Ticket.type: filters.type,
    }
    conditions = [column == value for column, value in wanted.items() if value is not None]
    if filters.assignee == NOBODY:
        conditions.append(Ticket.assignee_id.is_(None))
    elif filters.assignee is not None:
        conditions.append(Ticket.assignee_id == filters.assignee)
    return conditions


def queue_tickets(
    agent: Agent, queue: str, *, filters: QueueFilters | None = None, page: int = 1, per_page: int = 50
) -> Page:
    """One page of an agent's queue, narrowed and ordered as asked; ties go to the newer ticket."""
    filters = filters or QueueFilters()
    total = queue_count(agent, queue, filters)
    page = _page_number(page, total, per_page)
    ids = _page_ids(agent, queue, filters, _queue_query(agent, queue, filters), (page - 1) * per_page, per_page)
    return Page(tickets_in_order(ids), page, per_page, total)


def _sort_keys(filters: QueueFilters) -> list[ColumnElement]:
    """What a queue is ordered by, as columns; ties always go by id the same way round."""
    keys = [SORTS[filters.sort].label("k")]
    if filters.sort == "priority":  # within a priority, the latest activity first
        keys.append(Ticket.updated_at.label("k2"))
    return [*keys, Ticket.id.label("id")]


def _ordered(columns: Sequence[ColumnElement], filters: QueueFilters) -> list[ColumnElement]:
    first, *rest = columns
    first = first.desc() if filters.descending else first.asc()
    if filters.sort == "due":  # tickets without a running clock last, either way round
        first = first.nulls_last()
    if filters.sort == "priority":
        return [first, rest[0].desc(), rest[1].desc() if filters.descending else rest[1].asc()]
    return [first, rest[0].desc() if filters.descending else rest[0].asc()]


def _page_ids(agent: Agent, queue: str, filters: QueueFilters, query: Select, offset: int, limit: int) -> list[int]:
    """The ids of one page. A queue over several statuses is read as one branch per status (and per
    priority when sorted by it), each walking its index in order for no more rows than the page
    needs, merged and cut: sorting every open ticket for 50 rows costs seconds at a million."""
    keys = _sort_keys(filters)
    branches = _branches(agent, queue, filters)
    if branches is None or len(branches) == 1:
        narrowed = query.where(*branches[0]) if branches else query
        ordered = narrowed.with_only_columns(Ticket.id).order_by(*_ordered(keys, filters))
        return list(db.session.scalars(ordered.limit(limit).offset(offset)))
    # Sorted by priority, each branch holds one: it is ordered by what breaks the ties.
    order = _ordered(keys, filters)[1:] if filters.sort == "priority" else _ordered(keys, filters)
    parts = []
    for conditions in branches:
        branch = query.where(*conditions).with_only_columns(*keys).order_by(*order).limit(offset + limit)
        parts.append(select(*branch.subquery().c))
    merged = union_all(*parts).subquery()
    page = select(merged.c.id).order_by(*_ordered(list(merged.c), filters)).limit(limit).offset(offset)
    return list(db.session.scalars(page))


def _branches(agent: Agent, queue: str, filters: QueueFilters) -> list[list[ColumnElement[bool]]] | None:
    """The conditions of each branch a queue's page is read in, or None for the SLA queues (read by
    their due-time index) and the due-time sort (whose empty values no index orders last)."""
    if queue in SLA_QUEUES or filters.sort == "due":
        return None
    if queue.startswith("status:"):
        wanted = select(Status.id).where(Status.key == queue.partition(":")[2])
    else:
        wanted = select(Status.id).where(Status.category != Category.CLOSED)
    status_ids = list(db.session.scalars(wanted))
    priorities = [filters.priority] if filters.priority else list(PRIORITIES)
    if filters.sort != "priority":
        return [[Ticket.status_id == status_id] for status_id in status_ids] or [[false()]]
    return [[Ticket.status_id == s, Ticket.priority == p] for s in status_ids for p in priorities] or [[false()]]


def tickets_in_order(ids: list[int]) -> list[Ticket]:
    """The page's tickets with what a row shows, in one query (each row's few references joined),
    in the order of `ids`."""
    if not ids:
        return []
    loaded = db.session.scalars(
        select(Ticket)
        .where(Ticket.id.in_(ids))
        .options(
            joinedload(Ticket.status),
            joinedload(Ticket.customer).joinedload(Customer.organization),
            joinedload(Ticket.assignee),
            joinedload(Ticket.department),
            joinedload(Ticket.product),
            joinedload(Ticket.last_public_customer),
            joinedload(Ticket.last_public_agent),
        )
    )
    by_id = {ticket.id: ticket for ticket in loaded}
    return [by_id[i] for i in ids]


def _queue_query(agent: Agent, queue: str, filters: QueueFilters) -> Select:
    """The tickets of a queue as narrowed: what its list pages through and its count counts."""
    return visible_tickets(agent).join(Ticket.status).where(_in_queue(agent, queue), *_narrowed_by(filters))


def queue_count(agent: Agent, queue: str, filters: QueueFilters) -> int:
    """How many tickets one narrowed queue holds: a saved view's live count. Unnarrowed, the counters
    know; narrowed (or an SLA queue), the queue's index is read up to COUNT_CAP."""
    if not _narrowed_by(filters) and (total := counted_total(agent, queue)) is not None:
        return total
    return count_rows(_queue_query(agent, queue, filters), COUNT_CAP)


def _counted_in(agent: Agent, queue: str) -> ColumnElement[bool]:
    """The queue's definition (`_in_queue`) on the counters' keys: status, assignee, last public writer."""
    if queue.startswith("status:"):
        return Status.key == queue.partition(":")[2]
    open_work = Status.category != Category.CLOSED
    if queue == "needs_reply":
        return and_(open_work, QueueCounter.last_public_by == ActorKind.CUSTOMER)
    if queue == "mine":
        return and_(open_work, QueueCounter.assignee_key == agent.id)
    if queue == "unassigned":
        return and_(open_work, QueueCounter.assignee_key == UNASSIGNED)
    return open_work


def _counters() -> Select:
    return select(func.coalesce(func.sum(QueueCounter.n), 0)).join(Status, Status.id == QueueCounter.status_id)


def counted_total(agent: Agent, queue: str) -> int | None:
    """How many tickets an unnarrowed queue holds, from the counters; None for the SLA queues."""
    if queue in SLA_QUEUES:
        return None
    if not sees_every_ticket(agent):  # the counters count the whole desk
        return 0
    return db.session.scalar(_counters().where(_counted_in(agent, queue)))


def queue_counts(agent: Agent) -> Counter[str]:
    """How many tickets each queue holds (0 for an empty one): one grouped read of the counters, and a
    capped count along the due-time index per SLA queue (AtLeast(COUNT_CAP) when there are more)."""
    counts: Counter[str] = Counter()
    if sees_every_ticket(agent):
        named = [queue for queue in QUEUE_LABELS if queue not in SLA_QUEUES]
        by_status = (
            _counters()
            .add_columns(Status.key, *(func.sum(case((_counted_in(agent, q), QueueCounter.n), else_=0)) for q in named))
            .group_by(Status.key)
        )
        for total, key, *in_named in db.session.execute(by_status):
            counts[f"status:{key}"] = total
            counts.update(dict(zip(named, in_named, strict=True)))
    for queue in SLA_QUEUES:
        counts[queue] = count_rows(visible_tickets(agent).where(_in_queue(agent, queue)), COUNT_CAP)
    return counts


# --- The console's ticket page ---------------------------------------------------------


def other_tickets(ticket: Ticket, limit: int = 5) -> tuple[list[Ticket], int]:
    """The same customer's other tickets, most recently active first (up to `limit`), and how many
    there are in all; an internal task has none."""
    if ticket.customer_id is None:
        return [], 0
    same_customer = (Ticket.customer_id == ticket.customer_id, Ticket.id != ticket.id)
    items = db.session.scalars(
        select(Ticket)
        .where(*same_customer)
        .options(selectinload(Ticket.status))
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(limit)
    ).all()
    total = db.session.scalar(select(func.count(Ticket.id)).where(*same_customer)) or 0
    return list(items), total
