"""Improvement items and their timeline.

Status moves only by conditional UPDATEs (``WHERE status IN (...)``): of two people acting at once one wins
and the other gets ``409 invalid_transition``. The clock (``due_at``, ``warn_at``) is stored when the item is
created, so the scheduler's pass is a set operation over indexed columns.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class ImprovementSource(Vocabulary):
    audit = "audit", "审计发现"
    report = "report", "效能报告"
    manual = "manual", "手动登记"


class ImprovementStatus(Vocabulary):
    open = "open", "整改中"
    done = "done", "已完成"
    cancelled = "cancelled", "已取消"


class ImprovementAction(Vocabulary):
    created = "created", "登记"
    note = "note", "进展"
    completed = "completed", "完成整改"
    cancelled = "cancelled", "取消"
    reopened = "reopened", "重新打开"
    warned = "warned", "到期提醒"
    overdue = "overdue", "逾期升级"
    escalated = "escalated", "逾期报告管理员"


class Improvement(db.Model):
    __tablename__ = "improvements"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default=ImprovementSource.manual)
    # An audit finding: the audit and its checklist item.
    audit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("audits.id"), index=True)
    audit_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("audit_items.id"))
    # From the effectiveness report (issue 18): the figure's key and the value to reach.
    figure: Mapped[Optional[str]] = mapped_column(String(60))
    target: Mapped[Optional[float]] = mapped_column(Float)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    # The end of due_date in Asia/Shanghai, and the start of the third working day before it (the warning).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default=ImprovementStatus.open)
    result: Mapped[Optional[str]] = mapped_column(Text)
    cancel_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    # Clock steps, each taken once by an UPDATE matching only rows not yet stepped.
    warned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    escalation: Mapped[int] = mapped_column(SmallInteger, default=0)  # 1: overdue told; 2: admins told

    __table_args__ = (
        ImprovementSource.check("source"),
        ImprovementStatus.check("status"),
        CheckConstraint("source <> 'audit' OR audit_item_id IS NOT NULL", name="audit_finding_linked"),
        CheckConstraint("status <> 'done' OR result IS NOT NULL", name="done_has_result"),
        CheckConstraint("status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancelled_has_reason"),
        CheckConstraint("escalation BETWEEN 0 AND 2", name="escalation_range"),
        Index("ix_improvements_status_due", "status", "due_at"),
    )


class ImprovementEvent(db.Model):
    """One step of an item's timeline: a note, a transition, or the clock (no actor)."""

    __tablename__ = "improvement_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvements.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(String(12))
    body: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (
        ImprovementAction.check("action"),
        Index("ix_improvement_events_improvement_id_at", "improvement_id", "at"),
    )
