"""Demo benefits: the winter new-year goods fair (冬季年货节) open now with three options in stock, last autumn's
campaign ended with redemptions (one by a night-shift delegate), and a home-town care pack (家乡礼包) for members
the needs profile tags 异地职工, with workshop delivery; a few claims for demo members. No notices."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select, update

from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Member, MemberTag, Tag, TagSource
from . import services
from .models import Benefit, BenefitClaim

HOMETOWN_TAG = "异地职工"
HOMETOWN_MEMBERS = (11, 12, 14, 17, 20, 23)  # tagged from the needs survey (source survey)


def _members(numbers) -> dict[int, Member]:
    wanted = {f"D{n:04d}": n for n in numbers}
    return {wanted[m.employee_no]: m for m in db.session.scalars(select(Member).where(Member.employee_no.in_(wanted)))}


def _tag_hometown(people: dict[int, Member]) -> None:
    tag = db.session.scalar(select(Tag).where(Tag.name == HOMETOWN_TAG))
    if tag is None:
        tag = Tag(name=HOMETOWN_TAG)
        db.session.add(tag)
        db.session.flush()
    have = set(db.session.scalars(select(MemberTag.member_id).where(MemberTag.tag_id == tag.id)))
    rows = [{"member_id": people[n].id, "tag_id": tag.id, "source": TagSource.survey}
            for n in HOMETOWN_MEMBERS if n in people and people[n].id not in have]
    if rows:
        db.session.execute(insert(MemberTag), rows)


def _claim(member: Member, b: Benefit, option: int, delivery: str = "pickup") -> int:
    opt = services.options_of([b.id])[b.id][option]
    return services._claim_portable(member.id, b.id, opt.id, delivery, utcnow(), member=member).id


def load() -> int:
    people = _members([1, 2, 10, *range(11, 31)])
    if len(people) < 20:
        return 0
    staff = people[2]
    titles = set(db.session.scalars(select(Benefit.title)))
    now = utcnow()
    added = 0
    _tag_hometown(people)
    db.session.flush()
    if "冬季年货节" not in titles:
        b = services.create(staff.id, title="冬季年货节", kind="seasonal", season="winter",
                            description="新春将至，工会为每位会员准备年货一份，三选一，先到先得。",
                            options=[{"name": "东北大米 10kg", "description": "五常稻花香", "stock": 120},
                                     {"name": "花生油 5L", "description": "压榨一级", "stock": 80},
                                     {"name": "坚果礼盒", "description": "六种坚果", "stock": 60}],
                            claim_opens_at=now - timedelta(days=2), claim_closes_at=now + timedelta(days=12),
                            redeem_until=now + timedelta(days=30), allow_workshop_delivery=True, announce=False)
        for n, option, delivery in ((1, 2, "pickup"), (10, 0, "pickup"), (11, 1, "workshop"), (13, 2, "pickup"),
                                    (16, 0, "workshop")):
            _claim(people[n], b, option, delivery)
        added += 1
    if "中秋福利" not in titles:
        b = services.create(staff.id, title="中秋福利", kind="seasonal", season="autumn",
                            description="中秋佳节，月饼与水果二选一。",
                            options=[{"name": "月饼礼盒", "stock": 100}, {"name": "时令水果箱", "stock": 100}],
                            claim_opens_at=now - timedelta(days=90), claim_closes_at=now - timedelta(days=80),
                            redeem_until=now - timedelta(days=70), allow_workshop_delivery=True, announce=False)
        # Claimed and redeemed back then: the window is moved for the demo's own writes only.
        b.claim_closes_at, b.redeem_until = now + timedelta(minutes=5), now + timedelta(minutes=5)
        db.session.flush()
        claims = [(_claim(people[n], b, n % 2, "workshop" if n in (18, 19) else "pickup"), n)
                  for n in (10, 12, 14, 15, 18, 19, 21)]
        codes = {n: services.claim_code(b, cid, people[n].id) for cid, n in claims}
        for n in (10, 12, 14):
            services.redeem(staff.id, b.id, codes[n], now - timedelta(days=75))
        services.deliver(staff.id, b.id, people[20].employee_no, [cid for cid, n in claims if n in (18, 19)])
        b.claim_closes_at, b.redeem_until = now - timedelta(days=80), now - timedelta(days=70)
        db.session.execute(update(BenefitClaim).where(BenefitClaim.benefit_id == b.id)
                           .values(claimed_at=now - timedelta(days=88), created_at=now - timedelta(days=88)))
        db.session.execute(update(BenefitClaim).where(BenefitClaim.benefit_id == b.id,
                                                      BenefitClaim.redeemed_via == "delegate")
                           .values(redeemed_at=now - timedelta(days=74)))
        db.session.flush()
        added += 1
    if "异地职工家乡礼包" not in titles:
        b = services.create(staff.id, title="异地职工家乡礼包", kind="care_pack", season=None,
                            description="为不能回家过年的异地职工寄送一份家乡特产，夜班职工可送到车间。",
                            audience={"tags": [HOMETOWN_TAG]},
                            options=[{"name": "家乡特产礼包", "stock": 30}],
                            claim_opens_at=now - timedelta(days=1), claim_closes_at=now + timedelta(days=20),
                            redeem_until=now + timedelta(days=35), allow_workshop_delivery=True, announce=False)
        _claim(people[11], b, 0, "workshop")
        added += 1
    db.session.flush()
    return added
