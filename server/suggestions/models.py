"""The anonymous suggestion box. No table here has a member column, and nothing here joins to one.

Times that the submitter causes are kept to the day (Asia/Shanghai), and ids are random. What the
submitter writes is first held sealed in ``suggestion_held_writes`` and filed later by the scheduler in
shuffled batches, so neither the rows, their keys nor their physical order (SQLite rowid, PostgreSQL
xmin/ctid) say when, in what order or by whom something was written.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime
from ..core.vocabulary import Vocabulary


class SuggestionCategory(Vocabulary):
    workplace_safety = "workplace_safety", "安全生产"
    pay_benefits = "pay_benefits", "薪酬福利"
    canteen_facilities = "canteen_facilities", "食堂与后勤"
    management = "management", "管理与作风"
    training_career = "training_career", "培训与发展"
    award = "award", "评优异议"  # objections in an award's notice period (docs/awards.md)
    other = "other", "其他"


class SuggestionStatus(Vocabulary):
    new = "new", "待处理"
    in_progress = "in_progress", "处理中"
    answered = "answered", "已答复"
    closed = "closed", "已办结"


class MessageAuthor(Vocabulary):
    """Who wrote a message in a suggestion's thread (the API's ``from``)."""

    staff = "staff", "工会"
    submitter = "submitter", "提交人"


def random_id() -> str:
    return secrets.token_urlsafe(16)


class Suggestion(db.Model):
    __tablename__ = "suggestions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    category: Mapped[str] = mapped_column(String(30))
    title: Mapped[Optional[str]] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=SuggestionStatus.new)
    is_public: Mapped[bool] = mapped_column(default=False)
    # The day only: an exact time could be matched against the proxy's access log.
    submitted_on: Mapped[date] = mapped_column(Date, index=True)
    # HMAC of the receipt: finds the row. The scrypt hash beside it is what proves the receipt.
    lookup_tag: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_hash: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        SuggestionStatus.check("status"),
        SuggestionCategory.check("category"),
    )


class SuggestionMessage(db.Model):
    """A reply in a suggestion's thread, from staff or from the receipt holder."""

    __tablename__ = "suggestion_messages"
    # Random, not sequential: a global sequence would order submitter replies across suggestions.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    suggestion_id: Mapped[str] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column()
    author: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    # Staff replies keep their time; a submitter's reply is stamped with the start of its day.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("suggestion_id", "seq"),
        MessageAuthor.check("author"),
    )


class HeldWrite(db.Model):
    """A suggestion or a submitter's reply accepted but not yet filed (services.file_held).

    While a row waits, its own position (rowid, xmin) follows the member's other requests, so nothing
    in it may be readable: the content, its kind, the suggestion id and the time accepted are sealed
    (AES-GCM under a key derived from the app's secret). ``tag`` is a keyed hash of the receipt under a
    purpose of its own, so it finds the row for the receipt holder but matches nothing in the filed rows.
    """

    __tablename__ = "suggestion_held_writes"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    tag: Mapped[str] = mapped_column(String(64), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
