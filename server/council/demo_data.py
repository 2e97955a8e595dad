"""Demo council: a representative per department, this month's topic (食堂与考勤) with ideas and supports,
one idea selected and answered. No notices (the demo's notices are its own, in server/demo.py)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Department, Member
from . import services
from .models import CouncilRepresentative, CouncilTopic

IDEAS = [
    ("夜班增加热餐供应", "夜班职工只能吃面包泡面，建议食堂 22:00–23:00 增加一个热餐窗口。"),
    ("食堂错峰就餐", "各车间按 11:30 / 11:50 / 12:10 分三批就餐，减少排队。"),
    ("考勤打卡增加宽限时间", "早晚班交接时常因排队打卡迟到，建议上下班各宽限 5 分钟。"),
    ("补卡流程线上办理", "忘打卡需找三个人签字，建议在小程序里提交、班组长确认即可。"),
]


def _members(numbers) -> list[Member]:
    wanted = [f"D{n:04d}" for n in numbers]
    rows = db.session.scalars(select(Member).where(Member.employee_no.in_(wanted), Member.is_active.is_(True)))
    by_no = {m.employee_no: m for m in rows}
    return [by_no[n] for n in wanted if n in by_no]


def load() -> int:
    """Add what is missing; returns how many topics were added."""
    staff = _members([2])
    if not staff:
        return 0
    staff_id = staff[0].id
    appointed = set(db.session.scalars(select(CouncilRepresentative.department_id)))
    for dept in db.session.scalars(select(Department).order_by(Department.id)):
        if dept.id not in appointed:
            first = db.session.scalar(select(Member.id)
                                      .where(Member.department_id == dept.id, Member.is_active.is_(True))
                                      .order_by(Member.employee_no.desc()).limit(1))
            if first:
                services.set_representative(staff_id, dept.name, first)
    local = utcnow().astimezone(SHANGHAI)
    month = local.strftime("%Y-%m")
    if db.session.scalar(select(CouncilTopic.id).where(CouncilTopic.month == month)):
        return 0
    last_day = (local.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    closes_at = datetime.combine(last_day.date(), time(18, 0), tzinfo=SHANGHAI)
    if closes_at <= local:
        closes_at = local + timedelta(days=7)
    topic = services.create_topic(staff_id, month=month, title="食堂就餐与考勤打卡",
                                  description="本月议事会围绕食堂就餐和考勤打卡征集建议，议事会将选送最受支持的建议给公司管理层。",
                                  closes_at=closes_at, notify=False)
    people = _members(range(11, 41))
    ideas = [services.post_idea(people[i].id, topic.id, title, body) for i, (title, body) in enumerate(IDEAS)]
    for k, idea in enumerate(ideas):
        for m in people[5:5 + 12 - 3 * k]:  # 12, 9, 6, 3 supports
            services.support(m.id, idea.id)
    services.select_idea(staff_id, ideas[0].id, notify=False)
    services.answer_idea(staff_id, ideas[0].id,
                         "公司已同意：自下月起食堂在 22:00–23:00 开设夜班热餐窗口，提供两荤两素。", notify=False)
    services.select_idea(staff_id, ideas[2].id, notify=False)
    db.session.flush()
    return 1
