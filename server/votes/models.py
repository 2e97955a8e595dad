"""Votes (工匠之星, 评优, 议事会 topics): candidates, who has voted, and anonymous ballots.

Who has voted (``vote_voters``) is kept apart from what was voted (``vote_ballots`` and
``vote_ballot_choices``): a ballot has a random id, the sha256 of the voter's receipt and its choices, and
no member column, no time. A cast ballot is first held sealed (``vote_held_ballots``) and all held ballots
of a vote are filed in one shuffled batch at the close, so neither the ballots' ids nor their physical order
follow the order of the voters' rows (docs/anonymity.md, "Votes").
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.audiences import AudienceKind
from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class VoteStatus(Vocabulary):
    """Stored: draft, open (published) or closed (its ballots filed). ``scheduled`` is shown for a
    published vote before ``opens_at``, ``closed`` for one past ``closes_at`` not yet filed."""

    draft = "draft", "草稿"
    scheduled = "scheduled", "未开始"
    open = "open", "投票中"
    closed = "closed", "已结束"


class Vote(db.Model):
    __tablename__ = "votes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    max_choices: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default=VoteStatus.draft)
    # An empty audience admits everyone; ``audience_all`` only records that "all" was asked for.
    audience_all: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        VoteStatus.check("status", only=[VoteStatus.draft, VoteStatus.open, VoteStatus.closed]),
        CheckConstraint("max_choices >= 1", name="max_choices_positive"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
    )


class VoteAudience(db.Model):
    """A vote's audience as link rows, read in ``every kind`` mode as for events (core.audiences)."""

    __tablename__ = "vote_audiences"
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True)
    __table_args__ = (AudienceKind.check("kind"),)


class VoteCandidate(db.Model):
    __tablename__ = "vote_candidates"
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    photo_id: Mapped[Optional[str]] = mapped_column(String(32))  # an upload attached with kind vote_candidate
    position: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("vote_id", "position"),)


class VoteVoter(db.Model):
    """Who has voted (one row per member and vote, the unique key is the one-ballot rule), with the day only."""

    __tablename__ = "vote_voters"
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)
    voted_on: Mapped[date] = mapped_column(Date)


class VoteHeldBallot(db.Model):
    """A cast ballot waiting, sealed, for the vote's close (services.close_vote files it). The vote id is
    plain: the voter's row says as much."""

    __tablename__ = "vote_held_ballots"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class VoteBallot(db.Model):
    """A filed ballot: random id, the sha256 (hex) of its receipt, no member, no time."""

    __tablename__ = "vote_ballots"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)


class VoteBallotChoice(db.Model):
    __tablename__ = "vote_ballot_choices"
    ballot_id: Mapped[str] = mapped_column(ForeignKey("vote_ballots.id", ondelete="CASCADE"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("vote_candidates.id", ondelete="CASCADE"),
                                              primary_key=True, index=True)


class VotePaperCount(db.Model):
    """Paper ballots counted by hand, entered by one staff member and confirmed by another who entered
    the same figures on their own. Unconfirmed while ``confirmed_by`` is empty; kept apart from the
    electronic count."""

    __tablename__ = "vote_paper_counts"
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    ballots: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict] = mapped_column(JSON)  # {"<candidate id>": votes}
    entered_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("ballots >= 0", name="paper_ballots_not_negative"),
        CheckConstraint("confirmed_by IS NULL OR confirmed_by <> entered_by", name="paper_two_people"),
    )
