"""Full-text search for agents: ticket subjects, every message body (internal notes included) and the
customer's name and address.

One document per ticket lives in `ticket_search`: on PostgreSQL a table with a generated `tsvector` and
a GIN index (migration 0011); on SQLite an FTS5 index keyed by the ticket's id that stores no second
copy of the text (0015): it reads documents through the view `ticket_search_documents`, which joins the
subject, the messages in `entries` and `ticket_search_customers` (each customer's text as indexed).
FTS5 takes a document out of its index by tokenizing the text it is given, so that must be the old
text: the view shows only what never changes or what this module changes itself once the old document
is out. The ticket verbs keep the index in step inside their own transaction, so a change rolled back
is never findable. It holds internal notes: only agents may query it (`permissions.can_search_tickets`).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, bindparam, column, func, literal_column, select, table, text

from shared import permissions
from shared.extensions import db
from shared.listing import NOBODY, tickets_in_order
from shared.models import Agent, Category, Customer, Entry, EntryKind, Status, Ticket
from shared.paging import Paged

TABLE = "ticket_search"
DOCUMENTS = f"{TABLE}_documents"  # SQLite: the view FTS5 reads the documents through
CUSTOMERS = f"{TABLE}_customers"  # SQLite: each customer's text as the index holds it
# FTS5 keeps its index in shadow tables named after the virtual one; none of them is a model.
_PARTS = ("data", "idx", "content", "docsize", "config", "documents", "customers")
TABLES = frozenset({TABLE, *(f"{TABLE}_{part}" for part in _PARTS)})
SEPARATOR = "\n\n"  # between the messages of one document
COUNT_CAP = 1000  # past this many matches a search says "1,000+" instead of counting them all
MAX_TERMS = 16
OPEN = "open"  # the status filter's value for every status that is not closed
# Where the database marks a match, in text that is escaped before the marks become <mark> tags.
START, STOP = "\ue000", "\ue001"

_NUMBER = re.compile(r"#?\s*(\d{1,9})")
_SQLITE = table(TABLE, column("rowid"))
_DOCUMENTS = table(DOCUMENTS, column("ticket_id"), column("subject"), column("body"))
_FTS = literal_column(TABLE)  # FTS5's MATCH and its ranking functions take the table itself
_PG = table(TABLE, column("ticket_id"), column("subject"), column("body"), column("document"))
# PostgreSQL's "simple" configuration with unaccent where available (migration 0011).
_CONFIG = literal_column("'deskbell_search'::regconfig")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic's comparisons: the search tables are built by hand in migration 0011, not from
    the models, so autogenerate neither drops nor reports them."""
    return not (type_ == "table" and name in TABLES)


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# --- Keeping the index in step (called by the verbs, in their transaction) ------------------


def customer_text(customer: Customer | None) -> str:
    """What a ticket's document says of its customer: the name, the address and its domain (so
    "example.com" finds everyone there on PostgreSQL too, whose parser keeps an address whole)."""
    if customer is None:
        return ""
    return " ".join(part for part in (customer.name, customer.email, customer.email.partition("@")[2]) if part)


# SQLite: a ticket's messages as its document joins them (as the view of migration 0015 does), leaving
# out one entry, the one just added.
_BODY_WITHOUT = (
    "coalesce((SELECT group_concat(body, char(10) || char(10)) FROM (SELECT e.body FROM entries e "
    "WHERE e.ticket_id = d.ticket_id AND e.kind = 'message' AND e.body != '' AND e.id != :left_out "
    "ORDER BY e.id)), '')"
)


def _indexed(ticket_ids: list[int]) -> list[int]:
    """Which of the tickets have a document in the index: on SQLite, FTS5 keeps a size per document
    (reading the table itself would read the view, which has every ticket)."""
    key, where = ("ticket_id", TABLE) if _postgres() else ("id", f"{TABLE}_docsize")
    query = text(f"SELECT {key} FROM {where} WHERE {key} IN :ids").bindparams(bindparam("ids", expanding=True))
    return list(db.session.scalars(query, {"ids": ticket_ids}))


