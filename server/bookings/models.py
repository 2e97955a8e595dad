from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DDL, CheckConstraint, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.audiences import AudienceKind
from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class CalendarKind(Vocabulary):
    health_check = "health_check", "体检"
    reception_day = "reception_day", "书记接待日"
    legal_clinic = "legal_clinic", "法律门诊"


class SlotStatus(Vocabulary):
    open = "open", "可预约"
    cancelled = "cancelled", "已取消"


class BookingStatus(Vocabulary):
    booked = "booked", "已预约"
    cancelled = "cancelled", "已取消"


class Calendar(db.Model):
    """A bookable service: the health check, the secretary's reception day, the legal clinic."""

    __tablename__ = "calendars"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200))
    host: Mapped[Optional[str]] = mapped_column(String(100))
    cancel_cutoff_hours: Mapped[int] = mapped_column(default=24)
    max_active_per_member: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CalendarKind.check("kind"),
        CheckConstraint("cancel_cutoff_hours >= 0", name="cutoff_not_negative"),
        CheckConstraint("max_active_per_member >= 1", name="limit_positive"),
    )


class CalendarAudience(db.Model):
    """Who may book: within a kind any entry matches; every kind listed must match (as for events)."""

    __tablename__ = "calendar_audiences"
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True)
    __table_args__ = (AudienceKind.check("kind"),)


class Slot(db.Model):
    __tablename__ = "slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column()
    # Kept in step with active bookings by conditional UPDATEs (see booking.book_slot).
    booked: Mapped[int] = mapped_column(default=0)
    # Overrides the calendar's place for this slot (a moved session).
    location: Mapped[Optional[str]] = mapped_column(String(200))
    # Hidden from members until then; null means at once.
    publish_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=SlotStatus.open)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    calendar: Mapped[Calendar] = relationship()

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="not_overbooked"),
        SlotStatus.check("status"),
        Index("ix_slots_calendar_starts", "calendar_id", "starts_at"),
    )


class Booking(db.Model):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(12), default=BookingStatus.booked)
    # Reception day only: what the member wants to raise. Shown to the member and staff, never to others.
    topic: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))

    slot: Mapped[Slot] = relationship()

    __table_args__ = (
        BookingStatus.check("status"),
        # One active booking per member and slot; cancelled ones stay as history.
        Index("uq_bookings_active_slot_member", "slot_id", "member_id", unique=True,
              sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
        Index("ix_bookings_member_status", "member_id", "status"),
        Index("ix_bookings_slot_status", "slot_id", "status"),
    )


# PostgreSQL: the write half of a booking as one call, so it needs no transaction of its own (one round
# trip instead of BEGIN, lock, statement, COMMIT). Inside a plpgsql function every statement takes a new
# snapshot, so the member's bookings are counted *after* the member's row lock is granted: whatever a
# racing request of the same member committed is seen. Then, only when the member is under the limit and
# holds no booking of this slot, the seat is taken by the conditional UPDATE and the booking inserted.
# NULL booked/booking_id means no seat was taken; active and mine say why. No row at all: the member is
# no longer active (read under the lock, so a deactivation that committed meanwhile is seen). Created
# with the tables (below) and by the migrations; changing it needs a migration that replaces it.
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

event.listen(Booking.__table__, "after_create", DDL(TAKE_BOOKING_SQL).execute_if(dialect="postgresql"))
