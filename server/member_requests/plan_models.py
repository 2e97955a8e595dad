"""The quarterly service plan (items adopted by staff and the requests each answers) and the record of
weekly digests sent to liaisons (one row per liaison and ISO week: the unique key makes the digest once)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary
from .models import RequestCategory


class PlanItemStatus(Vocabulary):
    planned = "planned", "已列入计划"
    in_progress = "in_progress", "推进中"
    done = "done", "已完成"


class ServicePlanItem(db.Model):
    __tablename__ = "service_plan_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6))  # "2026Q4"
    category: Mapped[str] = mapped_column(String(20))
    # Null: the item answers the category across all grids.
    grid_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grids.id"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[Optional[str]] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=PlanItemStatus.planned)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        RequestCategory.check("category"),
        PlanItemStatus.check("status"),
        Index("ix_service_plan_items_quarter", "quarter", "id"),
    )


class ServicePlanRequest(db.Model):
    """A request the plan item answers (its member is told when the item is adopted)."""

    __tablename__ = "service_plan_requests"
    item_id: Mapped[int] = mapped_column(ForeignKey("service_plan_items.id", ondelete="CASCADE"), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_service_plan_requests_request_id", "request_id"),)


class RequestDigest(db.Model):
    """The weekly digest sent to a liaison for an ISO week ("2026-W49"); inserted with the notice."""

    __tablename__ = "request_digests"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    notice_id: Mapped[Optional[int]]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
