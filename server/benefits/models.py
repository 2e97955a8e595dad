"""A campaign (``benefits``) with its audience and options, and the members' claims.

Stock is a counter on the option (``claimed``) moved only by conditional UPDATEs and kept under ``stock`` by a
CHECK; one live claim per member and campaign is a partial unique index (cancelled claims step aside)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.audiences import AudienceKind
from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class BenefitKind(Vocabulary):
    seasonal = "seasonal", "四季福利"
    care_pack = "care_pack", "暖心关怀"
    other = "other", "其他"


class BenefitSeason(Vocabulary):
    spring = "spring", "春"
    summer = "summer", "夏"
    autumn = "autumn", "秋"
    winter = "winter", "冬"


class BenefitStatus(Vocabulary):
    published = "published", "已发布"
    cancelled = "cancelled", "已取消"


class BenefitPhase(Vocabulary):
    upcoming = "upcoming", "未开始"
    open = "open", "领取中"
    closed = "closed", "已取消"
    redeeming = "redeeming", "核销中"
    ended = "ended", "已结束"


class ClaimStatus(Vocabulary):
    claimed = "claimed", "待核销"
    redeemed = "redeemed", "已核销"
    cancelled = "cancelled", "已取消"


class ClaimDelivery(Vocabulary):
    pickup = "pickup", "自提"
    workshop = "workshop", "送到车间"


class RedeemedVia(Vocabulary):
    staff = "staff", "工作人员核销"
    delegate = "delegate", "代领"


class Benefit(db.Model):
    __tablename__ = "benefits"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), default=BenefitKind.seasonal)
    season: Mapped[Optional[str]] = mapped_column(String(8))
    claim_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claim_closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    redeem_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    allow_workshop_delivery: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=BenefitStatus.published)
    # Ed25519 private key (raw 32 bytes) signing this campaign's claim codes (server/core/signed_codes.py).
    redeem_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Set by the scheduler when it sent the reminder (each once per campaign).
    unclaimed_reminded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    unredeemed_reminded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("claim_closes_at > claim_opens_at", name="closes_after_opens"),
        CheckConstraint("redeem_until >= claim_closes_at", name="redeem_after_close"),
        BenefitStatus.check("status"),
        BenefitKind.check("kind"),
        BenefitSeason.check("season"),  # NULL passes a CHECK: a campaign need not have a season
    )


class BenefitAudience(db.Model):
    """Who may claim: within a kind any entry matches; every kind listed must match (as events)."""

    __tablename__ = "benefit_audiences"
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True)
    __table_args__ = (AudienceKind.check("kind"),)


class BenefitOption(db.Model):
    __tablename__ = "benefit_options"
    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    stock: Mapped[Optional[int]] = mapped_column()  # None: no limit
    claimed: Mapped[int] = mapped_column(default=0)  # live claims (claimed or redeemed)
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("claimed >= 0 AND (stock IS NULL OR claimed <= stock)", name="not_oversold"),
    )


class BenefitClaim(db.Model):
    __tablename__ = "benefit_claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(ForeignKey("benefit_options.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.claimed)
    delivery: Mapped[str] = mapped_column(String(10), default=ClaimDelivery.pickup)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    redeemed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    redeemed_via: Mapped[Optional[str]] = mapped_column(String(10))
    delegate_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # One live claim per member and campaign; a cancelled one no longer counts.
        Index("uq_benefit_claims_live", "benefit_id", "member_id", unique=True,
              postgresql_where=text("status <> 'cancelled'"), sqlite_where=text("status <> 'cancelled'")),
        Index("ix_benefit_claims_benefit_status", "benefit_id", "status"),
        ClaimStatus.check("status"),
        ClaimDelivery.check("delivery"),
        RedeemedVia.check("redeemed_via"),
        CheckConstraint("(status = 'redeemed') = (redeemed_at IS NOT NULL)", name="redeemed_iff_time"),
        CheckConstraint("redeemed_via <> 'delegate' OR delegate_id IS NOT NULL", name="delegate_named"),
    )
