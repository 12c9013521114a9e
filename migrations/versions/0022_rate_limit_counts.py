"""Abuse limits counted in the database: one row per key and fixed window, shared by every worker.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 13:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limit_counts",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_limit_counts")),
    )
    op.create_index(op.f("ix_rate_limit_counts_expires_at"), "rate_limit_counts", ["expires_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_rate_limit_counts_expires_at"), table_name="rate_limit_counts")
    op.drop_table("rate_limit_counts")
