"""Time tracking: minutes spent per ticket by an agent, optionally tied to the reply.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "time_spent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("minutes BETWEEN 1 AND 1440", name=op.f("ck_time_spent_minutes_range")),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_time_spent_agent_id_agents")),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_time_spent_entry_id_entries")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_time_spent_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_spent")),
    )
    with op.batch_alter_table("time_spent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_spent_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_spent_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_spent_ticket_id"), ["ticket_id"], unique=False)


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
