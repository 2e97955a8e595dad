"""The union fund. A month is published when its row is in ``fund_months``; from then on its entries are sealed
by the month's hash, which also covers the previous published month's hash (a chain)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow


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
