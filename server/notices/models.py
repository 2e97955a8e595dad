from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary


class NoticeChannel(Vocabulary):
    push = "push", "小程序推送"
    sms = "sms", "短信"
    poster = "poster", "海报"


# The channels a delivery row is written for: a poster is printed, not sent to anyone.
DELIVERY_CHANNELS = (NoticeChannel.push, NoticeChannel.sms)


class NoticeStatus(Vocabulary):
    draft = "draft", "草稿"
    scheduled = "scheduled", "已排期"
    sending = "sending", "发送中"
    sent = "sent", "已发送"


class NoticeSource(Vocabulary):
    """Who wrote a notice: staff, or the system when something happened to what members signed up for.
    Automatic ones stay out of the staff's notice list and are shown with their event or calendar."""
    staff = "staff", "工作人员发布"
    reminder = "reminder", "自动提醒"
    waitlist = "waitlist", "候补递补"
    event_change = "event_change", "活动变更"
    booking_change = "booking_change", "预约变动"
    system = "system", "系统提醒"  # to admins about the system itself (a year's working days not entered)
    request = "request", "诉求进展"
    vote = "vote", "投票"
    survey = "survey", "问卷提醒"
    proposal = "proposal", "提案进展"
    council = "council", "职工议事会"
    craftsman = "craftsman", "工匠之星"
    fund = "fund", "经费公开"
    award = "award", "评优公示"
    improvement = "improvement", "整改事项"
    benefit = "benefit", "福利领取"
    care = "care", "困难帮扶"
    report = "report", "效能报告"


class DeliveryStatus(Vocabulary):
    queued = "queued", "待发送"
    sending = "sending", "发送中"        # handed to the provider, outcome not yet written (docs/delivery.md)
    sent = "sent", "已发送"
    failed = "failed", "发送失败"
    skipped = "skipped", "未发送"
    unknown = "unknown", "状态未知"      # a crash hid the outcome and the provider cannot tell: never sent again
    duplicate = "duplicate", "重复"      # reconciliation found the provider accepted it more than once


class Notice(db.Model):
    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    channels: Mapped[list[str]] = mapped_column(JSON)
    # As given by staff; resolved into notice_recipients once, when the notice is sent.
    audience: Mapped[dict] = mapped_column(JSON)
    send_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    sms_fallback: Mapped[bool] = mapped_column(default=True)
    page: Mapped[Optional[str]] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=NoticeStatus.draft)
    recipients_count: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    planned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default=NoticeSource.staff, server_default=NoticeSource.staff)
    # What an automatic notice is about (no foreign keys: events and calendars are never deleted).
    event_id: Mapped[Optional[int]]
    calendar_id: Mapped[Optional[int]]

    __table_args__ = (
        NoticeStatus.check("status"),
        NoticeSource.check("source"),
        Index("ix_notices_due", "status", "send_at"),
        Index("ix_notices_source", "source", "id"),
        Index("ix_notices_event", "event_id", postgresql_where=text("event_id IS NOT NULL"),
              sqlite_where=text("event_id IS NOT NULL")),
        Index("ix_notices_calendar", "calendar_id", postgresql_where=text("calendar_id IS NOT NULL"),
              sqlite_where=text("calendar_id IS NOT NULL")),
    )


class NoticeRecipient(db.Model):
    """Who a notice went to (the audience as it was when sent), and whether they read it.

    No foreign keys here or on deliveries' notice/member: only planning writes these rows, selecting them
    from members inside the transaction that locks the notice, and neither notices nor members are ever
    deleted. Per-row foreign-key checks were half the planning time of a 100,000-member notice.
    """

    __tablename__ = "notice_recipients"
    notice_id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(primary_key=True)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_notice_recipients_member", "member_id", "notice_id"),)


class Delivery(db.Model):
    """One message to one member on one channel: the outbox row a worker sends exactly once."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int]
    member_id: Mapped[int]
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker's claim: nobody else takes the row before lease_until; a killed worker's rows come back after it.
    claimed_by: Mapped[Optional[str]] = mapped_column(String(64))
    lease_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    provider_id: Mapped[Optional[str]] = mapped_column(String(100))
    # When the message was handed to the provider: set with `sending`, so reconciliation knows how long a
    # delivery report has had to arrive; kept (or replaced by the answer's time) once the outcome is known.
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # Sending a notice twice, a retry or two racing workers can never make a second message.
        UniqueConstraint("notice_id", "member_id", "channel"),
        NoticeChannel.check("channel", only=DELIVERY_CHANNELS),
        DeliveryStatus.check("status"),
        # The claim's scan, in its ORDER BY; only queued rows, so skipped and sent rows cost nothing.
        # Per-notice stats and lists use the unique key, which leads with notice_id.
        Index("ix_deliveries_due", "next_attempt_at", "id", postgresql_where=text("status = 'queued'"),
              sqlite_where=text("status = 'queued'")),
        # Reconciliation's scan: rows left `sending` whose lease ran out (few at any time).
        Index("ix_deliveries_sending", "lease_until", postgresql_where=text("status = 'sending'"),
              sqlite_where=text("status = 'sending'")),
    )


class SubscriptionQuota(db.Model):
    """Sendable pushes per member and template: each WeChat 'accept' grants exactly one."""

    __tablename__ = "subscription_quotas"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    remaining: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (CheckConstraint("remaining >= 0", name="remaining_not_negative"),)


# A delivery worker writes its heartbeat at most this often (from its loop, between batches); two missed
# beats make it stale in /healthz/details and /metrics, and a day's silence removes its row.
HEARTBEAT_SECONDS = 15


class WorkerHeartbeat(db.Model):
    """One running (or lately running) delivery worker: which process, since when, when last heard from,
    and how many deliveries it has handled."""

    __tablename__ = "worker_heartbeats"
    worker_id: Mapped[str] = mapped_column(String(100), primary_key=True)  # host:pid
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed: Mapped[int] = mapped_column(BigInteger, default=0)
