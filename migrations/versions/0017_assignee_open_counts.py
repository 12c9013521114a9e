"""An index for counting each agent's open tickets (automatic assignment's caps and least-open).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 20:15:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    # Without it, counting a department's members' open tickets read every ticket they ever had,
    # closed ones included, inside the write transaction of each ticket filed (0.6 s at 100k).
    op.create_index("ix_tickets_assignee_status", "tickets", ["assignee_id", "status_id"])


def downgrade():
    op.drop_index("ix_tickets_assignee_status", table_name="tickets")
