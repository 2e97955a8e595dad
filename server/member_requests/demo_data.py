"""Demo requests for `flask demo`: a dozen across grids and statuses, with their timelines.

They are back-dated, so they are written as rows rather than through the services (which stamp "now" and
queue notices); their clocks come from the same clock functions, from their back-dated raising times.
Found again by title, so running the demo twice adds nothing.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Grid, Member
from . import clocks
from .models import LiaisonGrid, Request, RequestEvent, TimelineAction

H = timedelta(hours=1)
D = timedelta(days=1)
# D0007, the liaison of 第七网格, also serves 第十网格 (where the mini-program's demo member D0010 is).
ADDED_GRIDS = {7: ["第十网格"]}
STATUS_OF = {TimelineAction.accepted: "accepted", TimelineAction.resolved: "resolved",
             TimelineAction.confirmed: "closed", TimelineAction.reopened: "reopened"}


def _at(days: int, hour: int) -> datetime:
    day = datetime.now(SHANGHAI).date() - timedelta(days=days)
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)


def specs(now: datetime) -> list[dict]:
    """member: employee number's n; raised: when; steps: (after raising, actor n, action, body, internal)."""
    A, M, N, R, C, RO, G = (TimelineAction.accepted, TimelineAction.message, TimelineAction.note,
                           TimelineAction.resolved, TimelineAction.confirmed, TimelineAction.reopened,
                           TimelineAction.assigned)
    return [
        dict(member=16, raised=_at(12, 10), category="canteen", title="夜班下班后食堂没有热饭",
             content="夜班晚上十点下班，食堂已经关门，只能吃泡面，希望能留一个窗口。",
             steps=[(2 * H, 4, A, None, False), (3 * H, 4, M, "已向后勤保障部反映，请耐心等待。", False),
                    (3 * D, 4, R, "后勤保障部同意夜班窗口延长到22:30，下周一起执行。", False),
                    (4 * D, 16, C, "满意度 5 分", False)], satisfaction=5),
        dict(member=28, raised=_at(3, 9), category="workplace", title="二号车间通风不好",
             content="夏天车间温度高，排风扇坏了两台，工人容易中暑。",
             steps=[(1 * H, 4, A, None, False), (2 * H, 4, N, "已拍照，设备科说配件下周到。", True),
                    (3 * H, 4, M, "已联系设备科，配件到货后马上维修。", False)]),
        dict(member=17, raised=now - 2 * H, category="welfare", title="节日慰问品能否代领",
             content="我这周出差，慰问品能否请同事代领？", steps=[]),
        dict(member=29, raised=_at(20, 15), category="training", title="希望开设电工证培训",
             content="不少同事想考低压电工证，希望工会组织培训和报名。", steps=[]),  # never answered: overdue
        dict(member=18, raised=now - 6 * H, category="rights", title="工伤认定求助", urgent=True,
             content="上周在车间搬运时扭伤腰，公司说不算工伤，想请工会帮忙。",
             steps=[(1 * H, 2, A, None, False), (2 * H, 2, M, "已联系安全科调取当班记录，今天下午给您回电。", False)]),
        dict(member=30, raised=_at(2, 11), category="hardship", title="家庭变故申请帮扶", confidential=True,
             content="爱人重病住院，家里两个孩子上学，经济困难，申请困难帮扶。",
             steps=[(2 * H, 2, A, None, False), (3 * H, 2, N, "符合困难职工条件，提交主席审批。", True),
                    (4 * H, 2, M, "已受理，我们会尽快走审批流程，请保持电话畅通。", False)]),
        dict(member=10, raised=_at(5, 14), category="canteen", title="食堂菜价上涨",
             content="最近食堂几个菜都涨了一块钱，能否公示成本？",
             steps=[(1 * H, 7, A, None, False), (2 * D, 7, R, "后勤保障部已在食堂门口公示本月采购成本。", False)]),
        dict(member=10, raised=now - 1 * H, category="other", title="班车能否增加一个站点",
             content="新小区那边住了不少同事，希望班车在小区门口停一站。", steps=[]),
        dict(member=19, raised=_at(4, 16), raised_by=7, category="workplace", title="更衣柜不够用",
             content="新来的二十多名员工没有更衣柜，衣服只能放在车间。",
             steps=[(1 * H, 7, A, None, False), (1 * D, 2, G, None, False)], assignee=2),
        dict(member=31, raised=_at(20, 9), category="rights", title="加班费计算有误",
             content="上月加班24小时，工资条上只算了16小时。",
             steps=[(3 * H, 7, A, None, False), (5 * D, 7, R, "人力资源部已核对，差额随本月工资补发。", False),
                    (12 * D, 31, RO, "本月工资仍未补发。", False)]),
        dict(member=40, raised=_at(30, 10), category="other", title="停车位紧张",
             content="早班来晚了就没有车位，希望划出电动车停放区。",
             steps=[(4 * H, 4, A, None, False), (6 * D, 4, R, "行政部已在东门划出电动车停放区。", False),
                    (7 * D, 40, C, "满意度 4 分", False)], satisfaction=4),
        dict(member=41, raised=_at(3, 15), category="hardship", title="子女入学困难",
             content="孩子今年上小学，户口不在本地，入学遇到困难。", steps=[]),  # hardship: staff only
    ]


