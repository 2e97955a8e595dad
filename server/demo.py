"""`flask --app server demo`: demo data to try the mini-program and the console (idempotent).

Members go through the roster import and events through the events services, so the data obeys
the same rules as real data. Running it again finds everything by employee number or event title
and changes nothing.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from .events import services as events
from .events.models import Checkin, Event
from .extensions import db
from .members.cli import require_schema
from .members.models import Department, Grid, Member, Tag
from .members.roster import RosterRow, import_rows
from .timeutil import SHANGHAI, utcnow

DEMO_PASSWORD = "demo1234"
DEPARTMENTS = ("生产一部", "生产二部", "技术部", "质量部", "行政部", "后勤保障部")
GRIDS = tuple(f"第{n}网格" for n in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"))
POST_TAG = {"生产一部": "生产岗", "生产二部": "生产岗", "技术部": "技术岗", "质量部": "技术岗",
            "行政部": "管理岗", "后勤保障部": "管理岗"}
NAMES = (
    "王建国 李秀英 张伟 刘洋 陈静 杨帆 赵磊 黄丽 周强 吴敏 徐峰 孙燕 胡斌 朱红 高翔 林娜 何军 郭芳 马超 罗琳 "
    "梁勇 宋佳 郑浩 谢婷 韩冰 唐亮 冯雪 于波 董洁 萧然 程刚 曹颖 袁野 邓辉 许晴 傅明 沈莉 曾鹏 彭玲 吕斌 "
    "苏敏 卢涛 蒋欣 蔡文 贾强 丁香 魏东 薛梅 叶青 阎华"
).split()
ROLES = {1: "admin;staff", 2: "staff", 3: "secretary"}
LIAISONS = (4, 5, 6, 7)  # D0004–D0007 are the liaisons of their grids (四 to 七)


def _employee_no(n: int) -> str:
    return f"D{n:04d}"


def roster_rows() -> list[RosterRow]:
    rows = []
    for n, name in enumerate(NAMES, start=1):
        department, grid = DEPARTMENTS[(n - 1) % len(DEPARTMENTS)], GRIDS[(n - 1) % len(GRIDS)]
        tags = [POST_TAG[department], "新员工" if n % 3 == 0 else "老员工"]
        if n % 4 == 0:
            tags.append("40岁以上")
        if n % 11 == 0:
            tags.append("困难职工")
        rows.append(RosterRow(
            line=n + 1, employee_no=_employee_no(n), name=name, phone=f"1380000{n:04d}", department=department,
            grid=grid, roles=ROLES.get(n, "liaison" if n in LIAISONS else "member"), tags=";".join(tags),
        ))
    return rows


def _local(days: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Shanghai, ``days`` from today, as aware UTC."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(timezone.utc)


def _members(numbers) -> list[Member]:
    nos = [_employee_no(n) for n in numbers]
    found = {m.employee_no: m for m in db.session.scalars(select(Member).where(Member.employee_no.in_(nos)))}
    return [found[no] for no in nos if no in found]


def _event_specs(now: datetime) -> list[dict]:
    soon = now.replace(second=0, microsecond=0) + timedelta(minutes=30)
    return [
        dict(title="职工篮球友谊赛", kind="activity", location="职工活动中心篮球场",
             description="各部门组队参赛，名额有限，满员后进入候补。",
             starts_at=_local(6, 15), ends_at=_local(6, 17), signup_closes_at=_local(5, 18),
             capacity=10, waitlist=True, sign_up=range(11, 20)),  # 9 of 10 seats: one left, then the waiting list
        dict(title="生产一部安全生产培训", kind="training", location="一号厂房会议室",
             description="仅面向生产一部职工。", starts_at=_local(3, 9), ends_at=_local(3, 11), capacity=40,
             audience={"departments": ["生产一部"]}, sign_up=range(1, 51, 6)),
        dict(title="职工之家开放日", kind="activity", location="职工之家",
             description="无需报名，现场签到即可参加。", starts_at=_local(8, 10), ends_at=_local(8, 16),
             walk_in=True, sign_up=range(20, 25)),
        dict(title="今日健康知识讲座", kind="lecture", location="行政楼三楼报告厅",
             description="签到已开放，可扫描现场二维码签到。", starts_at=soon, ends_at=soon + timedelta(hours=2),
             capacity=60, sign_up=[1, 2, 3, 10, *range(25, 40)]),
        dict(title="春季健步走", kind="volunteer", location="滨江步道", description="已结束的活动。",
             starts_at=_local(-20, 8, 30), ends_at=_local(-20, 11), capacity=50,
             sign_up=range(1, 25), checked_in=range(1, 19)),
        dict(title="劳动法知识讲座", kind="lecture", location="行政楼三楼报告厅", description="法律门诊专场。",
             starts_at=_local(-45, 14), ends_at=_local(-45, 16), capacity=80,
             sign_up=range(20, 40), checked_in=range(20, 34)),
    ]


def _create_event(spec: dict, created_by: int) -> None:
    sign_up, checked_in = list(spec.pop("sign_up", ())), set(spec.pop("checked_in", ()))
    starts_at, ends_at = spec["starts_at"], spec["ends_at"]
    past = ends_at <= utcnow()
    if past:
        # Sign-up is closed for a past event, so sign up while it is still ahead, then move it back.
        spec["starts_at"], spec["ends_at"] = utcnow() + timedelta(days=1), utcnow() + timedelta(days=1, hours=2)
    event = events.create_event(created_by=created_by, **spec)
    regs = {m.id: events.register(m.id, event.id)[0] for m in _members(sign_up)}
    if past:
        event.starts_at, event.ends_at, event.signup_closes_at = starts_at, ends_at, starts_at
        db.session.add_all(
            Checkin(event_id=event.id, member_id=m.id, registration_id=regs[m.id].id, method="code",
                    checked_in_at=starts_at + timedelta(minutes=m.id % 20))
            for m in _members(checked_in)
        )
    db.session.flush()


def load_demo() -> dict:
    """Load the demo data; returns how many of each kind were created and the demo rows skipped."""
    # A demo row clashing with real data (a phone already taken) is skipped and reported, not forced.
    report = import_rows(roster_rows())

    passwords = 0
    for m in _members(ROLES):
        if m.password_hash is None:  # never overwrite a password someone has since changed
            m.password_hash = generate_password_hash(DEMO_PASSWORD)
            passwords += 1

    staff = _members([2])
    staff_id = staff[0].id if staff else None
    titles = set(db.session.scalars(select(Event.title)))
    created_events = 0
    for spec in _event_specs(utcnow()):
        if spec["title"] not in titles:
            _create_event(spec, staff_id)
            created_events += 1
    db.session.flush()
    return {"members": report.created, "members_updated": report.updated, "passwords": passwords,
            "events": created_events, "skipped": [str(r) for r in report.rejected]}


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo data (idempotent): departments, grids, tags, 50 members, events."""
    require_schema()
    created = load_demo()
    db.session.commit()

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    click.echo(f"演示数据已就绪：部门 {count(Department)}，网格 {count(Grid)}，标签 {count(Tag)}，"
               f"会员 {count(Member)}（本次新增 {created['members']}），活动 {count(Event)}（本次新增 {created['events']}）")
    for line in created["skipped"]:
        click.echo(f"跳过演示会员 {line}", err=True)
    click.echo("\n管理后台登录（POST /api/v1/auth/password-login，工号 + 密码）：")
    for n, role in ROLES.items():
        click.echo(f"  {_employee_no(n)}  {NAMES[n - 1]}  {role.replace(';', '+')}  密码 {DEMO_PASSWORD}")
    click.echo("\n小程序普通会员：D0010 {}，手机 13800000010".format(NAMES[9]))
    click.echo('  通过假微信服务器登录：wx.login 的 code 写作 "code-<openid>"（如 code-demo-d0010），'
               "再用手机号 13800000010 绑定名册；")
    click.echo("  开发环境也可用 POST /api/v1/auth/dev-login {\"employee_no\": \"D0010\"}（需 AUTH_DEV_LOGIN=1）。")
    click.echo("  联络员：D0004–D0007（第四至第七网格）。")
