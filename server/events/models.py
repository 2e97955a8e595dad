from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.audiences import AudienceKind
from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class EventKind(Vocabulary):
    activity = "activity", "文体活动"
    training = "training", "培训"
    health_check = "health_check", "体检"
    lecture = "lecture", "讲座"
    volunteer = "volunteer", "志愿服务"
    meeting = "meeting", "会议"
    other = "other", "其他"


class EventStatus(Vocabulary):
    published = "published", "已发布"
    cancelled = "cancelled", "已取消"


class RegistrationStatus(Vocabulary):
    confirmed = "confirmed", "已报名"
    waitlisted = "waitlisted", "候补"
    cancelled = "cancelled", "已取消"


class CheckinMethod(Vocabulary):
    code = "code", "签到码"
    ticket = "ticket", "电子票"


class Event(db.Model):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    capacity: Mapped[Optional[int]] = mapped_column()
    waitlist: Mapped[bool] = mapped_column(default=True)
    walk_in: Mapped[bool] = mapped_column(default=False)
    checkin_opens_minutes_before: Mapped[int] = mapped_column(default=60)
    checkin_closes_minutes_after: Mapped[int] = mapped_column(default=120)
    # Minutes before the start at which confirmed registrants are reminded.
    reminder_minutes: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1440, 120])
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.published)
    # Counters kept in step with registrations under the event's row lock (see signup.register).
    confirmed_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    # Arrival order on the waiting list: the last sequence number handed out.
    waitlist_seq: Mapped[int] = mapped_column(default=0)
    # Ed25519 private key (raw 32 bytes) signing this event's member tickets.
    ticket_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("capacity IS NULL OR confirmed_count <= capacity", name="not_overbooked"),
        CheckConstraint("confirmed_count >= 0 AND waitlist_count >= 0", name="counts_not_negative"),
        EventStatus.check("status"),
        EventKind.check("kind"),
    )


class EventAudience(db.Model):
    """Who may sign up: within a kind any entry matches; every kind listed must match."""

    __tablename__ = "event_audiences"
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True)
    __table_args__ = (AudienceKind.check("kind"),)


class Registration(db.Model):
    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    waitlist_seq: Mapped[Optional[int]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("event_id", "member_id"),
        RegistrationStatus.check("status"),
        CheckConstraint("(status = 'waitlisted') = (waitlist_seq IS NOT NULL)", name="seq_iff_waitlisted"),
        Index("ix_registrations_event_status_seq", "event_id", "status", "waitlist_seq"),
    )


class Checkin(db.Model):
    """One per member and event, whatever the number of scans, devices or retries."""

    __tablename__ = "checkins"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    registration_id: Mapped[Optional[int]] = mapped_column(ForeignKey("registrations.id"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(10))
    is_walk_in: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("event_id", "member_id"),
        CheckinMethod.check("method"),
    )
