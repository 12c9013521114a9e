"""Participants an agent removed stay on record: `removed_at` says when, and such a person is no longer
on the ticket (their mail is held, the desk's replies no longer reach them, a later CC does not bring
them back); the row stays so a merge's privacy rules still know whose words came across it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 15:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ticket_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("ticket_participants", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
