"""Ticket presence: which agents have a ticket open and who is typing a reply.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    # Heartbeats from the console's ticket page: one row per ticket and agent, overwritten every
    # few seconds. Not history; old rows are simply ignored.
    op.create_table(
        "ticket_presence",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("typing_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_ticket_presence_agent_id_agents")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_presence_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("ticket_id", "agent_id", name=op.f("pk_ticket_presence")),
    )


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
