"""Links and merges: related tickets, problems with their incidents, merged duplicates.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _add_ticket_reference(column: str) -> None:
    """A nullable column on tickets that refers to another ticket. SQLite adds it with its REFERENCES
    clause in place; batch mode would copy the tickets table and drop the old one, which every
    other table refers to (with foreign keys on, the drop fails on a database with tickets)."""
    name = f"fk_tickets_{column}_tickets"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE tickets ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES tickets (id)")
    else:
        op.add_column("tickets", sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, "tickets", "tickets", [column], ["id"])
    op.create_index(f"ix_tickets_{column}", "tickets", [column], unique=False)


def upgrade():
    op.add_column("tickets", sa.Column("is_problem", sa.Boolean(), nullable=False, server_default=sa.false()))
    _add_ticket_reference("problem_id")
    _add_ticket_reference("merged_into_id")

    op.create_table(
        "ticket_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_ticket_links_agent_id_agents")),
        sa.ForeignKeyConstraint(["other_id"], ["tickets.id"], name=op.f("fk_ticket_links_other_id_tickets")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_links_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_links")),
        sa.UniqueConstraint("ticket_id", "other_id", name=op.f("uq_ticket_links_ticket_id")),
    )
    op.create_index(op.f("ix_ticket_links_other_id"), "ticket_links", ["other_id"], unique=False)


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
