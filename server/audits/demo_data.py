"""Demo audits and improvement items: last year's procedure audit, marked and closed, with two findings on the
improvement list; the last ended half-year's fund audit, open with its automatic figures; a few items entered
by hand, one of them overdue and one owned by the mini-program's member D0010. No notices."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..improvements import services as improvements
from ..improvements.models import Improvement
from ..members.models import Member
from . import services
from .models import Audit, AuditItem

NOTES = {"awards_public": "年度先进评选未公示满 5 个工作日", "open_affairs": "第三季度厂务公开栏未更新"}


def _member(no: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.employee_no == no, Member.is_active.is_(True)))


def _item(title: str, owner: Member, days: int, staff_id: int, **kw) -> Improvement:
    today = utcnow().astimezone(SHANGHAI).date()
    return improvements.create(staff_id, title=title, owner_id=owner.id, due_date=today + timedelta(days=max(days, 0)),
                               notify=False, **kw)


def load() -> int:
    """Add what is missing; returns how many audits were added."""
    staff, head, member = _member("D0002"), _member("D0003"), _member("D0010")
    if not (staff and head and member):
        return 0
    now = utcnow().astimezone(SHANGHAI)
    added = 0
    year = str(now.year - 1)
    if db.session.scalar(select(Audit.id).where(Audit.kind == "procedure_annual", Audit.period == year)) is None:
        audit = services.create(staff.id, "procedure_annual", year)
        for item in services.items_of(audit):
            result = "fail" if item.key in NOTES else item.suggested or "pass"
            services.mark(staff.id, audit.id, item.id, result, NOTES.get(item.key) or (
                "系统数据显示未达标" if result == "fail" else None))
        for key, title, owner, days in (("awards_public", "评优结果补充公示并建立公示台账", head, 20),
                                        ("open_affairs", "恢复厂务公开栏每季度更新", member, 10)):
            item = db.session.scalar(select(AuditItem).where(AuditItem.audit_id == audit.id, AuditItem.key == key))
            services.add_finding(staff.id, audit.id, item.id, title=title, owner_id=owner.id,
                                 due_date=now.date() + timedelta(days=days), notify=False)
        failed = db.session.scalars(select(AuditItem.id).where(AuditItem.audit_id == audit.id,
                                                               AuditItem.result.is_(None)))
        if not list(failed):
            services.close(staff.id, audit.id)
        added += 1
    half = f"{now.year - 1}H2" if now.month <= 6 else f"{now.year}H1"
    if db.session.scalar(select(Audit.id).where(Audit.kind == "fund_semiannual", Audit.period == half)) is None:
        services.create(staff.id, "fund_semiannual", half)
        added += 1
    titles = set(db.session.scalars(select(Improvement.title)))
    if "职工书屋延长开放时间" not in titles:
        _item("职工书屋延长开放时间", member, 3, staff.id, description="夜班职工反映书屋 18:00 关门，无法借阅。")
    if "诉求首次响应提速" not in titles:
        _item("诉求首次响应提速", head, 30, staff.id, source="report", figure="requests.on_time_rate", target=0.95,
              description="效能报告显示按时率低于目标。")
    if "更衣室储物柜维修" not in titles:
        late = _item("更衣室储物柜维修", head, 0, staff.id, description="二车间更衣室 12 个柜门损坏。")
        # Shown overdue in the demo: as if entered three weeks ago with a due date last week.
        due = now.date() - timedelta(days=5)
        db.session.execute(update(Improvement).where(Improvement.id == late.id).values(
            due_date=due, due_at=improvements.due_at_of(due), warn_at=improvements.warn_at_of(due),
            created_at=utcnow() - timedelta(days=21), warned_at=utcnow() - timedelta(days=8), escalation=1))
    db.session.flush()
    return added
