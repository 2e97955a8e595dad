"""Demo craftsman star: this year's round in its review stage (nominations in, some reviews) and last
year's round with its winners published (its vote held through the votes domain, ballots filed).

Rounds are loaded as they would stand today: a round is created with its times ahead, filled, and its
times then moved back (a demo cannot wait for a nomination period to pass). No notices."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from ..votes import services as votes
from ..votes.models import Vote
from . import services
from .models import CraftsmanRound

REASONS = [
    ("数控车间高级技师，主导主轴加工工艺改进，废品率下降 40%",
     "省职工技能大赛数控车工一等奖；工艺改进报告 3 份"),
    ("质检首席，建立关键尺寸快速检测方法，检测效率提高一倍", "快速检测作业指导书；客户质量表扬信 2 封"),
    ("设备维修骨干，全年抢修 120 余次无返修", "设备抢修记录；车间年度考评优秀"),
    ("班组长，带徒 8 人，3 人获技能等级提升", "师带徒协议及徒弟等级证书"),
    ("节能改造能手，年节电 20 万千瓦时", "节能改造验收报告"),
]


def _members(numbers) -> list[Member]:
    wanted = [f"D{n:04d}" for n in numbers]
    rows = db.session.scalars(select(Member).where(Member.employee_no.in_(wanted), Member.is_active.is_(True)))
    by_no = {m.employee_no: m for m in rows}
    return [by_no[n] for n in wanted if n in by_no]


def _move(round_id: int, **times: datetime) -> None:
    db.session.execute(update(CraftsmanRound).where(CraftsmanRound.id == round_id).values(**times)
                       .execution_options(synchronize_session=False))


def _fill(round_id: int, nominees: list[Member], nominator: Member, committee: list[Member], reviews: int) -> None:
    for i, m in enumerate(nominees):
        reason, evidence = REASONS[i % len(REASONS)]
        by = m if i % 3 == 2 else nominator  # some nominate themselves
        n = services.nominate(by.id, round_id, nominee_id=m.id, reason=reason, evidence=evidence, photos=[])
        for c in committee[:reviews]:
            services.review(c.id, n.id, i != len(nominees) - 1, "事迹突出" if i != len(nominees) - 1 else "材料不足")


def load() -> int:
    """Add the rounds not there yet; returns how many."""
    staff = _members([2])
    committee = _members([3, 4, 5])
    if not staff or len(committee) < 3:
        return 0
    staff_id = staff[0].id
    year = utcnow().astimezone(SHANGHAI).year
    years = set(db.session.scalars(select(CraftsmanRound.year)))
    created = 0
    now = utcnow()
    if year - 1 not in years:
        r = services.create_round(staff_id, year=year - 1, title=f"{year - 1}年度“工匠之星”评选",
                                  nomination_closes_at=now + timedelta(hours=1),
                                  review_closes_at=now + timedelta(hours=2),
                                  vote_opens_at=now + timedelta(hours=2), vote_closes_at=now + timedelta(hours=3),
                                  winners=3, committee=[c.id for c in committee], notify=False)
        _fill(r.id, _members(range(41, 46)), _members([12])[0], committee, reviews=3)
        _move(r.id, nomination_closes_at=now - timedelta(hours=3), review_closes_at=now - timedelta(hours=2),
              vote_opens_at=now - timedelta(hours=2))
        db.session.expire_all()
        r = services.open_vote(staff_id, r.id, notify=False)
        ids = [c.id for c in votes.candidates_of([r.vote_id])[r.vote_id]]
        for i, m in enumerate(_members(range(10, 40))):
            votes.cast_ballot(m.id, r.vote_id, [ids[0], ids[1 + i % 3]] if i % 5 else [ids[i % 4]])
        votes.close_vote(r.vote_id, early=True, notify=False)
        services.publish(staff_id, r.id, notify=False)
        # Shown with last year's dates.
        last = datetime(year - 1, 12, 1, 9, 0, tzinfo=SHANGHAI)
        times = dict(nomination_closes_at=last - timedelta(days=30), review_closes_at=last - timedelta(days=15),
                     vote_opens_at=last - timedelta(days=14), vote_closes_at=last - timedelta(days=7))
        _move(r.id, **times, published_at=last, created_at=last - timedelta(days=45))
        db.session.execute(update(Vote).where(Vote.id == r.vote_id)
                           .values(opens_at=times["vote_opens_at"], closes_at=times["vote_closes_at"],
                                   closed_at=times["vote_closes_at"], published_at=times["vote_opens_at"],
                                   created_at=times["vote_opens_at"])
                           .execution_options(synchronize_session=False))
        created += 1
    if year not in years:
        r = services.create_round(staff_id, year=year, title=f"{year}年度“工匠之星”推荐评审",
                                  nomination_closes_at=now + timedelta(hours=1),
                                  review_closes_at=now + timedelta(days=5),
                                  vote_opens_at=now + timedelta(days=6), vote_closes_at=now + timedelta(days=13),
                                  winners=3, committee=[c.id for c in committee], notify=False)
        _fill(r.id, _members(range(21, 27)), _members([15])[0], committee, reviews=2)
        _move(r.id, nomination_closes_at=now - timedelta(days=1))
        created += 1
    db.session.expire_all()
    db.session.flush()
    return created
