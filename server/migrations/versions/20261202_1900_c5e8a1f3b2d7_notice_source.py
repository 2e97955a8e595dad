"""notices.source, event_id, calendar_id: automatic notices apart from staff-written ones

Revision ID: c5e8a1f3b2d7
Revises: a7c3e9d2f418
Create Date: 2026-12-02 19:00:00

"""
import re

from alembic import op
import sqlalchemy as sa

revision = "c5e8a1f3b2d7"
down_revision = "a7c3e9d2f418"
branch_labels = None
depends_on = None

SOURCES = ("staff", "reminder", "waitlist", "event_change", "booking_change")
# Notices the system wrote before this column existed, known by their title (created_by is NULL).
PREFIXES = {"活动提醒：": "reminder", "预约提醒：": "reminder", "候补成功：": "waitlist", "活动取消：": "event_change",
            "预约已取消：": "booking_change", "预约变更：": "booking_change", "预约取消：": "booking_change"}


def upgrade():
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), server_default="staff", nullable=False))
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("calendar_id", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_notices_source_valid"), "source IN ('" + "', '".join(SOURCES) + "')")
        batch_op.create_index("ix_notices_source", ["source", "id"], unique=False)
        batch_op.create_index("ix_notices_event", ["event_id"], unique=False,
                              postgresql_where=sa.text("event_id IS NOT NULL"),
                              sqlite_where=sa.text("event_id IS NOT NULL"))
        batch_op.create_index("ix_notices_calendar", ["calendar_id"], unique=False,
                              postgresql_where=sa.text("calendar_id IS NOT NULL"),
                              sqlite_where=sa.text("calendar_id IS NOT NULL"))

    # Earlier automatic notices: their source from the title, the event from the mini-program page.
    notices = sa.table("notices", sa.column("id", sa.Integer), sa.column("title", sa.String),
                       sa.column("page", sa.String), sa.column("created_by", sa.Integer),
                       sa.column("source", sa.String), sa.column("event_id", sa.Integer))
    conn = op.get_bind()
    rows = conn.execute(sa.select(notices.c.id, notices.c.title, notices.c.page)
                        .where(notices.c.created_by.is_(None))).all()
    for id_, title, page in rows:
        source = next((s for p, s in PREFIXES.items() if title.startswith(p)), None)
        if source is None:
            continue
        m = re.fullmatch(r"pages/events/detail\?id=(\d+)", page or "")
        conn.execute(sa.update(notices).where(notices.c.id == id_)
                     .values(source=source, event_id=int(m.group(1)) if m else None))


def downgrade():
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_calendar")
        batch_op.drop_index("ix_notices_event")
        batch_op.drop_index("ix_notices_source")
        batch_op.drop_constraint(batch_op.f("ck_notices_source_valid"), type_="check")
        batch_op.drop_column("calendar_id")
        batch_op.drop_column("event_id")
        batch_op.drop_column("source")
