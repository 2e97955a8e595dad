"""Check-outs, adjustments and leaderboard opt-outs. Minutes are whole integers everywhere; hours and points
are computed when read, never stored."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow

# A bound on one adjustment (either way): 1,000 hours is more than anyone gives in a year.
ADJUSTMENT_MAX_MINUTES = 60_000


class VolunteerCheckout(db.Model):
    """One per member and volunteer event, like the check-in it closes: retries, two phones and racing
    requests all end in the first one (the primary key)."""

    __tablename__ = "volunteer_checkouts"
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), unique=True)
    checked_out_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # check-out − check-in, capped at the event's length, whole minutes; fixed when written.
    minutes: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("minutes >= 0", name="minutes_not_negative"),)


class VolunteerAdjustment(db.Model):
    """A staff correction (±minutes) with its reason; kept, never edited (a wrong one is undone by another)."""

    __tablename__ = "volunteer_adjustments"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    minutes: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    # When it counts (the event's start, or the moment it was made): years and periods select on it.
    counts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(f"minutes <> 0 AND minutes BETWEEN -{ADJUSTMENT_MAX_MINUTES} AND {ADJUSTMENT_MAX_MINUTES}",
                        name="minutes_in_range"),
        Index("ix_volunteer_adjustments_member_counts_at", "member_id", "counts_at"),
    )


class VolunteerOptOut(db.Model):
    """A member who asked to be left off the leaderboard: the row's presence is the setting."""

    __tablename__ = "volunteer_opt_outs"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
