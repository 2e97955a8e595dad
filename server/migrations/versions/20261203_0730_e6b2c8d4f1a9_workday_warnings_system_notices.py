"""workdays: the weekly warning's record (workday_warnings) and notices from the system (source 'system')

Revision ID: e6b2c8d4f1a9
Revises: 02404b3e9350
Create Date: 2026-12-03 07:30:00

One row per ISO week in which admins were told a year's working days are missing: its primary key is what
makes the weekly notice go out once. The notice itself is written with source 'system'.
"""
from alembic import op
import sqlalchemy as sa


revision = 'e6b2c8d4f1a9'
down_revision = '02404b3e9350'
branch_labels = None
depends_on = None

OLD_SOURCES = ("staff", "reminder", "waitlist", "event_change", "booking_change")
NEW_SOURCES = OLD_SOURCES + ("system",)


def _sources(values):
    return "source IN ('" + "', '".join(values) + "')"


def upgrade():
    op.create_table('workday_warnings',
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('years', sa.String(length=40), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('week', name=op.f('pk_workday_warnings'))
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_source_valid"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notices_source_valid"), _sources(NEW_SOURCES))


def downgrade():
    # The system's warnings become plain automatic reminders, which the older CHECK admits.
    notices = sa.table("notices", sa.column("source", sa.String))
    op.execute(notices.update().where(notices.c.source == "system").values(source="reminder"))
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_source_valid"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notices_source_valid"), _sources(OLD_SOURCES))
    op.drop_table('workday_warnings')
