"""Saved views: an agent's named queue addresses (queue, filters, order) for the sidebar.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("name_key", sa.String(length=120), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_saved_views_agent_id_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("agent_id", "name_key", name=op.f("uq_saved_views_agent_id")),
    )


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
