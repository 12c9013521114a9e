"""Search without a second copy of every message on SQLite: `ticket_search` becomes an FTS5 table with
external content. Its content is the view `ticket_search_documents`, which assembles each ticket's
document from what is stored anyway (the subject, the messages' bodies in `entries`) and from
`ticket_search_customers`, the customer text as it was indexed (one short row per customer, kept by
shared/search/index.py, so a renamed customer's old words can be taken out of the index). The index is
rebuilt from the entries; nothing is dropped but the copy. PostgreSQL keeps its table: ts_headline
reads the text beside the tsvector.

The space the old copy held is free pages afterwards: `VACUUM` gives it back to the file system.

Revision ID: 0015
Revises: 0014 (the lead re-chains it after 0014)
Create Date: 2026-12-01 20:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The customer's name, address and the address's domain, as shared.search.customer_text() writes them.
CUSTOMERS = """
INSERT INTO ticket_search_customers (customer_id, text)
SELECT id, trim(coalesce(name, '') || ' ' || email || ' '
               || CASE WHEN instr(email, '@') > 0 THEN substr(email, instr(email, '@') + 1) ELSE '' END)
FROM customers
"""

# Each ticket's messages in order, joined by a blank line, as migration 0011 and shared/search/index.py write.
DOCUMENTS = """
CREATE VIEW ticket_search_documents AS
SELECT t.id AS ticket_id, t.subject AS subject, coalesce(c.text, '') AS customer,
       coalesce((SELECT group_concat(body, char(10) || char(10))
                 FROM (SELECT e.body FROM entries e
                       WHERE e.ticket_id = t.id AND e.kind = 'message' AND e.body != '' ORDER BY e.id)), '') AS body
FROM tickets t LEFT JOIN ticket_search_customers c ON c.customer_id = t.customer_id
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute("CREATE TABLE ticket_search_customers (customer_id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    op.execute(CUSTOMERS)
    op.execute(DOCUMENTS)
    op.execute("DROP TABLE ticket_search")
    op.execute(
        "CREATE VIRTUAL TABLE ticket_search USING fts5(subject, customer, body, content = 'ticket_search_documents', "
        "content_rowid = 'ticket_id', tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute("INSERT INTO ticket_search (ticket_search) VALUES ('rebuild')")  # every ticket, as 0011 did


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
