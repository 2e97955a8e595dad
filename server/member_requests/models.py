"""Requests, their timeline, the grids a liaison serves and the log of staff reads of confidential ones.

Status moves only by conditional UPDATEs (``WHERE status IN (...)``), so of two people acting at once one
wins and the other gets ``409 invalid_transition``. Clocks are fixed at creation (the working-day function
for ordinary requests, calendar hours for urgent ones) and stored, so the escalation pass is a set operation
over indexed columns, with no calendar arithmetic per request.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class RequestCategory(Vocabulary):
    rights = "rights", "权益维护"
    hardship = "hardship", "困难帮扶"
    welfare = "welfare", "福利保障"
    training = "training", "培训发展"
    canteen = "canteen", "食堂后勤"
    workplace = "workplace", "工作环境"
    other = "other", "其他"


class RequestStatus(Vocabulary):
    submitted = "submitted", "待受理"
    accepted = "accepted", "处理中"
    resolved = "resolved", "已解决待确认"
    closed = "closed", "已办结"
    reopened = "reopened", "已重新打开"


class TimelineAction(Vocabulary):
    created = "created", "提交诉求"
    accepted = "accepted", "受理"
    message = "message", "留言"
    note = "note", "内部备注"
    assigned = "assigned", "指派"
    resolved = "resolved", "办结答复"
    confirmed = "confirmed", "确认办结"
    reopened = "reopened", "重新打开"
    warned = "warned", "到期提醒"
    escalated = "escalated", "超时升级"


# Statuses in which the request still waits for the union (the resolution clock runs).
OPEN_STATUSES = (RequestStatus.submitted, RequestStatus.accepted, RequestStatus.reopened)


class Request(db.Model):
    __tablename__ = "requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # The liaison who raised it on the member's behalf, if one did.
    raised_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(default=False)
    confidential: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.submitted)
    # The member's grid when the request was raised: the liaisons of that grid handle it even if the
    # member moves later.
    grid_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grids.id"))
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    first_response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    satisfaction: Mapped[Optional[int]] = mapped_column(SmallInteger)
    # Escalation: 1 when the first response is overdue (the grid's liaisons and staff told), 2 a day later
    # (the chair told). ``escalated_at`` is when level 1 was reached; ``warned_at`` when the handler was
    # warned before the due time. Each step is taken by an UPDATE that only matches rows not yet stepped.
    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    escalated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    warned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    member = relationship("Member", foreign_keys=[member_id])
    assignee = relationship("Member", foreign_keys=[assignee_id])
    grid = relationship("Grid")

    __table_args__ = (
        RequestCategory.check("category"),
        RequestStatus.check("status"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
        CheckConstraint("escalation_level BETWEEN 0 AND 2", name="escalation_level_range"),
        # The queue and the escalation pass: open requests of a grid by due time.
        Index("ix_requests_grid_status_due", "grid_id", "status", "first_response_due_at"),
        Index("ix_requests_status_due", "status", "first_response_due_at"),
    )


class RequestEvent(db.Model):
    """One step of a request's timeline, timestamped and attributed (``actor_id`` null: the system)."""

    __tablename__ = "request_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(String(20))
    body: Mapped[Optional[str]] = mapped_column(Text)
    # Internal notes are for handlers only; the member's view never loads them.
    internal: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        TimelineAction.check("action"),
        Index("ix_request_events_request_id_at", "request_id", "at"),
    )


class LiaisonGrid(db.Model):
    """A grid a liaison serves besides the grid of their own roster row (added by an admin)."""

    __tablename__ = "liaison_grids"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True)
    added_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_liaison_grids_grid_id", "grid_id"),)


class ConfidentialRead(db.Model):
    """Every read of a confidential (or hardship) request by staff: who, which, when, through which route."""

    __tablename__ = "request_confidential_reads"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    route: Mapped[str] = mapped_column(String(100))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
