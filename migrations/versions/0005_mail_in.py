"""Incoming mail: every received message, stored raw before it is processed; and ticket participants.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ticket_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_ticket_participants_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_participants_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_participants")),
        sa.UniqueConstraint("ticket_id", "customer_id", name=op.f("uq_ticket_participants_ticket_id")),
    )
    with op.batch_alter_table("ticket_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_participants_customer_id"), ["customer_id"], unique=False)

    # The raw bytes live on disk under `sha256`; this row is committed before the message is processed.
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=500), nullable=False),
        sa.Column("message_id", sa.String(length=500), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("from_addr", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_inbound_messages_entry_id_entries")),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["agents.id"], name=op.f("fk_inbound_messages_resolved_by_id_agents")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_inbound_messages_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_inbound_messages_dedupe_key")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_messages_from_addr_received_at", ["from_addr", "received_at"], unique=False)
        batch_op.create_index("ix_inbound_messages_state_id", ["state", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_messages_ticket_id"), ["ticket_id"], unique=False)


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
