"""A purchase compared across suppliers' quotes with named worker representatives taking part. Amounts are fen
(integers). The decision is a conditional UPDATE of ``status`` (open → decided), so a purchase is decided once;
its month (Asia/Shanghai) is the fund month it is published with."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class ProcurementStatus(Vocabulary):
    open = "open", "比价中"
    decided = "decided", "已定标"


class Procurement(db.Model):
    __tablename__ = "procurements"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))  # a code of the fund's chart of categories
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # the estimate
    status: Mapped[str] = mapped_column(String(10), default=ProcurementStatus.open, index=True)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set together by the decision. The chosen quote is checked to be this purchase's by the service (a
    # foreign key back to the quotes would make the two tables depend on each other).
    chosen_quote_id: Mapped[Optional[int]] = mapped_column()
    reason: Mapped[Optional[str]] = mapped_column(Text)
    decided_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    month: Mapped[Optional[str]] = mapped_column(String(7), index=True)  # YYYY-MM of decided_at, Shanghai

    __table_args__ = (
        ProcurementStatus.check("status"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("(status = 'open') = (decided_at IS NULL)", name="decided_fields"),
    )


class ProcurementQuote(db.Model):
    __tablename__ = "procurement_quotes"
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurements.id", ondelete="CASCADE"), index=True)
    supplier: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)


class ProcurementRepresentative(db.Model):
    """A named worker representative; ``confirmed_at`` is set once, by a conditional UPDATE, when they confirm
    in the mini-program that they took part."""

    __tablename__ = "procurement_representatives"
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurements.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
