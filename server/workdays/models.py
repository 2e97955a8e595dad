"""Days entered by admins: a year the shipped package does not know yet, or a correction to one it does."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow


class WorkdayOverride(db.Model):
    __tablename__ = "workday_overrides"
    # One row per day: the admin's word for that day wins over the package.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool]
    name: Mapped[Optional[str]] = mapped_column(String(40))
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
