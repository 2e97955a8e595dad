"""Surveys: questions, the "has answered" record, responses and their answers, and held anonymous responses.

Who has answered (``survey_participations``) is kept apart from what was answered (``survey_responses`` and
``survey_answers``). An anonymous survey's response carries no member column, a random id, the day of its
batch and the respondent's department and grid names where at least 5 respondents share them (for
breakdowns); it is first held sealed in ``survey_held_responses`` and filed later by the scheduler in
shuffled batches (docs/anonymity.md).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.audiences import AudienceKind
from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class SurveyStatus(Vocabulary):
    """Stored: draft, scheduled (published), closed (closed early). Shown: scheduled becomes open between
    opens_at and closes_at and closed after closes_at (services.effective_status)."""

    draft = "draft", "草稿"
    scheduled = "scheduled", "未开始"
    open = "open", "进行中"
    closed = "closed", "已结束"


class QuestionKind(Vocabulary):
    single = "single", "单选"
    multiple = "multiple", "多选"
    scale = "scale", "评分（1–5）"
    text = "text", "文字"


class Survey(db.Model):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[Optional[str]] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default=SurveyStatus.draft)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Set once by the reminder job's conditional UPDATE: a survey is reminded of once.
    reminded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        SurveyStatus.check("status", only=[SurveyStatus.draft, SurveyStatus.scheduled, SurveyStatus.closed]),
        CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
        Index("ix_surveys_status_closes", "status", "closes_at"),
    )


class SurveyAudience(db.Model):
    """Who is asked: within a kind any entry matches; every kind listed must match; no rows: everyone."""

    __tablename__ = "survey_audiences"
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True)
    __table_args__ = (AudienceKind.check("kind"),)


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()  # the API's "question": 0, 1, 2 … in the survey
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(500))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("survey_id", "position"), QuestionKind.check("kind"))


class SurveyOptionTag(db.Model):
    """The needs profile: choosing this option in an identified survey adds the tag to the member."""

    __tablename__ = "survey_option_tags"
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True)
    option_index: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"))


class SurveyParticipation(db.Model):
    """Who has answered, and on which day: the one row that names the member, also in anonymous surveys.
    Its primary key is the one-response-per-member rule."""

    __tablename__ = "survey_participations"
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    answered_on: Mapped[date] = mapped_column(Date)


class SurveyResponse(db.Model):
    """One response. ``member_id`` only in identified surveys: an anonymous survey's rows are written by
    the filing job, whose sealed payload has no member in it (tests/surveys/test_anonymity.py scans)."""

    __tablename__ = "survey_responses"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: core.sealed.new_id
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"), index=True)
    # Group names as they were when answering, for breakdowns (groups under 5 merged).
    department: Mapped[Optional[str]] = mapped_column(String(100))
    grid: Mapped[Optional[str]] = mapped_column(String(100))
    # The day only; for an anonymous response the day its batch was filed.
    answered_on: Mapped[date] = mapped_column(Date)


class SurveyAnswer(db.Model):
    """One row per chosen option (``item`` = option index), per scale value (``item`` 0, ``value``) or per
    text (``item`` 0, ``text``): results are GROUP BYs over (question_id, item)."""

    __tablename__ = "survey_answers"
    response_id: Mapped[str] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"),
                                             primary_key=True)
    item: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    value: Mapped[Optional[int]] = mapped_column()
    text: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="value_in_scale"),
        Index("ix_survey_answers_question", "survey_id", "question_id", "item"),
    )


class SurveyHeldResponse(db.Model):
    """An anonymous response accepted but not yet filed: everything but the survey id is sealed."""

    __tablename__ = "survey_held_responses"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