def load() -> int:
    """Add the demo requests not there yet (and D0007's added grid); returns how many."""
    people = {int(m.employee_no[1:]): m for m in db.session.scalars(
        select(Member).where(Member.employee_no.like("D%")))}
    _add_grids(people)
    now = utcnow()
    titles = set(db.session.scalars(select(Request.title)))
    created = 0
    for spec in specs(now):
        member = people.get(spec["member"])
        if spec["title"] in titles or member is None:
            continue
        _create(spec, member, people)
        created += 1
    db.session.flush()
    return created


def _add_grids(people) -> None:
    for n, names in ADDED_GRIDS.items():
        if n not in people:
            continue
        for grid_id in db.session.scalars(select(Grid.id).where(Grid.name.in_(names))):
            if db.session.get(LiaisonGrid, (people[n].id, grid_id)) is None:
                db.session.add(LiaisonGrid(member_id=people[n].id, grid_id=grid_id))
    db.session.flush()


def _create(spec: dict, member: Member, people: dict) -> None:
    raised, urgent, category = spec["raised"], spec.get("urgent", False), spec["category"]
    raiser = people.get(spec.get("raised_by")) if spec.get("raised_by") else None
    req = Request(member_id=member.id, raised_by_id=raiser.id if raiser else None, category=category,
                  title=spec["title"], content=spec["content"], urgent=urgent,
                  confidential=spec.get("confidential", False), status="submitted", grid_id=member.grid_id,
                  created_at=raised, updated_at=raised, escalation_level=0, reopen_count=0,
                  first_response_due_at=clocks.first_response_due(raised, urgent),
                  resolve_due_at=clocks.resolve_due(raised, category, urgent))
    db.session.add(req)
    db.session.flush()
    body = f"网格联络员{raiser.name}代会员{member.name}提交" if raiser else None
    events = [RequestEvent(request_id=req.id, at=raised, actor_id=(raiser or member).id,
                           action=TimelineAction.created, body=body)]
    for after, actor_n, action, text, internal in spec["steps"]:
        at, actor = raised + after, people[actor_n]
        if action == TimelineAction.assigned:
            text = f"指派给{people[spec['assignee']].name}"
        events.append(RequestEvent(request_id=req.id, at=at, actor_id=actor.id, action=action, body=text,
                                   internal=internal))
        if action in STATUS_OF:
            req.status = STATUS_OF[action]
        if req.first_response_at is None and actor.id != member.id and not internal \
                and action in (TimelineAction.accepted, TimelineAction.message, TimelineAction.resolved):
            req.first_response_at = at
        if action in (TimelineAction.accepted, TimelineAction.resolved) and req.assignee_id is None:
            req.assignee_id = actor.id
        if action == TimelineAction.resolved:
            req.resolved_at = at
        elif action == TimelineAction.confirmed:
            req.closed_at, req.satisfaction = at, spec.get("satisfaction")
        elif action == TimelineAction.reopened:
            req.resolved_at, req.reopen_count = None, req.reopen_count + 1
            req.resolve_due_at = clocks.resolve_due(at, category, urgent)
        req.updated_at = at
    if spec.get("assignee") in people:
        req.assignee_id = people[spec["assignee"]].id
    db.session.add_all(events)
