"""Hard bounces: an address whose mail came back with a 5.x.x DSN gets no more mail until an agent
clears it; the outbox holds its messages meanwhile (state "held", the reason in `last_error`).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07 13:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_bounces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("diagnostic", sa.Text(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["inbound_id"], ["inbound_messages.id"], name=op.f("fk_mail_bounces_inbound_id_inbound_messages")),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_mail_bounces_outbox_id_outbox")),
        sa.ForeignKeyConstraint(["cleared_by_id"], ["agents.id"], name=op.f("fk_mail_bounces_cleared_by_id_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_bounces")),
    )
    op.create_index("ix_mail_bounces_address_cleared_at", "mail_bounces", ["address", "cleared_at"], unique=False)


def downgrade():
    op.drop_index("ix_mail_bounces_address_cleared_at", table_name="mail_bounces")
    op.drop_table("mail_bounces")
