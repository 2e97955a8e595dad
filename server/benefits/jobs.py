"""The benefit clock in the one scheduler (job ``benefit_reminders``): once per campaign, before the claim
window closes, the eligible members without a claim are reminded (BENEFIT_UNCLAIMED_REMINDER_HOURS before);
once, before redeem_until, the members holding an unredeemed claim (BENEFIT_UNREDEEMED_REMINDER_HOURS before).
Each campaign is claimed for a reminder by a conditional UPDATE … RETURNING of its ``*_reminded_at``, so a
second run (or a second scheduler) sends nothing twice; recipients are found by one set-based query. A deadline
is near, so a member without a push consent left gets an SMS instead."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, select, update

from ..core.extensions import db, transaction
from ..core.timeutil import utcnow
from ..members.models import Member
from .models import Benefit, BenefitClaim, BenefitStatus, ClaimStatus
from .services import CLAIM_PAGE, PAGE, _admits_member_row, _local, _tell


def remind_unclaimed(now: datetime) -> int:
    lead = timedelta(hours=current_app.config["BENEFIT_UNCLAIMED_REMINDER_HOURS"])
    told = 0
    for b in _due_portable(Benefit.unclaimed_reminded_at, Benefit.claim_closes_at, lead, now,
                           Benefit.claim_opens_at <= now):
        ids = list(db.session.scalars(select(Member.id).where(
            Member.is_active.is_(True), _admits_member_row(b.id),
            ~exists().where(and_(BenefitClaim.benefit_id == b.id, BenefitClaim.member_id == Member.id,
                                 BenefitClaim.status != ClaimStatus.cancelled)))))
        if ids and _tell({"member_ids": ids}, f"福利即将截止领取：{b.title}",
                         f"“{b.title}”将于 {_local(b.claim_closes_at)} 截止领取，您还未领取，请尽快在小程序中选择。",
                         PAGE.format(id=b.id), sms_fallback=True):
            told += 1
    return told


def remind_unredeemed(now: datetime) -> int:
    lead = timedelta(hours=current_app.config["BENEFIT_UNREDEEMED_REMINDER_HOURS"])
    told = 0
    for b in _due_portable(Benefit.unredeemed_reminded_at, Benefit.redeem_until, lead, now):
        ids = list(db.session.scalars(select(BenefitClaim.member_id).where(
            BenefitClaim.benefit_id == b.id, BenefitClaim.status == ClaimStatus.claimed)))
        if ids and _tell({"member_ids": ids}, f"福利即将截止核销：{b.title}",
                         f"您领取的“{b.title}”须在 {_local(b.redeem_until)} 前核销领取，逾期作废。", CLAIM_PAGE,
                         sms_fallback=True):
            told += 1
    return told


def _due_portable(column, deadline, lead: timedelta, now: datetime, *extra):
    """Campaigns whose reminder is due and not yet sent, marked sent in the same UPDATE."""
    rows = db.session.execute(
        update(Benefit).where(Benefit.status == BenefitStatus.published, column.is_(None), deadline > now,
                              deadline <= now + lead, *extra)
        .values({column.key: now}).returning(Benefit.id, Benefit.title, Benefit.claim_closes_at,
                                             Benefit.redeem_until)
        .execution_options(synchronize_session=False)).all()
    return rows


def run(now: datetime | None = None) -> dict[str, int]:
    """The scheduler's pass, one unit of work. Needs an app context."""
    now = now or utcnow()
    with transaction():
        return {"unclaimed": remind_unclaimed(now), "unredeemed": remind_unredeemed(now)}
