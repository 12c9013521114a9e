"""Automatic assignment: department members, strategies, the round-robin pointer, away and caps.

Every active agent joins every department, and every department stays manual, so nothing changes
for an existing desk until an admin picks a strategy.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "department_agents",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_department_agents_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_department_agents_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("department_id", "agent_id", name=op.f("pk_department_agents")),
    )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_away", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("open_ticket_cap", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_assigned_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("assignment_strategy", sa.String(length=20), nullable=False, server_default="manual")
        )
        batch_op.add_column(sa.Column("last_assigned_agent_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_departments_last_assigned_agent_id_agents"), "agents", ["last_assigned_agent_id"], ["id"]
        )
    op.execute(
        "INSERT INTO department_agents (department_id, agent_id) "
        "SELECT departments.id, agents.id FROM departments CROSS JOIN agents WHERE agents.is_active"
    )


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
