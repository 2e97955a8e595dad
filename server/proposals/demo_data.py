"""Demo congress session with proposals in every state, one confidential. Rows are written directly (as
their steps would leave them, timeline included) so loading the demo sends no notices."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from ..workdays.calendar import working_days_deadline
from .handling import end_of
from .models import CongressSession, Proposal, ProposalCosigner, ProposalEvent

SESSION_NAME = "第五届职工代表大会第三次会议"
SPECS = [
    # (proposer, co-signers, title, problem, solution, department, status, confidential)
    (10, [11], "增设夜班职工班车", "夜班 22:00 下班后公交已停运，职工打车回家成本高、不安全。",
     "开通 22:30 厂区至城区的夜班班车两条线路。", "行政后勤部", "draft", False),
    (11, [12, 13], "食堂增加夜宵窗口", "夜班职工无处就餐，只能自带冷食。", "22:00—24:00 开放一个夜宵窗口。",
     "行政后勤部", "submitted", False),
    (12, [13, 14], "车间加装降温设备", "夏季锻造车间温度超过 38℃，多名职工中暑。", "加装冷风机并设置清凉饮品点。",
     "安全环保部", "accepted", False),
    (13, [14, 15], "完善技能等级津贴", "技能等级提升后津贴发放滞后半年以上。", "等级认定次月起发放津贴。",
     "人力资源部", "assigned", False),
    (14, [15, 16], "更衣室改造", "装配车间更衣室面积小、通风差。", "扩建更衣室并加装排风扇。", "行政后勤部",
     "completed", False),
    (15, [16, 17], "调整年休假审批流程", "年休假审批需五级签字，耗时长。", "改为线上审批，两级签字。",
     "人力资源部", "opinion", False),
    (16, [17, 18], "建设职工健身房", "厂区附近无健身场所。", "利用闲置仓库建设职工健身房。", "工会",
     "rejected", False),
    (17, [18, 19], "班组长管理方式问题", "个别班组长安排加班不公平，职工不敢反映。", "建立匿名反映渠道并定期督查。",
     "生产管理部", "in_progress", True),
]


def load() -> int:
    """The demo session and its proposals, once; returns how many proposals were added."""
    if db.session.scalar(select(CongressSession.id).where(CongressSession.name == SESSION_NAME)):
        return 0
    wanted = {f"D{n:04d}" for spec in SPECS for n in [spec[0], *spec[1]]} | {"D0002"}
    members = {m.employee_no: m.id for m in db.session.scalars(select(Member).where(Member.employee_no.in_(wanted)))}
    if len(members) < len(wanted):
        return 0
    staff = members["D0002"]
    now = utcnow()
    closes = now + timedelta(days=20)
    session = CongressSession(name=SESSION_NAME, closes_at=closes, min_cosigners=2, created_by=staff,
                              assignment_due_at=working_days_deadline(closes, 7),
                              assignment_warn_at=working_days_deadline(closes, 6), created_at=now - timedelta(days=10))
    db.session.add(session)
    db.session.flush()
    today = now.astimezone(SHANGHAI).date()
    for i, (who, signers, title, problem, solution, dept, status, confidential) in enumerate(SPECS):
        proposer = members[f"D{who:04d}"]
        t = now - timedelta(days=9 - i)
        p = Proposal(session_id=session.id, member_id=proposer, title=title, problem=problem, solution=solution,
                     department=dept, confidential=confidential, status=status, created_at=t, updated_at=now,
                     co_departments=[])
        db.session.add(p)
        db.session.flush()
        steps = [(t, proposer, "created", None, None)]
        for k, s in enumerate(signers):
            db.session.add(ProposalCosigner(proposal_id=p.id, member_id=members[f"D{s:04d}"],
                                            at=t + timedelta(hours=k + 1)))
            steps.append((t + timedelta(hours=k + 1), members[f"D{s:04d}"], "cosigned", None, None))
        if status != "draft":
            p.submitted_at = t + timedelta(hours=5)
            p.assignment_due_at, p.assignment_warn_at = session.assignment_due_at, session.assignment_warn_at
            steps.append((p.submitted_at, proposer, "submitted", None, None))
        if status not in ("draft", "submitted"):
            p.reviewed_at = t + timedelta(days=1)
            decision = {"opinion": "opinion", "rejected": "rejected"}.get(status, "accepted")
            p.review_reason = "厂区暂无合适场地，已转工会年度计划研究" if status == "rejected" else None
            steps.append((p.reviewed_at, staff, decision, p.review_reason, None))
        if status in ("assigned", "in_progress", "completed"):
            p.assigned_at = t + timedelta(days=1, hours=2)
            p.lead_department, p.co_departments = dept, ["工会"]
            p.due_date = today + timedelta(days=30 if status != "completed" else -1)
            p.due_at = end_of(p.due_date)
            steps.append((p.assigned_at, staff, "assigned", f"牵头部门：{dept}；协办部门：工会", None))
        if status in ("in_progress", "completed"):
            steps.append((t + timedelta(days=2), None, "update", "已完成现场调研，正在制定方案。", dept))
        if status == "completed":
            p.completed_at, p.report, p.grade, p.satisfaction = (t + timedelta(days=3), "更衣室已扩建并投入使用。",
                                                                 "A", 5)
            steps.append((p.completed_at, staff, "completed", "办结等级：A\n更衣室已扩建并投入使用。", None))
            steps.append((p.completed_at + timedelta(hours=3), proposer, "rated", "满意度 5 分", None))
        db.session.add_all([ProposalEvent(proposal_id=p.id, at=at, actor_id=actor, action=action, body=body,
                                          department=d, images=[]) for at, actor, action, body, d in steps])
    db.session.flush()
    return len(SPECS)
