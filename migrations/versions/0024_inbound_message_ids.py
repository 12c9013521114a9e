"""Different messages may share a Message-ID: the inbound log's Message-IDs get an index.

A message is now recorded once by its Message-ID, sender and content together (shared/mail/dedupe.py),
so a second, different message reusing a Message-ID is stored too. Threading asks how many received
messages carry an ID before trusting it, hence the index. Existing rows keep their keys (the
Message-ID, or "sha256:" and the digest of their bytes): intake still recognises their redelivery.
Nothing is changed or dropped.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 15:50:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f("ix_inbound_messages_message_id"), "inbound_messages", ["message_id"], unique=False)


def downgrade():
    # Going back, two different messages with one Message-ID stay as they are (their keys differ).
    op.drop_index(op.f("ix_inbound_messages_message_id"), table_name="inbound_messages")
