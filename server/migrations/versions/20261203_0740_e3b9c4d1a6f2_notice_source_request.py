"""notices.source: "request" (a member's request accepted, answered or resolved; a new one for its handlers)

Revision ID: e3b9c4d1a6f2
Revises: e6b2c8d4f1a9
Create Date: 2026-12-03 07:40:00

"""
from alembic import op

revision = "e3b9c4d1a6f2"
down_revision = "e6b2c8d4f1a9"
branch_labels = None
depends_on = None

BEFORE = ("staff", "reminder", "waitlist", "event_change", "booking_change", "system")
AFTER = BEFORE + ("request",)


def _check(sources):
    return "source IN ('" + "', '".join(sources) + "')"


def upgrade():
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_source_valid"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notices_source_valid"), _check(AFTER))


def downgrade():
    op.execute("UPDATE notices SET source = 'staff' WHERE source = 'request'")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_source_valid"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notices_source_valid"), _check(BEFORE))
