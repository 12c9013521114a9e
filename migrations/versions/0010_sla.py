"""SLA: business calendars with holidays, per-priority targets, each department's calendar, and the
clock's due times on tickets.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:00:00

"""

import datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The defaults of design issue 6: first response / resolution per priority.
TARGETS = [
    ("urgent", 1, "hours", 4, "hours"),
    ("high", 4, "hours", 1, "days"),
    ("normal", 1, "days", 3, "days"),
    ("low", 2, "days", 5, "days"),
]


def upgrade():
    op.create_table(
        "business_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("work_days", sa.JSON(), nullable=False),
        sa.Column("day_start", sa.Time(), nullable=False),
        sa.Column("day_end", sa.Time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendars")),
        sa.UniqueConstraint("name", name=op.f("uq_business_calendars_name")),
    )
    op.create_table(
        "calendar_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["business_calendars.id"], name=op.f("fk_calendar_holidays_calendar_id_business_calendars")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_holidays")),
        sa.UniqueConstraint("calendar_id", "day", name=op.f("uq_calendar_holidays_calendar_id")),
    )
    op.create_table(
        "sla_targets",
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("first_response", sa.Integer(), nullable=False),
        sa.Column("first_response_unit", sa.String(length=5), nullable=False),
        sa.Column("resolution", sa.Integer(), nullable=False),
        sa.Column("resolution_unit", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("priority", name=op.f("pk_sla_targets")),
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_departments_calendar_id_business_calendars"), "business_calendars", ["calendar_id"], ["id"]
        )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in (
            "first_response_due_at",
            "resolution_due_at",
            "sla_due_at",
            "first_response_at",
            "first_response_breached_at",
            "resolution_breached_at",
        ):
            batch_op.add_column(sa.Column(name, sa.DateTime(), nullable=True))
        batch_op.create_index("ix_tickets_sla_due_at", ["sla_due_at"], unique=False)
        batch_op.create_index("ix_tickets_first_response_due_at", ["first_response_due_at"], unique=False)
        batch_op.create_index("ix_tickets_resolution_due_at", ["resolution_due_at"], unique=False)
    _seed_defaults()


def _seed_defaults():
    calendars = sa.table(
        "business_calendars",
        sa.column("name", sa.String),
        sa.column("timezone", sa.String),
        sa.column("work_days", sa.JSON),
        sa.column("day_start", sa.Time),
        sa.column("day_end", sa.Time),
    )
    op.bulk_insert(
        calendars,
        [
            {
                "name": "Standard hours",
                "timezone": "UTC",
                "work_days": [0, 1, 2, 3, 4],
                "day_start": datetime.time(9),
                "day_end": datetime.time(17),
            }
        ],
    )
    targets = sa.table(
        "sla_targets",
        sa.column("priority", sa.String),
        sa.column("first_response", sa.Integer),
        sa.column("first_response_unit", sa.String),
        sa.column("resolution", sa.Integer),
        sa.column("resolution_unit", sa.String),
    )
    op.bulk_insert(
        targets,
        [
            {"priority": p, "first_response": f, "first_response_unit": fu, "resolution": r, "resolution_unit": ru}
            for p, f, fu, r, ru in TARGETS
        ],
    )
    # Every existing department counts in the standard hours; tickets get due times at their next change.
    op.execute(
        sa.text("UPDATE departments SET calendar_id = (SELECT id FROM business_calendars WHERE name = 'Standard hours')")
    )


def downgrade():
    raise RuntimeError("Deskbell migrations are not reversed: going back would drop data.")
