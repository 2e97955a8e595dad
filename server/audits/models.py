"""Audits and their checklist items. One audit per kind and period (the unique key); items come from the
kind's template (audits/checklist.py), keyed so a refresh updates the automatic figures in place."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class AuditKind(Vocabulary):
    fund_semiannual = "fund_semiannual", "经费半年审计"
    procedure_annual = "procedure_annual", "程序年度审计"


class AuditStatus(Vocabulary):
    open = "open", "进行中"
    closed = "closed", "已结束"


class AuditResult(Vocabulary):
    pass_ = "pass", "符合"
    fail = "fail", "不符合"
    na = "na", "不适用"


class Audit(db.Model):
    __tablename__ = "audits"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(6))  # "2026H2" (fund) or "2026" (procedure)
    status: Mapped[str] = mapped_column(String(10), default=AuditStatus.open)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    refreshed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (
        AuditKind.check("kind"),
        AuditStatus.check("status"),
        UniqueConstraint("kind", "period"),
    )


class AuditItem(db.Model):
    __tablename__ = "audit_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(SmallInteger)
    label: Mapped[str] = mapped_column(String(200))
    automatic: Mapped[bool] = mapped_column(default=False)
    # Automatic items: the figure as shown, the raw values, how it was computed, and what it suggests.
    figure: Mapped[Optional[str]] = mapped_column(String(200))
    value: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    computation: Mapped[Optional[str]] = mapped_column(Text)
    suggested: Mapped[Optional[str]] = mapped_column(String(4))
    computed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Staff's answer.
    result: Mapped[Optional[str]] = mapped_column(String(4))
    note: Mapped[Optional[str]] = mapped_column(Text)
    marked_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    marked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("audit_id", "key"),
        AuditResult.check("result"),
        AuditResult.check("suggested", only=[AuditResult.pass_, AuditResult.fail]),
    )
