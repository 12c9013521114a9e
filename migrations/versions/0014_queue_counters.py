"""Queue counters: the tickets counted per (status, assignee, last public writer), filled from the tickets.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 20:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "queue_counters",
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("assignee_key", sa.Integer(), nullable=False),
        sa.Column("last_public_by", sa.String(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["status_id"], ["statuses.id"], name=op.f("fk_queue_counters_status_id_statuses")),
        sa.PrimaryKeyConstraint("status_id", "assignee_key", "last_public_by", name=op.f("pk_queue_counters")),
    )
    # The tickets that exist, counted once (0 stands for unassigned, as the app writes it).
    op.execute(
        "INSERT INTO queue_counters (status_id, assignee_key, last_public_by, n)"
        " SELECT status_id, COALESCE(assignee_id, 0), last_public_by, COUNT(*) FROM tickets"
        " GROUP BY status_id, COALESCE(assignee_id, 0), last_public_by"
    )


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
