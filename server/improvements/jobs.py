"""The improvement clock in the one scheduler (job ``improvement_clocks``), the proposals' pattern: each step is
one ``UPDATE … WHERE <not yet stepped> … RETURNING`` in the transaction that writes the timeline events and the
notices, so a second run, a second scheduler or a restart matches nothing. The rows a step took are grouped by
who is told: one notice per owner, one to the secretaries, one to the admins, never one per item.

Steps: three working days before the due date the owner is warned (``warn_at``, fixed at creation by the
working-day calendar); once overdue the owner is told and the secretaries get the list (escalation 1); seven
days overdue the admins get the list (escalation 2).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import insert, update

from ..core.extensions import db, transaction
from ..core.timeutil import utcnow
from ..member_requests.jobs import listing, members_with_role, span_text
from . import services
from .models import Improvement, ImprovementAction, ImprovementEvent, ImprovementStatus

ADMINS_AFTER = timedelta(days=7)
CLAIMED = (Improvement.id, Improvement.title, Improvement.owner_id, Improvement.due_date, Improvement.due_at)


def claim(stmt, action: str, body: str, now: datetime) -> list:
    rows = db.session.execute(stmt.returning(*CLAIMED).execution_options(synchronize_session=False)).all()
    if rows:
        db.session.execute(insert(ImprovementEvent), [
            {"improvement_id": r.id, "at": now, "actor_id": None, "action": action, "body": body} for r in rows])
    return sorted(rows, key=lambda r: (r.due_at, r.id))


def _by_owner(rows, title, intro, line) -> int:
    groups = defaultdict(list)
    for r in rows:
        groups[r.owner_id].append(r)
    for owner_id, items in groups.items():
        services._tell([owner_id], title.format(n=len(items)), intro + listing(items, line))
    return len(groups)


def _group(who, rows, title, intro, line) -> int:
    if not rows or not who:
        return 0
    services._tell(who, title.format(n=len(rows)), intro + listing(rows, line))
    return 1


def warn(now: datetime) -> dict:
    rows = claim(update(Improvement).where(
        Improvement.status == ImprovementStatus.open, Improvement.warned_at.is_(None),
        Improvement.warn_at <= now, Improvement.due_at > now,
    ).values(warned_at=now), ImprovementAction.warned, "整改期限将至，已提醒负责人", now)
    sent = _by_owner(rows, "整改事项即将到期：{n} 项", "以下整改事项即将到期，请按时完成：\n",
                     lambda r: f"「{r.title}」 期限 {r.due_date:%m月%d日}")
    return {"items": len(rows), "notices": sent}


def overdue(now: datetime) -> dict:
    one = claim(update(Improvement).where(
        Improvement.status == ImprovementStatus.open, Improvement.escalation == 0, Improvement.due_at <= now,
    ).values(escalation=1), ImprovementAction.overdue, "已逾期，已告知负责人并报告工会主席", now)

    def line(r):
        return f"「{r.title}」 期限 {r.due_date:%m月%d日}，已逾期{span_text(now - r.due_at)}"

    names = services.names(r.owner_id for r in one)
    sent = _by_owner(one, "整改事项已逾期：{n} 项", "以下由您负责的整改事项已逾期，请尽快完成：\n", line)
    sent += _group(members_with_role("secretary"), one, "整改事项逾期：{n} 项", "以下整改事项已逾期，请督办：\n",
                   lambda r: f"{line(r)}（负责人 {names.get(r.owner_id, '')}）")
    two = claim(update(Improvement).where(
        Improvement.status == ImprovementStatus.open, Improvement.escalation == 1,
        Improvement.due_at <= now - ADMINS_AFTER,
    ).values(escalation=2), ImprovementAction.escalated, "逾期 7 天仍未完成，已报告管理员", now)
    names.update(services.names(r.owner_id for r in two))
    sent += _group(members_with_role("admin"), two, "整改事项逾期超过 7 天：{n} 项",
                   "以下整改事项逾期超过 7 天仍未完成：\n",
                   lambda r: f"{line(r)}（负责人 {names.get(r.owner_id, '')}）")
    return {"items": len(one) + len(two), "overdue": len(one), "admins": len(two), "notices": sent}


def run_clocks(now: datetime | None = None) -> dict:
    """The scheduler's pass; each step its own unit of work. Needs an app context."""
    now = now or utcnow()
    with transaction():
        warned = warn(now)
    with transaction():
        late = overdue(now)
    return {"warned": warned, "overdue": late}
