"""Ratings of closed tickets, and when each customer last read each ticket.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # The current rating of a closed ticket; every rating and change is also a history event.
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_ratings_score_range")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_ratings_customer_id_customers")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ratings_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_ratings_ticket_id")),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ratings_customer_id"), ["customer_id"], unique=False)

    # Per-reader state for the portal's "New reply" marker: one row per customer and ticket,
    # overwritten on every visit. Existing tickets start without a row (never opened).
    op.create_table(
        "ticket_reads",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_ticket_reads_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_reads_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("customer_id", "ticket_id", name=op.f("pk_ticket_reads")),
    )


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
