"""The archive: each report the scheduler (or `flask report --store`) generated, as sent to the committee."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class ReportOrigin(Vocabulary):
    scheduler = "scheduler", "期末自动生成"
    command = "command", "命令生成"  # `flask report --store`, by an operator (e.g. after a restore)


class ArchivedReport(db.Model):
    """One row per period: the unique key is what makes a second scheduler's run, or a restart, a no-op."""

    __tablename__ = "effectiveness_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(6), unique=True)  # 2026Q4 or 2026
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    origin: Mapped[str] = mapped_column(String(10), default=ReportOrigin.scheduler)
    data: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    notice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("notices.id"))

    __table_args__ = (ReportOrigin.check("origin"),)
