"""Congress sessions, proposals, co-signers, the timeline and the department heads' links.

Status moves only by conditional UPDATEs (``WHERE status IN (...)``), as for requests: of two staff acting at
once one wins and the other gets ``409 invalid_transition``. The clocks are stored at submission and at
assignment, so the scheduler's pass is a set operation over indexed columns.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class ProposalStatus(Vocabulary):
    draft = "draft", "草稿"
    submitted = "submitted", "待审查"
    accepted = "accepted", "已立案"
    opinion = "opinion", "转为意见"
    rejected = "rejected", "不予立案"
    assigned = "assigned", "已交办"
    in_progress = "in_progress", "办理中"
    completed = "completed", "已办结"


class ProposalGrade(Vocabulary):
    A = "A", "优秀"
    B = "B", "良好"
    C = "C", "一般"


class ProposalAction(Vocabulary):
    created = "created", "起草提案"
    cosigned = "cosigned", "附议"
    cosign_withdrawn = "cosign_withdrawn", "撤回附议"
    submitted = "submitted", "提交提案"
    accepted = "accepted", "立案"
    opinion = "opinion", "转为意见"
    rejected = "rejected", "不予立案"
    assigned = "assigned", "交办"
    update = "update", "办理进展"
    answered = "answered", "部门答复"
    completed = "completed", "办结"
    rated = "rated", "满意度评价"
    head_link = "head_link", "发送部门链接"
    warned = "warned", "到期提醒"
    escalated = "escalated", "超时升级"


# Waiting for the union to assign (the 7-working-day clock runs) / for the lead department (due_date runs).
AWAITING_ASSIGNMENT = (ProposalStatus.submitted, ProposalStatus.accepted)
IN_HAND = (ProposalStatus.assigned, ProposalStatus.in_progress)
DRAFT = (ProposalStatus.draft,)


class CongressSession(db.Model):
    __tablename__ = "congress_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    min_cosigners: Mapped[int] = mapped_column(SmallInteger, default=2)
    # Within 7 working days of closes_at, and one working day before that (the warning), fixed at creation
    # by the working-day function so lists need no calendar lookups; proposals copy them at submission.
    assignment_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assignment_warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("min_cosigners BETWEEN 0 AND 100", name="min_cosigners_range"),)


class Proposal(db.Model):
    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_sessions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    problem: Mapped[str] = mapped_column(Text)
    solution: Mapped[str] = mapped_column(Text)
    # The department the proposal concerns, as the proposer names it (free text, like co_departments).
    department: Mapped[str] = mapped_column(String(100))
    # The proposer's wished date for an answer (optional).
    deadline: Mapped[Optional[date]] = mapped_column(Date)
    confidential: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.draft)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    review_reason: Mapped[Optional[str]] = mapped_column(Text)
    # The 7-working-day clock, fixed at submission from the session's closes_at (docs/proposals.md).
    assignment_due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    assignment_warn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    assigned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    lead_department: Mapped[Optional[str]] = mapped_column(String(100))
    co_departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    due_date: Mapped[Optional[date]] = mapped_column(Date)
    # The end of due_date in Asia/Shanghai: the lead department's answer clock.
    due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    report: Mapped[Optional[str]] = mapped_column(Text)
    grade: Mapped[Optional[str]] = mapped_column(String(1))
    satisfaction: Mapped[Optional[int]] = mapped_column(SmallInteger)
    # Clock steps, each taken once by an UPDATE matching only rows not yet stepped.
    assign_warned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    assign_escalation: Mapped[int] = mapped_column(SmallInteger, default=0)
    assign_escalated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    due_warned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    due_escalated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        ProposalStatus.check("status"),
        ProposalGrade.check("grade"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
        CheckConstraint("assign_escalation BETWEEN 0 AND 2", name="assign_escalation_range"),
        Index("ix_proposals_status_assignment_due", "status", "assignment_due_at"),
        Index("ix_proposals_status_due", "status", "due_at"),
    )


class ProposalCosigner(db.Model):
    """One co-signature; the primary key is the once-each rule."""

    __tablename__ = "proposal_cosigners"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProposalEvent(db.Model):
    """One step of the timeline: by a member (``actor_id``), by a department through its head's link
    (``department``, no member), or by the system (both null)."""

    __tablename__ = "proposal_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    department: Mapped[Optional[str]] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    body: Mapped[Optional[str]] = mapped_column(Text)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    video_url: Mapped[Optional[str]] = mapped_column(String(500))

    __table_args__ = (
        ProposalAction.check("action"),
        Index("ix_proposal_events_proposal_id_at", "proposal_id", "at"),
    )


class ProposalHeadLink(db.Model):
    """A department head's link to one proposal. The signed token carries ``id`` only; the row decides:
    revoked, expired, which proposal and department. ``nonce`` is the page form's CSRF value, renewed on
    every post."""

    __tablename__ = "proposal_head_links"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    department: Mapped[str] = mapped_column(String(100))
    nonce: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
