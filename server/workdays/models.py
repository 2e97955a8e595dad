"""Days entered by admins: a year the shipped package does not know yet, or a correction to one it does."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class WorkdaySource(Vocabulary):
    """Where a day's answer comes from, in the order the calendar asks."""
    admin = "admin", "管理员录入"
    package = "package", "国务院安排"
    fallback = "fallback", "未录入（按周一至周五）"


class WorkdayOverride(db.Model):
    __tablename__ = "workday_overrides"
    # One row per day: the admin's word for that day wins over the package.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool]
    name: Mapped[Optional[str]] = mapped_column(String(40))
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WorkdayWarning(db.Model):
    """One row per ISO week (Asia/Shanghai) in which admins were told a year's schedule is missing: the
    key that makes the weekly notice go out once, whichever scheduler run or process gets there first."""
    __tablename__ = "workday_warnings"
    week: Mapped[str] = mapped_column(String(8), primary_key=True)  # "2026-W49"
    years: Mapped[str] = mapped_column(String(40))  # the unknown years named, "2027"
    notice_id: Mapped[Optional[int]]  # None when there was no active admin to tell
    warned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
