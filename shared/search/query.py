"""Full-text search for agents: ticket subjects, every message body (internal notes included) and the
customer's name and address, ranked, filtered and paged, only among the tickets the agent may see.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, bindparam, func, select

from shared.access import permissions
from shared.core.extensions import db
from shared.core.paging import Paged
from shared.models import Agent, Category, Status, Ticket
from shared.queues.lists import NOBODY, tickets_in_order
from shared.search.highlight import highlights, in_subject, marked
from shared.search.index import FTS, PG_INDEX, SQLITE_INDEX, on_postgres
from shared.search.terms import fts5_query, terms, tsquery

COUNT_CAP = 1000  # past this many matches a search says "1,000+" instead of counting them all
OPEN = "open"  # the status filter's value for every status that is not closed


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search. None everywhere narrows nothing; dates are whole days in UTC."""

    status: str | None = None  # a status key, or OPEN
    assignee: int | str | None = None  # an agent's id, or NOBODY
    department: int | None = None
    dated: str = "updated"  # which date the range is about: "updated" or "created"
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Hit:
    ticket: Ticket
    subject: Markup  # the subject, matches marked
    snippet: Markup  # the best passage of the messages, matches marked


@dataclass(frozen=True)
class Results(Paged):
    hits: list[Hit]
    page: int
    per_page: int
    total: int  # exact up to COUNT_CAP
    more: bool  # more than COUNT_CAP matched; only the newest COUNT_CAP can be paged through

    @property
    def pageable(self) -> int:
        return min(self.total, COUNT_CAP)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1


def _narrowed_by(filters: SearchFilters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.status == OPEN:
        conditions.append(Ticket.status_id.in_(select(Status.id).where(Status.category != Category.CLOSED)))
    elif filters.status:
        conditions.append(Ticket.status_id.in_(select(Status.id).where(Status.key == filters.status)))
    if filters.assignee == NOBODY:
        conditions.append(Ticket.assignee_id.is_(None))
    elif filters.assignee is not None:
        conditions.append(Ticket.assignee_id == filters.assignee)
    if filters.department is not None:
        conditions.append(Ticket.department_id == filters.department)
    moment = Ticket.created_at if filters.dated == "created" else Ticket.updated_at
    if filters.since:
        conditions.append(moment >= datetime.combine(filters.since, time.min))
    if filters.until:
        conditions.append(moment < datetime.combine(filters.until + timedelta(days=1), time.min))
    return conditions


def _matching(agent: Agent, words: list[str], filters: SearchFilters) -> tuple[Select, ColumnElement, ColumnElement]:
    """The tickets the agent may see that match; the best-first order: FTS5's bm25 (smaller is better;
    the subject weighs most, then the customer) or PostgreSQL's ts_rank (larger is better); and the
    newest-first order, which the index itself gives without ranking every match."""
    if on_postgres():
        query = tsquery(words)
        found = (
            permissions.visible_tickets(agent)
            .join(PG_INDEX, PG_INDEX.c.ticket_id == Ticket.id)
            .where(PG_INDEX.c.document.op("@@")(query))
        )
        order, newest = func.ts_rank(PG_INDEX.c.document, query).desc(), PG_INDEX.c.ticket_id.desc()
    else:
        match = FTS.op("MATCH")(bindparam(None, fts5_query(words)))
        found = permissions.visible_tickets(agent).join(SQLITE_INDEX, SQLITE_INDEX.c.rowid == Ticket.id).where(match)
        order, newest = func.bm25(FTS, 10.0, 4.0, 1.0).asc(), SQLITE_INDEX.c.rowid.desc()
    return found.where(*_narrowed_by(filters)), order, newest


def search(
    agent: Agent, query: str, filters: SearchFilters | None = None, *, page: int = 1, per_page: int = 20
) -> Results:
    """One page of the tickets matching every word of `query`, with marked subjects and passages.

    The index hands matches over newest first and stops after COUNT_CAP + 1 of them: that is the count
    ("1,000+" past the cap). Up to the cap every match is ranked, best first. Past it, ranking would
    cost time in proportion to every match (bm25 weighs each word by how many tickets hold it), so
    the newest COUNT_CAP are the ones shown: those with the words in their subject first, then the
    rest, newest first. Only the page's tickets are loaded and marked."""
    words = terms(query)
    if not words or not permissions.can_search_tickets(agent):
        return Results([], 1, per_page, 0, False)
    found, order, newest = _matching(agent, words, filters or SearchFilters())
    latest = list(db.session.scalars(found.with_only_columns(Ticket.id).order_by(newest).limit(COUNT_CAP + 1)))
    results = Results([], 1, per_page, len(latest), len(latest) > COUNT_CAP)
    page = min(max(1, page), results.pages)
    start = (page - 1) * per_page
    if results.more:
        latest = latest[:COUNT_CAP]
        subject_hits = in_subject(latest, words)
        ids = sorted(latest, key=lambda ticket_id: ticket_id not in subject_hits)[start : start + per_page]
    else:
        ranked = found.with_only_columns(Ticket.id).order_by(order, Ticket.id.desc())
        ids = list(db.session.scalars(ranked.limit(per_page).offset(start))) if latest else []
    marks = highlights(ids, words) if ids else {}
    hits = []
    for ticket in tickets_in_order(ids):
        subject, snippet = marks.get(ticket.id, (None, None))
        hits.append(Hit(ticket, marked(subject) if subject else escape(ticket.subject), marked(snippet)))
    return Results(hits, page, per_page, results.total, results.more)
