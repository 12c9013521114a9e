"""Outgoing mail: a lease on outbox rows for concurrent workers, and every Message-ID sent or received.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    # A worker claims a row until this time; a crashed worker's claim expires and another takes it.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("with_attachments", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "mail_message_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=500), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_mail_message_ids_entry_id_entries")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_mail_message_ids_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message_ids")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mail_message_ids_message_id")),
    )
    with op.batch_alter_table("mail_message_ids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_message_ids_ticket_id"), ["ticket_id"], unique=False)


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
