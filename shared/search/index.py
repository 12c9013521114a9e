"""The search index: one document per ticket, kept in step by the ticket verbs.

One document per ticket lives in `ticket_search`: on PostgreSQL a table with a generated `tsvector` and
a GIN index (migration 0011); on SQLite an FTS5 index keyed by the ticket's id that stores no second
copy of the text (0015): it reads documents through the view `ticket_search_documents`, which joins the
subject, the messages in `entries` and `ticket_search_customers` (each customer's text as indexed).
FTS5 takes a document out of its index by tokenizing the text it is given, so that must be the old
text: the view shows only what never changes or what this module changes itself once the old document
is out. The ticket verbs keep the index in step inside their own transaction, so a change rolled back
is never findable. It holds internal notes: only agents may query it (`permissions.can_search_tickets`).
"""

from sqlalchemy import Connection, bindparam, column, literal_column, select, table, text

from shared.core.extensions import db
from shared.models import Customer, Entry, EntryKind, Ticket

TABLE = "ticket_search"
DOCUMENTS = f"{TABLE}_documents"  # SQLite: the view FTS5 reads the documents through
CUSTOMERS = f"{TABLE}_customers"  # SQLite: each customer's text as the index holds it
# FTS5 keeps its index in shadow tables named after the virtual one; none of them is a model.
_PARTS = ("data", "idx", "content", "docsize", "config", "documents", "customers")
TABLES = frozenset({TABLE, *(f"{TABLE}_{part}" for part in _PARTS)})
SEPARATOR = "\n\n"  # between the messages of one document

SQLITE_INDEX = table(TABLE, column("rowid"))
DOCUMENT_VIEW = table(DOCUMENTS, column("ticket_id"), column("subject"), column("body"))
FTS = literal_column(TABLE)  # FTS5's MATCH and its ranking functions take the table itself
PG_INDEX = table(TABLE, column("ticket_id"), column("subject"), column("body"), column("document"))
# PostgreSQL's "simple" configuration with unaccent where available (migration 0011).
PG_CONFIG = literal_column("'deskbell_search'::regconfig")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic's comparisons: the search tables are built by hand in migration 0011, not from
    the models, so autogenerate neither drops nor reports them."""
    return not (type_ == "table" and name in TABLES)


def on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


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
    key, where = ("ticket_id", TABLE) if on_postgres() else ("id", f"{TABLE}_docsize")
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
    if not on_postgres():
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
    elif entry.body and on_postgres():
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
    if on_postgres():
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


# Each ticket's document as `index_ticket` writes it: the customer's non-empty parts, the messages
# in order; concat_ws skips the NULLs that nullif makes of empty parts, as customer_text() does.
_PG_REBUILD = f"""
INSERT INTO {TABLE} (ticket_id, subject, customer, body)
SELECT t.id, t.subject,
       coalesce(concat_ws(' ', nullif(c.name, ''), c.email, nullif(split_part(c.email, '@', 2), '')), ''),
       coalesce((SELECT string_agg(e.body, :sep ORDER BY e.id) FROM entries e
                 WHERE e.ticket_id = t.id AND e.kind = :kind AND e.body != ''), '')
FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
"""


def rebuild_postgres(connection: Connection) -> int:
    """Write every ticket's document afresh on PostgreSQL, in the caller's transaction: for a desk whose
    rows were copied in rather than written by the verbs (`db move-to`). Returns the documents written."""
    connection.execute(text(f"DELETE FROM {TABLE}"))
    written = connection.execute(text(_PG_REBUILD), {"sep": SEPARATOR, "kind": EntryKind.MESSAGE.value})
    return written.rowcount
