"""Indexes that let a queue's page, and a customer's list in the portal, be read in the order shown
without sorting every ticket they hold.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 20:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_tickets_customer_public": ["customer_id", "last_public_at", "status_id"],
    "ix_tickets_status_created": ["status_id", "created_at"],
    "ix_tickets_status_number": ["status_id", "number"],
    "ix_tickets_status_priority_updated": ["status_id", "priority", "updated_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "tickets", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="tickets")
