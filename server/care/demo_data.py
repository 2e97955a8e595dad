"""Demo hardship aid cases, handled by the demo staff (D0001, who signs in to the console, and D0002) with the
chair D0003 (secretary): one awaiting the chair, one aided with a money grant in the fund ledger, one following
up with a visit due in two days, and D0010's own new case (the mini-program member sees its stage). Members
tagged 困难职工 (D0022, D0033, D0044). No notices. Idempotent: a member's case of that category is not made
again."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Member
from ..workdays.calendar import local_date
from . import services
from .models import CareCase

# (member, category, summary, stage to reach)
SPECS = [
    (22, "illness", "爱人突发重病住院，医疗费用自付部分较高，家中还有一名上学的孩子。", "awaiting_chair"),
    (33, "family", "父亲去世后需独自赡养患病母亲，家庭支出骤增。", "aided"),
    (44, "income", "爱人失业半年，家庭月收入低于当地最低生活保障标准。", "following_up"),
    (10, "other", "家中老房漏雨，雨季前需要修缮，经济上有困难。", "opened"),
]


def _members(numbers) -> dict[int, Member]:
    wanted = {f"D{n:04d}": n for n in numbers}
    return {wanted[m.employee_no]: m for m in db.session.scalars(select(Member).where(Member.employee_no.in_(wanted)))}


def load() -> int:
    people = _members([1, 2, 3, *(s[0] for s in SPECS)])
    if not all(n in people for n in (1, 2, 3)):
        return 0
    staff, staff2, chair = people[1], people[2], people[3]
    have = {(m, c) for m, c in db.session.execute(select(CareCase.member_id, CareCase.category))}
    added = 0
    for n, category, summary, stage in SPECS:
        member = people.get(n)
        if member is None or (member.id, category) in have:
            continue
        case = services.open_case(member, category=category, summary=summary, notify=False)
        added += 1
        if stage == "opened":
            continue
        handler = staff2 if stage == "aided" else staff
        services.add_handler(chair, case.id, handler.id)
        if stage == "aided":
            services.add_handler(chair, case.id, staff.id)
        services.assess(handler, case.id, {"household_size": 4, "monthly_income_fen": 320_000, "dependants": 2,
                                           "situation": "经入户走访核实，情况属实。", "need": "医疗、生活补助"})
        services.decide(handler, case.id, "approve", "情况属实，建议给予帮扶。", notify=False)
        if stage == "awaiting_chair":
            continue
        services.decide(chair, case.id, "approve", "同意。", notify=False)
        if stage == "aided":
            services.grant(staff, case.id, kind="money", amount_fen=200_000, description="困难补助金 2000 元")
            continue
        services.grant(handler, case.id, kind="goods", amount_fen=None, description="米、面、油各一份")
        now = utcnow()
        services.add_visit(handler, case.id, visited_at=now - timedelta(days=1), visitors="工会干事、网格联络员",
                           notes="家中生活基本稳定，爱人正在求职。", next_visit_due=local_date(now) + timedelta(days=2))
    db.session.flush()
    return added
