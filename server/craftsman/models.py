"""The craftsman star (工匠之星): a yearly round, nominations with evidence and photos, the committee's
review, the public vote (a vote of the votes domain, linked) and the published winners."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class CraftsmanStage(Vocabulary):
    """Stored: open (nominating and reviewing, by the times), voting (the vote created), published.
    Shown: nominating, reviewing, shortlisted (review over, no vote yet), voting, counting (the vote
    closed, results not published), published."""

    nominating = "nominating", "推荐中"
    reviewing = "reviewing", "评审中"
    shortlisted = "shortlisted", "待投票"
    voting = "voting", "投票中"
    counting = "counting", "待公布"
    published = "published", "已公布"
    open = "open", "进行中"


class CraftsmanRound(db.Model):
    __tablename__ = "craftsman_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(100))
    nomination_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    vote_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    vote_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    winners: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=CraftsmanStage.open)
    vote_id: Mapped[Optional[int]] = mapped_column(ForeignKey("votes.id"))
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    __table_args__ = (
        CraftsmanStage.check("status", only=[CraftsmanStage.open, CraftsmanStage.voting, CraftsmanStage.published]),
        CheckConstraint("winners BETWEEN 3 AND 5", name="winners_3_to_5"),
        CheckConstraint("review_closes_at >= nomination_closes_at AND vote_opens_at >= review_closes_at "
                        "AND vote_closes_at > vote_opens_at", name="times_in_order"),
    )


class CraftsmanCommittee(db.Model):
    __tablename__ = "craftsman_committee"
    round_id: Mapped[int] = mapped_column(ForeignKey("craftsman_rounds.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)


class CraftsmanNomination(db.Model):
    __tablename__ = "craftsman_nominations"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("craftsman_rounds.id", ondelete="CASCADE"), index=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    nominated_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    candidate_id: Mapped[Optional[int]] = mapped_column(ForeignKey("vote_candidates.id"))  # set by open-vote
    __table_args__ = (UniqueConstraint("round_id", "nominee_id"),)


class CraftsmanReview(db.Model):
    """The primary key is the one-review-per-committee-member rule."""

    __tablename__ = "craftsman_reviews"
    nomination_id: Mapped[int] = mapped_column(ForeignKey("craftsman_nominations.id", ondelete="CASCADE"),
                                               primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    approve: Mapped[bool] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CraftsmanWinner(db.Model):
    __tablename__ = "craftsman_winners"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("craftsman_rounds.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("craftsman_nominations.id"), unique=True)
    rank: Mapped[int] = mapped_column(Integer)
    votes: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("round_id", "rank"),)
