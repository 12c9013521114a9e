"""Look accounts up by address without a scan: an index on lower(email) for customers and agents.

Mail intake finds the sender (and everyone CC'd) by address for every message, and login finds
the account; both compare lower(email), which the unique index on email cannot answer.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 20:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("customers", "agents"):
        op.create_index(f"ix_{table}_email_lower", table, [sa.text("lower(email)")], unique=False)


def downgrade():
    for table in ("customers", "agents"):
        op.drop_index(f"ix_{table}_email_lower", table_name=table)
