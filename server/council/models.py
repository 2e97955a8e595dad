"""The worker council (职工议事会): one representative per department, a topic a month, ideas any member
posts and supports (one support each), and the council's selection forwarded to management with its answer."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class CouncilTopicStatus(Vocabulary):
    """Shown, not stored: a topic takes ideas and supports until ``closes_at``."""

    open = "open", "征集中"
    closed = "closed", "已截止"


class CouncilIdeaStatus(Vocabulary):
    submitted = "submitted", "已提交"
    selected = "selected", "已选送管理层"
    answered = "answered", "已答复"


class CouncilRepresentative(db.Model):
    """The department is the primary key: one representative per department, replaced by an admin."""

    __tablename__ = "council_representatives"
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    appointed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CouncilTopic(db.Model):
    __tablename__ = "council_topics"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM: one topic a month
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CouncilIdea(db.Model):
    __tablename__ = "council_ideas"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("council_topics.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=CouncilIdeaStatus.submitted)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    selected_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    selected_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    answer: Mapped[Optional[str]] = mapped_column(Text)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    answered_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    __table_args__ = (CouncilIdeaStatus.check("status"),)


class CouncilSupport(db.Model):
    """The primary key is the one-support rule."""

    __tablename__ = "council_supports"
    idea_id: Mapped[int] = mapped_column(ForeignKey("council_ideas.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
