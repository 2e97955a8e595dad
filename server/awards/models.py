"""An award procedure: staff write the criteria and nominate; the decision names winners among the nominees
(at most the quota) and opens the notice period, which ends within AWARD_NOTICE_WORKING_DAYS working days;
members object during it, named (``award_objections``) or through the anonymous box (category ``award``,
nothing linking the member); after it staff finalize, removing any winner after an upheld objection with the
reason. Each step is a conditional UPDATE of ``status``, so it happens once."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class AwardStatus(Vocabulary):
    draft = "draft", "提名中"
    notice = "notice", "公示中"
    final = "final", "已公布"


class Award(db.Model):
    __tablename__ = "awards"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column()
    criteria: Mapped[str] = mapped_column(Text)
    quota: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=AwardStatus.draft, index=True)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    objection_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    # Set by the scheduler when it told the decider that the period is over (once).
    close_told_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finalized_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    finalized_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        AwardStatus.check("status"),
        CheckConstraint("quota >= 1", name="quota_positive"),
        CheckConstraint("(status = 'draft') = (objection_closes_at IS NULL)", name="notice_period_set"),
    )


class AwardNominee(db.Model):
    __tablename__ = "award_nominees"
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    added_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    winner: Mapped[bool] = mapped_column(default=False)  # named by the decision
    # Set at the finalization for a winner taken off the list after an upheld objection.
    removed_reason: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("award_id", "member_id"),)


class AwardObjection(db.Model):
    """A named objection: the member is stored and staff read them. Anonymous ones go to the suggestion box."""

    __tablename__ = "award_objections"
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    nominee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("award_nominees.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
