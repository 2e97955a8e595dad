from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class ReminderStatus(Vocabulary):
    pending = "pending", "待发送"
    sent = "sent", "已发送"        # fanned out into a notice (or nobody was left to remind)
    missed = "missed", "已错过"    # fell due while nothing ran and was no longer useful


class ReminderKind(Vocabulary):
    """What a reminder is about: an event's registrants or a slot's bookings."""

    event = "event", "活动"
    booking = "booking", "预约"


class Reminder(db.Model):
    """One reminder time of one thing (not one per member): it fans out in SQL when it fires."""

    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column()
    offset_minutes: Mapped[int] = mapped_column()
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default=ReminderStatus.pending)
    fired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    notice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    recipients: Mapped[Optional[int]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # The same reminder for the same start time exists once, whoever schedules it how often.
        UniqueConstraint("kind", "target_id", "offset_minutes", "due_at"),
        ReminderStatus.check("status"),
        ReminderKind.check("kind"),
        Index("ix_reminders_due", "status", "due_at"),
        Index("ix_reminders_target", "kind", "target_id"),
    )


class SchedulerLease(db.Model):
    """Who runs the one scheduler: a second process started by mistake waits until the lease lapses."""

    __tablename__ = "scheduler_leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
