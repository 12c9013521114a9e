"""The ticket's "last public" columns mean its last public message, read again from the history.

Until now an agent's status change and a merge moved them too (with no message behind them), so the
queue's "updated · by" and *Needs reply* could name a writer who had written nothing. From now on
only a public message moves them (a reply, or the desk's own note to the customer, such as a
reminder; never a merge's note). This sets them, for the tickets that exist, from the last such
entry of each ticket's history, gives a merged duplicate back the first words of its last real
message, and recounts the queue counters, which are keyed on the last public writer.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 13:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# The entries that count: public messages, and the desk's public notes except a merge's (the note
# written on a duplicate when it was merged, after its `merged_into` event).
COUNTS = (
    "x.visibility = 'public' AND (x.kind = 'message' OR (x.kind = 'event' AND x.event = 'note' AND NOT EXISTS ("
    "SELECT 1 FROM entries m WHERE m.ticket_id = x.ticket_id AND m.event = 'merged_into' AND m.id < x.id)))"
)
PREVIEW_MAX = 200


def upgrade():
    op.execute(
        "UPDATE tickets SET last_public_at = e.created_at, last_public_by = e.author_kind,"
        " last_public_customer_id = e.customer_id, last_public_agent_id = e.agent_id"
        f" FROM (SELECT x.ticket_id, MAX(x.id) AS id FROM entries x WHERE {COUNTS} GROUP BY x.ticket_id) AS last,"
        " entries e"
        " WHERE e.id = last.id AND tickets.id = last.ticket_id"
        " AND (tickets.last_public_at <> e.created_at OR tickets.last_public_by <> e.author_kind"
        " OR COALESCE(tickets.last_public_customer_id, 0) <> COALESCE(e.customer_id, 0)"
        " OR COALESCE(tickets.last_public_agent_id, 0) <> COALESCE(e.agent_id, 0))"
    )
    # A merge's note was the duplicate's preview: its last real message's first words instead.
    connection = op.get_bind()
    merged = connection.execute(
        sa.text(
            "SELECT t.id, (SELECT x.body FROM entries x WHERE x.ticket_id = t.id AND x.visibility = 'public'"
            " AND x.kind = 'message' AND x.body <> '' ORDER BY x.id DESC LIMIT 1)"
            " FROM tickets t WHERE t.merged_into_id IS NOT NULL"
        )
    ).all()
    for ticket_id, body in merged:
        if body:
            connection.execute(
                sa.text("UPDATE tickets SET last_public_preview = :preview WHERE id = :id"),
                {"preview": " ".join(body.split())[:PREVIEW_MAX], "id": ticket_id},
            )
    op.execute("DELETE FROM queue_counters")
    op.execute(
        "INSERT INTO queue_counters (status_id, assignee_key, last_public_by, n)"
        " SELECT status_id, COALESCE(assignee_id, 0), last_public_by, COUNT(*) FROM tickets"
        " GROUP BY status_id, COALESCE(assignee_id, 0), last_public_by"
    )


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
