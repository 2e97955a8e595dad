"""Demo awards: last year's final list (one winner removed after an upheld objection), this year's in its notice
period with a named objection, and a draft with nominees. No notices."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Member
from . import services
from .models import Award

CRITERIA = "1. 热爱工会工作，积极参加工会活动；2. 本年度无违纪记录；3. 群众基础好，经班组推荐。"


def _members(numbers) -> list[Member]:
    wanted = [f"D{n:04d}" for n in numbers]
    by_no = {m.employee_no: m for m in db.session.scalars(select(Member).where(Member.employee_no.in_(wanted)))}
    return [by_no[n] for n in wanted if n in by_no]


def _award(staff_id: int, title: str, year: int, quota: int, nominees: list[Member]) -> tuple[Award, list[int]]:
    a = services.create(staff_id, title=title, year=year, criteria=CRITERIA, quota=quota)
    ids = [services.add_nominee(staff_id, a.id, m.id, f"{m.name}同志积极参与工会活动，群众评价好。").id
           for m in nominees]
    return a, ids


def load() -> int:
    people = _members([2, 10, *range(13, 25)])
    if len(people) < 14:
        return 0
    staff, d10, others = people[0], people[1], people[2:]
    year = utcnow().year
    titles = {(t, y) for t, y in db.session.execute(select(Award.title, Award.year)).all()}
    added = 0
    if ("优秀工会积极分子", year - 1) not in titles:
        a, ids = _award(staff.id, "优秀工会积极分子", year - 1, 3, others[0:4])
        services.decide(staff.id, a.id, ids[:3], notify=False, now=utcnow() - timedelta(days=30))
        services.finalize(staff.id, a.id, [{"nominee_id": ids[2], "reason": "经核实，异议属实：当年度有违纪记录。"}],
                          notify=False)
        added += 1
    if ("优秀工会积极分子", year) not in titles:
        a, ids = _award(staff.id, "优秀工会积极分子", year, 3, others[4:9])
        services.decide(staff.id, a.id, ids[:3], notify=False)
        services.object_to(d10.id, a.id, ids[1], "该同志本年度参加工会活动次数较少，建议复核。")
        added += 1
    if ("先进女职工", year) not in titles:
        _award(staff.id, "先进女职工", year, 2, others[9:12])
        added += 1
    db.session.flush()
    return added
