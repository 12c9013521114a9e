"""Server-side login sessions, and self sign-ups that wait for their address to be proved.

`sessions` holds one row per login (the cookie carries a token whose sha256 is the row's id), so
logging out, a new password or a deactivation ends a session for good. `signup_requests` holds a
sign-up until its owner opens the mailed link; no customer exists before that.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 13:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.CheckConstraint("(customer_id IS NULL) <> (agent_id IS NULL)", name=op.f("ck_sessions_one_account")),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_sessions_agent_id_agents")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_sessions_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_agent_id"), "sessions", ["agent_id"], unique=False)
    op.create_index(op.f("ix_sessions_customer_id"), "sessions", ["customer_id"], unique=False)
    op.create_table(
        "signup_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signup_requests_token_hash")),
    )
    op.create_index(op.f("ix_signup_requests_email"), "signup_requests", ["email"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_signup_requests_email"), table_name="signup_requests")
    op.drop_table("signup_requests")
    op.drop_index(op.f("ix_sessions_customer_id"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_agent_id"), table_name="sessions")
    op.drop_table("sessions")
