"""Full-text search: one document per ticket (subject, customer, message bodies) in `ticket_search`,
an FTS5 table on SQLite and a table with a generated tsvector and a GIN index on PostgreSQL, built
for the tickets that already exist.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Each ticket's messages in order, joined by a blank line; its customer as name, address and domain
# (shared/search/index.py writes the same).
SQLITE_BUILD = """
INSERT INTO ticket_search (rowid, subject, customer, body)
SELECT t.id, t.subject,
       coalesce(trim(c.name || ' ' || c.email || ' ' || substr(c.email, instr(c.email, '@') + 1)), ''),
       coalesce((SELECT group_concat(body, char(10) || char(10))
                 FROM (SELECT e.body FROM entries e
                       WHERE e.ticket_id = t.id AND e.kind = 'message' AND e.body != '' ORDER BY e.id)), '')
FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
"""

POSTGRES_BUILD = """
INSERT INTO ticket_search (ticket_id, subject, customer, body)
SELECT t.id, t.subject,
       coalesce(trim(c.name || ' ' || c.email || ' ' || split_part(c.email, '@', 2)), ''),
       coalesce((SELECT string_agg(e.body, E'\\n\\n' ORDER BY e.id) FROM entries e
                 WHERE e.ticket_id = t.id AND e.kind = 'message' AND e.body != ''), '')
FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
"""


def _search_configuration(bind) -> None:
    """`deskbell_search`: PostgreSQL's "simple" configuration (lower case, no stemming, any language),
    plus unaccent where the extension can be created (it ships with PostgreSQL), so that cafe finds
    café as on SQLite. Without it, accents stay as typed."""
    op.execute("CREATE TEXT SEARCH CONFIGURATION deskbell_search (COPY = simple)")
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    except sa.exc.DBAPIError:
        return
    op.execute("ALTER TEXT SEARCH CONFIGURATION deskbell_search ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _search_configuration(op.get_bind())
        # PostgreSQL's parser skips anything shaped like an HTML tag ("<b>", "Ann <ann@example.com>"):
        # a space after each "<" keeps those words findable (shared/search/index.py undoes it in passages).
        op.execute(
            """
            CREATE TABLE ticket_search (
                ticket_id integer NOT NULL,
                subject text NOT NULL DEFAULT '',
                customer text NOT NULL DEFAULT '',
                body text NOT NULL DEFAULT '',
                document tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('deskbell_search'::regconfig, replace(subject, '<', '< ')), 'A')
                    || setweight(to_tsvector('deskbell_search'::regconfig, customer), 'B')
                    || setweight(to_tsvector('deskbell_search'::regconfig, replace(body, '<', '< ')), 'C')
                ) STORED,
                CONSTRAINT pk_ticket_search PRIMARY KEY (ticket_id),
                CONSTRAINT fk_ticket_search_ticket_id_tickets FOREIGN KEY (ticket_id) REFERENCES tickets (id)
            )
            """
        )
        op.execute(POSTGRES_BUILD)
        op.execute("CREATE INDEX ix_ticket_search_document ON ticket_search USING gin (document)")
    else:
        # unicode61 folds case in every script (Cyrillic too) and, with 2, drops accents: cafe finds café.
        op.execute(
            "CREATE VIRTUAL TABLE ticket_search USING fts5("
            "subject, customer, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(SQLITE_BUILD)


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
