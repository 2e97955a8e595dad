from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

CALENDAR_KINDS = ("health_check", "reception_day", "legal_clinic")


class SlotStatus(StrEnum):
    open = "open"
    cancelled = "cancelled"


class BookingStatus(StrEnum):
    booked = "booked"
    cancelled = "cancelled"


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
        CheckConstraint("kind IN ('health_check', 'reception_day', 'legal_clinic')", name="kind_valid"),
        CheckConstraint("cancel_cutoff_hours >= 0", name="cutoff_not_negative"),
        CheckConstraint("max_active_per_member >= 1", name="limit_positive"),
    )


class CalendarAudience(db.Model):
    """Who may book: within a kind any entry matches; every kind listed must match (as for events)."""

    __tablename__ = "calendar_audiences"
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True)
    __table_args__ = (CheckConstraint("kind IN ('department', 'grid', 'tag')", name="kind_valid"),)


class Slot(db.Model):
    __tablename__ = "slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column()
    # Kept in step with active bookings by conditional UPDATEs (see services.book_slot).
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
        CheckConstraint("status IN ('open', 'cancelled')", name="status_valid"),
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
        CheckConstraint("status IN ('booked', 'cancelled')", name="status_valid"),
        # One active booking per member and slot; cancelled ones stay as history.
        Index("uq_bookings_active_slot_member", "slot_id", "member_id", unique=True,
              sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
        Index("ix_bookings_member_status", "member_id", "status"),
        Index("ix_bookings_slot_status", "slot_id", "status"),
    )
