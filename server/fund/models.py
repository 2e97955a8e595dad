"""The union fund. A month is published when its row is in ``fund_months``; from then on its entries are sealed
by the month's hash, which also covers the previous published month's hash (a chain)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class FundKind(Vocabulary):
    income = "income", "收入"
    expense = "expense", "支出"


class FundEntryStatus(Vocabulary):
    pending = "pending", "待审批"
    approved = "approved", "已入账"
    rejected = "rejected", "已驳回"


class FundMonth(db.Model):
    __tablename__ = "fund_months"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM; the key makes publication once
    income_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    expense_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    entries_count: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64))  # null for the first month published
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))


class FundCategory(db.Model):
    """The chart of categories (工会会计制度's income and expense accounts). The code is what entries and the
    API name; a used category is deactivated, never deleted (the foreign key refuses it)."""

    __tablename__ = "fund_categories"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    __table_args__ = (FundKind.check("kind"),)


class FundEntry(db.Model):
    __tablename__ = "fund_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(ForeignKey("fund_categories.code"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    counterparty: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    # A reversal names the entry it takes back (in part or whole); it counts negatively in totals.
    reverses: Mapped[Optional[int]] = mapped_column(ForeignKey("fund_entries.id"), index=True)
    # How much of this entry its reversals take back (pending ones included): kept by one conditional
    # UPDATE per reversal, so two at once never take back more than the amount. Not sealed by the hash.
    reversed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(10), default=FundEntryStatus.approved)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    updated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reject_reason: Mapped[Optional[str]] = mapped_column(String(500))
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("reversed_fen >= 0 AND reversed_fen <= amount_fen", name="reversed_within_amount"),
        FundKind.check("kind"),
        FundEntryStatus.check("status"),
        Index("ix_fund_entries_status", "status", "date"),
    )


class FundBudget(db.Model):
    """One category's budget for a year; the pair is the key."""

    __tablename__ = "fund_budgets"
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    category: Mapped[str] = mapped_column(ForeignKey("fund_categories.code"), primary_key=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount_not_negative"),)
