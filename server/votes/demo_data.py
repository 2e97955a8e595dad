"""Demo votes: 技术创新能手 open now with some ballots (D0010 has not voted, so the demo member can), and a
closed 评优评先 vote with its results (ballots filed); the craftsman star's vote comes with its round
(server/craftsman). No notices: loading the demo does not push three
announcements to every demo member (the demo's notices are its own, in server/demo.py)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Member
from . import services
from .models import Vote

OPEN_TITLE = "2026年度“技术创新能手”评选"
CLOSED_TITLE = "2026年第三季度优秀班组长评选"
CANDIDATES = [
    {"name": "陈建国", "description": "数控车间 · 高级技师，主导主轴加工工艺改进，废品率下降 40%"},
    {"name": "刘海燕", "description": "质检中心 · 首席质检员，建立关键尺寸快速检测方法"},
    {"name": "王志强", "description": "机修车间 · 设备维修骨干，全年抢修 120 余次无返修"},
    {"name": "赵敏", "description": "装配车间 · 班组长，带徒 8 人，3 人获技能等级提升"},
    {"name": "孙立军", "description": "锻造车间 · 节能改造能手，年节电 20 万千瓦时"},
]


def _voters(numbers) -> list[Member]:
    wanted = [f"D{n:04d}" for n in numbers]
    return list(db.session.scalars(select(Member).where(Member.employee_no.in_(wanted), Member.is_active.is_(True))))


def load() -> int:
    """Add the demo votes not there yet; returns how many."""
    titles = set(db.session.scalars(select(Vote.title)))
    staff = _voters([2])
    if not staff:
        return 0
    staff_id = staff[0].id
    now = utcnow()
    created = 0
    if OPEN_TITLE not in titles:
        vote = services.create_vote(staff_id, title=OPEN_TITLE, description="每人最多选 3 位，投票结束后公布结果。",
                                    audience=None, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=6),
                                    max_choices=3, candidates=CANDIDATES)
        services.publish_vote(vote.id, notify=False)
        ids = [c.id for c in services.candidates_of([vote.id])[vote.id]]
        for i, m in enumerate(_voters(range(11, 23))):
            services.cast_ballot(m.id, vote.id, [ids[i % 5], ids[(i + 2) % 5]][: 1 + i % 2])
        created += 1
    if CLOSED_TITLE not in titles:
        vote = services.create_vote(staff_id, title=CLOSED_TITLE, description="每人选 1 位。", audience=None,
                                    opens_at=now - timedelta(days=10), closes_at=now + timedelta(minutes=5),
                                    max_choices=1, candidates=[{"name": "周强"}, {"name": "吴丽"}, {"name": "郑涛"}])
        services.publish_vote(vote.id, notify=False)
        ids = [c.id for c in services.candidates_of([vote.id])[vote.id]]
        for i, m in enumerate(_voters(range(10, 40))):
            services.cast_ballot(m.id, vote.id, [ids[0 if i % 5 < 3 else 1 if i % 5 == 3 else 2]])
        services.close_vote(vote.id, early=True, notify=False)
        created += 1
    db.session.flush()
    return created
