"""Proposals' clocks in the one scheduler (job ``proposal_clocks``), the requests' pattern
(member_requests/jobs.py): each step is one ``UPDATE … WHERE <not yet stepped> … RETURNING`` in the
transaction that writes the timeline events and the notices, so a second run, a second scheduler or a
restart matches nothing; the rows a step took go to one notice per group told, never one per proposal.

Steps: the assignment clock (7 working days from the session's close) warns staff one working day before
(``assignment_warn_at``), escalates to staff when overdue, and to the chair/secretary 24 hours later; the lead
department's clock (the end of ``due_date``) warns staff 24 hours before and escalates to staff when overdue
(heads have no account: staff pass it on, or send the head a link).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, update

from ..core.extensions import db, transaction
from ..core.timeutil import utcnow
from ..member_requests.jobs import listing, local_text, members_with_role, span_text
from . import notify
from .models import AWAITING_ASSIGNMENT, IN_HAND, Proposal, ProposalAction, ProposalEvent

LEVEL2_AFTER = timedelta(hours=24)
DUE_WARN_BEFORE = timedelta(hours=24)
QUEUE_PAGE = "pages/proposals/index"
CLAIMED = (Proposal.id, Proposal.title, Proposal.confidential, Proposal.assignment_due_at, Proposal.due_at,
           Proposal.lead_department)


def claim(stmt, action: str, body: str, now: datetime) -> list:
    """Run a step's UPDATE, write one timeline event per row it took (one executemany); return the rows."""
    rows = db.session.execute(stmt.returning(*CLAIMED).execution_options(synchronize_session=False)).all()
    if rows:
        db.session.execute(insert(ProposalEvent), [
            {"proposal_id": r.id, "at": now, "actor_id": None, "action": action, "body": body, "images": []}
            for r in rows])
    return rows


def label(r) -> str:
    return f"#{r.id:04d} 保密提案" if r.confidential else f"#{r.id:04d}「{r.title}」"


def _tell(who, title: str, intro: str, rows: list, line) -> int:
    return 1 if rows and notify.send(who, title, intro + listing(rows, line), QUEUE_PAGE) else 0


def warn_assignment(now: datetime) -> dict:
    rows = claim(update(Proposal).where(
        Proposal.assign_warned_at.is_(None), Proposal.status.in_([str(s) for s in AWAITING_ASSIGNMENT]),
        Proposal.assignment_warn_at <= now, Proposal.assignment_due_at > now,
    ).values(assign_warned_at=now), ProposalAction.warned, "交办期限将至，已提醒工会干事", now)
    rows.sort(key=lambda r: r.assignment_due_at)
    def line(r):
        return f"{label(r)} 交办截止 {local_text(r.assignment_due_at)}（还剩{span_text(r.assignment_due_at - now)}）"

    sent = _tell(members_with_role("staff"), f"提案即将超过交办期限：{len(rows)} 件", "以下提案须在期限内交办：\n",
                 rows, line)
    return {"proposals": len(rows), "notices": sent}


def escalate_assignment(now: datetime) -> dict:
    one = claim(update(Proposal).where(
        Proposal.assign_escalation == 0, Proposal.status.in_([str(s) for s in AWAITING_ASSIGNMENT]),
        Proposal.assignment_due_at <= now,
    ).values(assign_escalation=1, assign_escalated_at=now), ProposalAction.escalated,
        "超过交办期限，已升级至工会干事", now)
    one.sort(key=lambda r: r.assignment_due_at)

    def line(r):
        return f"{label(r)} 交办已超时{span_text(now - r.assignment_due_at)}"

    sent = _tell(members_with_role("staff"), f"提案超过交办期限：{len(one)} 件",
                 "以下提案已超过 7 个工作日交办期限：\n", one, line)
    two = claim(update(Proposal).where(
        Proposal.assign_escalation == 1, Proposal.status.in_([str(s) for s in AWAITING_ASSIGNMENT]),
        Proposal.assign_escalated_at <= now - LEVEL2_AFTER,
    ).values(assign_escalation=2), ProposalAction.escalated, "超时一天仍未交办，已报告工会主席", now)
    two.sort(key=lambda r: r.assignment_due_at)
    sent += _tell(members_with_role("secretary"), f"提案超时未交办：{len(two)} 件",
                  "以下提案超时一天仍未交办，请督办：\n", two, line)
    return {"proposals": len(one) + len(two), "level1": len(one), "level2": len(two), "notices": sent}


def due_clock(now: datetime) -> dict:
    warned = claim(update(Proposal).where(
        Proposal.due_warned_at.is_(None), Proposal.status.in_([str(s) for s in IN_HAND]),
        Proposal.due_at <= now + DUE_WARN_BEFORE, Proposal.due_at > now,
    ).values(due_warned_at=now), ProposalAction.warned, "办理期限将至，已提醒工会干事", now)
    warned.sort(key=lambda r: r.due_at)
    sent = _tell(members_with_role("staff"), f"提案办理期限将至：{len(warned)} 件",
                 "以下提案的牵头部门答复期限将至：\n", warned,
                 lambda r: f"{label(r)} {r.lead_department} 截止 {local_text(r.due_at)}")
    late = claim(update(Proposal).where(
        Proposal.due_escalated_at.is_(None), Proposal.status.in_([str(s) for s in IN_HAND]), Proposal.due_at <= now,
    ).values(due_escalated_at=now), ProposalAction.escalated, "牵头部门超过办理期限，已报告工会干事", now)
    late.sort(key=lambda r: r.due_at)
    sent += _tell(members_with_role("staff"), f"提案超过办理期限：{len(late)} 件",
                  "以下提案的牵头部门已超过办理期限：\n", late,
                  lambda r: f"{label(r)} {r.lead_department} 已超时{span_text(now - r.due_at)}")
    return {"proposals": len(warned) + len(late), "warned": len(warned), "late": len(late), "notices": sent}


def run_clocks(now: datetime | None = None) -> dict:
    """The scheduler's pass; each step its own unit of work. Needs an app context."""
    now = now or utcnow()
    with transaction():
        warned = warn_assignment(now)
    with transaction():
        escalated = escalate_assignment(now)
    with transaction():
        due = due_clock(now)
    return {"warned": warned, "escalated": escalated, "due": due}