def _write_documents(ticket_ids: list[int]) -> None:
    """SQLite: index the tickets' documents as the view assembles them now."""
    db.session.execute(
        text(
            f"INSERT INTO {TABLE} (rowid, subject, customer, body) "
            f"SELECT ticket_id, subject, customer, body FROM {DOCUMENTS} WHERE ticket_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ticket_ids},
    )


def index_ticket(ticket: Ticket) -> None:
    """Write the document of a ticket not indexed yet: subject, customer, and its messages' bodies."""
    db.session.flush()
    if not _postgres():
        if ticket.customer is not None:  # kept as it is: the customer's other tickets are indexed with it
            db.session.execute(
                text(f"INSERT OR IGNORE INTO {CUSTOMERS} (customer_id, text) VALUES (:id, :text)"),
                {"id": ticket.customer.id, "text": customer_text(ticket.customer)},
            )
        _write_documents([ticket.id])
        return
    bodies = db.session.scalars(
        select(Entry.body).where(Entry.ticket_id == ticket.id, Entry.kind == EntryKind.MESSAGE).order_by(Entry.id)
    )
    db.session.execute(
        text(
            f"INSERT INTO {TABLE} (ticket_id, subject, customer, body) VALUES (:id, :subject, :customer, :body) "
            "ON CONFLICT (ticket_id) DO UPDATE SET subject = excluded.subject, customer = excluded.customer, "
            "body = excluded.body"
        ),
        {
            "id": ticket.id,
            "subject": ticket.subject,
            "customer": customer_text(ticket.customer),
            "body": SEPARATOR.join(body for body in bodies if body),
        },
    )


def add_message(entry: Entry) -> None:
    """Add a message's body to its ticket's document; a ticket not indexed yet (just opened) gets
    its whole document written."""
    db.session.flush()
    if not _indexed([entry.ticket_id]):
        index_ticket(entry.ticket)
    elif entry.body and _postgres():
        db.session.execute(
            text(
                f"UPDATE {TABLE} SET body = CASE WHEN body = '' THEN :body ELSE body || :sep || :body END "
                "WHERE ticket_id = :id"
            ),
            {"id": entry.ticket_id, "body": entry.body, "sep": SEPARATOR},
        )
    elif entry.body:  # FTS5 has no update in place: out with the document as it was, in with the new one
        db.session.execute(
            text(
                f"INSERT INTO {TABLE} ({TABLE}, rowid, subject, customer, body) "
                f"SELECT 'delete', d.ticket_id, d.subject, d.customer, {_BODY_WITHOUT} FROM {DOCUMENTS} d "
                "WHERE d.ticket_id = :id"
            ),
            {"id": entry.ticket_id, "left_out": entry.id},
        )
        _write_documents([entry.ticket_id])


def customer_changed(customer: Customer) -> None:
    """A customer's new name in the documents of all their tickets."""
    db.session.flush()
    values = {"customer": customer_text(customer), "id": customer.id}
    if _postgres():
        db.session.execute(
            text(
                f"UPDATE {TABLE} SET customer = :customer "
                "WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id = :id)"
            ),
            values,
        )
        return
    indexed = _indexed(list(db.session.scalars(select(Ticket.id).where(Ticket.customer_id == customer.id))))
    if indexed:  # FTS5 reads the old text through the view to take it out: before the text changes
        db.session.execute(
            text(f"DELETE FROM {TABLE} WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"ids": indexed},
        )
    db.session.execute(text(f"INSERT OR REPLACE INTO {CUSTOMERS} (customer_id, text) VALUES (:id, :customer)"), values)
    if indexed:
        _write_documents(indexed)


# --- Reading what the agent typed -------------------------------------------------------


def ticket_number(query: str) -> int | None:
    """`#1042` or `1042` typed alone: the number of a ticket to go straight to."""
    found = _NUMBER.fullmatch((query or "").strip())
    return int(found.group(1)) if found else None


def terms(query: str) -> list[str]:
    """The words to look for, each taken literally: search syntax (quotes, AND, *, parentheses) is
    just text here. A token without a letter or digit finds nothing and is dropped."""
    printable = "".join(ch if ch.isprintable() else " " for ch in query or "")  # PostgreSQL refuses NUL
    return [token for token in printable.split() if any(ch.isalnum() for ch in token)][:MAX_TERMS]


def _prefix(word: str) -> bool:
    """The last word also finds longer ones ("invoi" finds "invoice") when it is a plain word of three
    letters or more: shorter beginnings match so many words that they only cost time."""
    return word.isalnum() and len(word) >= 3


def _fts5_query(words: list[str]) -> str:
    """Every word as an FTS5 phrase in quotes, so no character of it is syntax."""
    phrases = ['"' + word.replace('"', '""') + '"' for word in words]
    if _prefix(words[-1]):
        phrases[-1] += "*"
    return " ".join(phrases)


def _tsquery(words: list[str]) -> ColumnElement:
    """The words as a tsquery, each parsed as a phrase by PostgreSQL itself; the last as a prefix."""
    parts = [func.phraseto_tsquery(_CONFIG, bindparam(None, word)) for word in words[:-1]]
    last = words[-1]
    parts.append(
        func.to_tsquery(_CONFIG, bindparam(None, f"'{last}':*"))
        if _prefix(last)
        else func.phraseto_tsquery(_CONFIG, bindparam(None, last))
    )
    return reduce(lambda left, right: left.op("&&")(right), parts)


# --- Searching --------------------------------------------------------------------------


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
    if _postgres():
        query = _tsquery(words)
        found = (
            permissions.visible_tickets(agent)
            .join(_PG, _PG.c.ticket_id == Ticket.id)
            .where(_PG.c.document.op("@@")(query))
        )
        order, newest = func.ts_rank(_PG.c.document, query).desc(), _PG.c.ticket_id.desc()
    else:
        match = _FTS.op("MATCH")(bindparam(None, _fts5_query(words)))
        found = permissions.visible_tickets(agent).join(_SQLITE, _SQLITE.c.rowid == Ticket.id).where(match)
        order, newest = func.bm25(_FTS, 10.0, 4.0, 1.0).asc(), _SQLITE.c.rowid.desc()
    return found.where(*_narrowed_by(filters)), order, newest


def _in_subject(ids: list[int], words: list[str]) -> set[int]:
    """Which of `ids` hold every word in their subject, read from the subjects themselves by the same
    rules the marks follow: asking the index again would expand the last word's prefix a second time,
    in proportion to every ticket that holds it (13 ms of a search at 1M tickets)."""
    wanted = [[_fold(token) for token in _TOKEN.findall(word)] for word in words]
    prefix = _prefix(words[-1])
    subjects = db.session.execute(select(Ticket.id, Ticket.subject).where(Ticket.id.in_(ids)))
    return {ticket_id for ticket_id, subject in subjects if _holds(subject, wanted, prefix)}


def _holds(text_: str, wanted: list[list[str]], prefix: bool) -> bool:
    """Whether the text holds each word's tokens side by side, as FTS5 matches a phrase; with `prefix`,
    the very last token may begin a longer word."""
    folded = _fold(text_)
    if not all(token in folded for phrase in wanted for token in phrase):
        return False  # most texts: a word is not even a part of it
    tokens = _TOKEN.findall(folded)
    for n, phrase in enumerate(wanted):
        last = len(phrase) - 1
        loose = prefix and n == len(wanted) - 1
        if not any(
            all(
                tokens[at + i] == token or (loose and i == last and tokens[at + i].startswith(token))
                for i, token in enumerate(phrase)
            )
            for at in range(len(tokens) - last)
        ):
            return False
    return True


def _marked(passage: str | None) -> Markup:
    """Escape a passage, then turn the database's match marks into <mark> tags, always balanced."""
    out, inside = [], False
    for part in re.split(f"([{START}{STOP}])", " ".join((passage or "").split())):
        if part == START and not inside:
            out.append("<mark>")
            inside = True
        elif part == STOP and inside:
            out.append("</mark>")
            inside = False
        elif part not in (START, STOP):
            out.append(str(escape(part)))
    return Markup("".join(out) + ("</mark>" if inside else ""))


def _untagged(text_column: ColumnElement) -> ColumnElement:
    """As the document was indexed (0011): a space after each "<", or PostgreSQL's parser would skip
    whatever looks like an HTML tag."""
    return func.replace(text_column, "<", "< ")


def _highlights(ids: list[int], words: list[str]) -> dict[int, tuple[str, str]]:
    """The marked subject and the best passage of the messages, for one page of tickets only."""
    if _postgres():
        query = _tsquery(words)
        marks = f'StartSel="{START}", StopSel="{STOP}"'
        passage = f'MaxFragments=2, MaxWords=18, MinWords=8, FragmentDelimiter=" … ", {marks}'
        rows = select(
            _PG.c.ticket_id,
            func.ts_headline(_CONFIG, _untagged(_PG.c.subject), query, f"HighlightAll=true, {marks}"),
            func.ts_headline(_CONFIG, _untagged(_PG.c.body), query, passage),
        ).where(_PG.c.ticket_id.in_(ids))
        return {
            ticket_id: (subject.replace("< ", "<"), snippet.replace("< ", "<"))
            for ticket_id, subject, snippet in db.session.execute(rows)
        }
    # FTS5's highlight() and snippet() would expand a prefix query again for every ticket asked for by
    # id (seconds on a big desk), so the page's few documents are marked here, by FTS5's own rules.
    wanted = _wanted(words)
    rows = select(_DOCUMENTS.c.ticket_id, _DOCUMENTS.c.subject, _DOCUMENTS.c.body).where(
        _DOCUMENTS.c.ticket_id.in_(ids)
    )
    return {
        ticket_id: (_mark(subject, wanted), _mark(body, wanted, window=PASSAGE_WORDS))
        for ticket_id, subject, body in db.session.execute(rows)
    }


_TOKEN = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 tokenizer splits text
PASSAGE_WORDS = 24


def _fold(word: str) -> str:
    """Case and accents away, as the index compares words."""
    if word.isascii():  # nothing to decompose: the common case, kept quick
        return word.lower()
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(ch))


def _wanted(words: list[str]) -> list[tuple[str, bool]]:
    """Each token of the query, folded, and whether it may be the start of a longer word."""
    wanted = []
    for n, word in enumerate(words):
        tokens = _TOKEN.findall(word)
        for m, token in enumerate(tokens):
            wanted.append((_fold(token), n == len(words) - 1 and m == len(tokens) - 1 and _prefix(word)))
    return wanted


def _mark(text_: str, wanted: list[tuple[str, bool]], window: int | None = None) -> str:
    """The text with START/STOP around the words the query asked for; with `window`, only that many
    words around the place where most different ones meet, with "…" where the text goes on."""
    tokens, hits = [], {}  # hits: each different word of the text looked up once
    for found in _TOKEN.finditer(text_):
        word = found.group()
        if word not in hits:
            folded = _fold(word)
            hits[word] = next(
                (i for i, (w, prefix) in enumerate(wanted) if folded == w or (prefix and folded.startswith(w))), None
            )
        tokens.append((found.start(), found.end(), hits[word]))
    first, last = 0, len(tokens)
    if window is not None and len(tokens) > window:
        starts = [max(0, min(i - 3, len(tokens) - window)) for i, token in enumerate(tokens) if token[2] is not None]
        first = max(starts or [0], key=lambda s: (len({t[2] for t in tokens[s : s + window]} - {None}), -s))
        last = first + window
    out, at = [], tokens[first][0] if tokens and first else 0
    for start, end, hit in tokens[first:last]:
        if hit is not None:
            out += [text_[at:start], START, text_[start:end], STOP]
            at = end
    end = tokens[last - 1][1] if tokens and last < len(tokens) else len(text_)
    out.append(text_[at:end])
    return ("… " if first else "") + "".join(out) + (" …" if end < len(text_) else "")


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
        in_subject = _in_subject(latest, words)
        ids = sorted(latest, key=lambda ticket_id: ticket_id not in in_subject)[start : start + per_page]
    else:
        ranked = found.with_only_columns(Ticket.id).order_by(order, Ticket.id.desc())
        ids = list(db.session.scalars(ranked.limit(per_page).offset(start))) if latest else []
    marks = _highlights(ids, words) if ids else {}
    hits = []
    for ticket in tickets_in_order(ids):
        subject, snippet = marks.get(ticket.id, (None, None))
        hits.append(Hit(ticket, _marked(subject) if subject else escape(ticket.subject), _marked(snippet)))
    return Results(hits, page, per_page, results.total, results.more)
