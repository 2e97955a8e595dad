"""take_booking() refuses a member who is no longer active (read under the member's row lock)

Revision ID: 9c3e5a7d2b41
Revises: 9c4e2b7d1a63
Create Date: 2026-12-02 14:30:00

"""
from alembic import op

# The function's text as of this revision (a later change gets a migration of its own).
TAKE_BOOKING_SQL = """
CREATE OR REPLACE FUNCTION take_booking(p_member integer, p_slot integer, p_calendar integer, p_max integer,
                                        p_topic text, p_now timestamptz)
RETURNS TABLE (active bigint, mine integer, booked integer, booking_id integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1 FROM members WHERE id = p_member AND is_active FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH held AS (
        SELECT count(b.id) AS active, max(CASE WHEN b.slot_id = p_slot THEN b.id END) AS mine
        FROM bookings b JOIN slots s ON s.id = b.slot_id
        WHERE b.member_id = p_member AND b.status = 'booked' AND s.calendar_id = p_calendar AND s.starts_at > p_now
    ), took AS (
        UPDATE slots SET booked = slots.booked + 1
        WHERE slots.id = p_slot AND slots.status = 'open' AND slots.booked < slots.capacity
          AND (SELECT held.mine FROM held) IS NULL AND (SELECT held.active FROM held) < p_max
        RETURNING slots.booked
    ), ins AS (
        INSERT INTO bookings (slot_id, member_id, status, topic, created_at)
        SELECT p_slot, p_member, 'booked', p_topic, p_now FROM took
        RETURNING bookings.id
    )
    SELECT held.active, held.mine, (SELECT took.booked FROM took), (SELECT ins.id FROM ins) FROM held;
END
$$
"""

# The text of revision 5b0c7e1f9a2d, restored on downgrade.
PREVIOUS_SQL = """
CREATE OR REPLACE FUNCTION take_booking(p_member integer, p_slot integer, p_calendar integer, p_max integer,
                                        p_topic text, p_now timestamptz)
RETURNS TABLE (active bigint, mine integer, booked integer, booking_id integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1 FROM members WHERE id = p_member FOR NO KEY UPDATE;
    RETURN QUERY
    WITH held AS (
        SELECT count(b.id) AS active, max(CASE WHEN b.slot_id = p_slot THEN b.id END) AS mine
        FROM bookings b JOIN slots s ON s.id = b.slot_id
        WHERE b.member_id = p_member AND b.status = 'booked' AND s.calendar_id = p_calendar AND s.starts_at > p_now
    ), took AS (
        UPDATE slots SET booked = slots.booked + 1
        WHERE slots.id = p_slot AND slots.status = 'open' AND slots.booked < slots.capacity
          AND (SELECT held.mine FROM held) IS NULL AND (SELECT held.active FROM held) < p_max
        RETURNING slots.booked
    ), ins AS (
        INSERT INTO bookings (slot_id, member_id, status, topic, created_at)
        SELECT p_slot, p_member, 'booked', p_topic, p_now FROM took
        RETURNING bookings.id
    )
    SELECT held.active, held.mine, (SELECT took.booked FROM took), (SELECT ins.id FROM ins) FROM held;
END
$$
"""

revision = '9c3e5a7d2b41'
down_revision = "9c4e2b7d1a63"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TAKE_BOOKING_SQL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PREVIOUS_SQL)
