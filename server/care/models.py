"""A hardship aid case and what hangs off it. The case row carries the member-visible stage; the details
(assessment, documents, decision comments, grant descriptions, visit notes, the summary and the outcome) sit in
columns and tables the retention purge empties, leaving a stub (category, stage, dates, grant kinds and
amounts) with ``purged_at`` set.

Invariants in the database: one open case per member and category (``open_category`` is the category while the
case is open and NULL once it is closed, rejected or withdrawn, under a unique key with the member); one
decision per step and round; one row per handler."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class CareStage(Vocabulary):
    opened = "opened", "待受理"
    assessing = "assessing", "核实评估中"
    awaiting_chair = "awaiting_chair", "待主席审批"
    approved = "approved", "已批准"
    aided = "aided", "已帮扶"
    following_up = "following_up", "跟踪回访中"
    closed = "closed", "已结案"
    rejected = "rejected", "未获批准"
    withdrawn = "withdrawn", "已撤回"


TERMINAL = (CareStage.closed, CareStage.rejected, CareStage.withdrawn)
OPEN_STAGES = tuple(s for s in CareStage if s not in TERMINAL)


class CareCategory(Vocabulary):
    illness = "illness", "重病医疗"
    accident = "accident", "意外伤害"
    family = "family", "家庭变故"
    income = "income", "收入困难"
    disaster = "disaster", "自然灾害"
    other = "other", "其他困难"


class CareOpener(Vocabulary):
    member = "member", "本人申请"
    liaison = "liaison", "联络员代为申请"
    staff = "staff", "工会干事登记"


class CareDecisionStep(Vocabulary):
    handler = "handler", "经办人审核"
    chair = "chair", "主席审批"


class CareDecisionKind(Vocabulary):
    approve = "approve", "同意"
    reject = "reject", "不同意"
    # "return" is a Python keyword: the member is named return_ and its value is "return".
    return_ = "return", "退回补充"


class CareGrantKind(Vocabulary):
    money = "money", "救助金"
    goods = "goods", "实物"
    service = "service", "服务"


class CareCase(db.Model):
    __tablename__ = "care_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    category: Mapped[str] = mapped_column(String(10))
    # The category while the case is open, NULL once closed: unique with the member (NULLs never clash).
    open_category: Mapped[Optional[str]] = mapped_column(String(10))
    summary: Mapped[Optional[str]] = mapped_column(Text)  # purged
    stage: Mapped[str] = mapped_column(String(20), default=CareStage.opened, index=True)
    # Each "return" by the chair starts a new round: one decision per step and round.
    round: Mapped[int] = mapped_column(default=1)
    # How many handlers: "take it for myself if nobody has" is one conditional UPDATE of this counter.
    handler_count: Mapped[int] = mapped_column(default=0)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    opened_by_role: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("requests.id"))
    next_visit_due: Mapped[Optional[date]] = mapped_column(Date)
    # The due date a reminder was sent for: a new due date gets its own reminder, the same one never twice.
    visit_reminded_for: Mapped[Optional[date]] = mapped_column(Date)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)  # also rejected, withdrawn
    outcome: Mapped[Optional[str]] = mapped_column(Text)  # purged
    purged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        CareStage.check("stage"),
        CareCategory.check("category"),
        CareOpener.check("opened_by_role"),
        UniqueConstraint("member_id", "open_category", name="uq_care_cases_one_open"),
        CheckConstraint("(open_category IS NULL) = (closed_at IS NOT NULL)", name="open_until_closed"),
        CheckConstraint("open_category IS NULL OR open_category = category", name="open_category_is_category"),
        CheckConstraint("handler_count >= 0", name="handler_count_not_negative"),
        CheckConstraint("round >= 1", name="round_positive"),
        Index("ix_care_cases_due", "next_visit_due"),
    )


class CareHandler(db.Model):
    __tablename__ = "care_handlers"
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)
    added_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CareStageEvent(db.Model):
    """The member's timeline: each stage the case reached, with when. Kept by the purge."""

    __tablename__ = "care_stage_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (CareStage.check("stage"),)


class CareAssessment(db.Model):
    """The household situation, one per case (the handler rewrites it). Deleted by the purge."""

    __tablename__ = "care_assessments"
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id", ondelete="CASCADE"), primary_key=True)
    household_size: Mapped[Optional[int]] = mapped_column()
    monthly_income_fen: Mapped[Optional[int]] = mapped_column(BigInteger)
    dependants: Mapped[Optional[int]] = mapped_column()
    situation: Mapped[str] = mapped_column(Text)
    need: Mapped[str] = mapped_column(Text)
    assessed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint("household_size IS NULL OR household_size >= 1", name="household_size_positive"),
        CheckConstraint("monthly_income_fen IS NULL OR monthly_income_fen >= 0", name="income_not_negative"),
        CheckConstraint("dependants IS NULL OR dependants >= 0", name="dependants_not_negative"),
    )


class CareDocument(db.Model):
    """A document (image or PDF) of a case: the bytes are an upload attached to the case. Deleted by the purge,
    its upload row in the same transaction and the file after the commit."""

    __tablename__ = "care_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CareDecision(db.Model):
    __tablename__ = "care_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(10))
    round: Mapped[int] = mapped_column()
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[Optional[str]] = mapped_column(Text)  # purged
    decided_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("case_id", "step", "round", name="uq_care_decisions_once"),
        CareDecisionStep.check("step"),
        CareDecisionKind.check("decision"),
    )


class CareGrant(db.Model):
    """Aid given. A money grant names the fund ledger's expense entry that pays it. The kind and amount stay
    after the purge (the accounts need them); the description goes."""

    __tablename__ = "care_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[Optional[int]] = mapped_column(BigInteger)
    description: Mapped[Optional[str]] = mapped_column(Text)  # purged
    fund_entry_id: Mapped[Optional[int]] = mapped_column(ForeignKey("fund_entries.id"), unique=True)
    granted_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (
        CareGrantKind.check("kind"),
        CheckConstraint("amount_fen IS NULL OR amount_fen > 0", name="amount_positive"),
        CheckConstraint("kind <> 'money' OR (amount_fen IS NOT NULL AND fund_entry_id IS NOT NULL)",
                        name="money_in_ledger"),
    )


class CareVisit(db.Model):
    __tablename__ = "care_visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id", ondelete="CASCADE"), index=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    visitors: Mapped[Optional[str]] = mapped_column(String(200))  # purged
    notes: Mapped[Optional[str]] = mapped_column(Text)  # purged
    next_visit_due: Mapped[Optional[date]] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
