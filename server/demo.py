"""`flask --app server demo`: demo data to try the mini-program and the console (idempotent).

Members go through the roster import and events through the events services, so the data obeys
the same rules as real data. Running it again finds everything by employee number or event title
and changes nothing.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from .audits import demo_data as audit_demo
from .awards import demo_data as award_demo
from .benefits import demo_data as benefit_demo
from .bookings.booking import book_slot
from .bookings.calendars import create_calendar
from .bookings.models import Booking, Calendar, Slot
from .bookings.slots import announce_slots, create_slots
from .care import demo_data as care_demo
from .core.extensions import db, transaction
from .core.timeutil import SHANGHAI, utcnow
from .council import demo_data as council_demo
from .craftsman import demo_data as craftsman_demo
from .events import lifecycle, signup
from .events.models import Checkin, Event
from .fund import demo_data as fund_demo
from .fund import services as fund_services
from .member_requests import demo_data as request_demo
from .member_requests.models import Request
from .members.cli import require_schema
from .members.models import Department, Grid, Member, Tag, WechatUser
from .members.roster import RosterRow, import_rows
from .notices import services as notices
from .notices.models import Notice, SubscriptionQuota
from .procurements import demo_data as procurement_demo
from .proposals import demo_data as proposal_demo
from .proposals.models import Proposal
from .reports import demo_data as report_demo
from .suggestions import services as suggestions
from .suggestions.models import Suggestion
from .surveys import answering as survey_answering
from .surveys import services as surveys
from .surveys.models import Survey
from .volunteers import demo_data as volunteer_demo
from .votes import demo_data as vote_demo
from .votes.models import Vote

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
MINIPROGRAM_MEMBER = 10  # D0010, bound to the WeChat user below, with consent for a few notice pushes
DEMO_OPENID = "demo-d0010"  # the fake WeChat server signs in js_code "code-demo-d0010" as this openid
DEMO_PUSH_CONSENTS = 5


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
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


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
        dict(title="职工书法培训班", kind="training", location="职工之家书画室",
             description="零基础可报名，名额已满，报名进入候补，有人取消时按顺序递补。",
             starts_at=_local(4, 14), ends_at=_local(4, 16), capacity=8, waitlist=True,
             sign_up=range(26, 37)),  # 8 confirmed, 3 on the waiting list; D0010 may join it
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
        *_past_event_specs(),
    ]


# Past events spread over the last year, so the dashboard's participation chart (check-ins per month by
# department) has something to show: each signs up a different slice of the roster (so of departments).
PAST_EVENTS = (("职工读书分享会", "activity"), ("消防安全演练", "training"), ("中秋游园会", "activity"),
               ("女职工健康讲座", "lecture"), ("岗位技能比武", "training"), ("端午包粽子活动", "activity"),
               ("劳模事迹报告会", "lecture"), ("植树节义务劳动", "volunteer"), ("新春联欢会", "activity"),
               ("职工羽毛球赛", "activity"))


def _past_event_specs() -> list[dict]:
    specs = []
    for i, (title, kind) in enumerate(PAST_EVENTS):
        day = -70 - 28 * i  # about one a month, from two to eleven months ago
        members = range(1 + i % 5, 51, 1 + i % 3)
        specs.append(dict(title=title, kind=kind, location="职工活动中心", description="已结束的活动。",
                          starts_at=_local(day, 14), ends_at=_local(day, 16),
                          sign_up=members, checked_in=[n for n in members if (n + i) % 4]))
    return specs


def _create_event(spec: dict, created_by: int) -> None:
    sign_up, checked_in = list(spec.pop("sign_up", ())), set(spec.pop("checked_in", ()))
    starts_at, ends_at = spec["starts_at"], spec["ends_at"]
    past = ends_at <= utcnow()
    if past:
        # Sign-up is closed for a past event, so sign up while it is still ahead, then move it back.
        spec["starts_at"], spec["ends_at"] = utcnow() + timedelta(days=1), utcnow() + timedelta(days=1, hours=2)
    event = lifecycle.create_event(created_by=created_by, **spec)
    regs = {m.id: signup.register(m.id, event.id)[0] for m in _members(sign_up)}
    if past:
        event.starts_at, event.ends_at, event.signup_closes_at = starts_at, ends_at, starts_at
        db.session.add_all(
            Checkin(event_id=event.id, member_id=m.id, registration_id=regs[m.id].id, method="code",
                    checked_in_at=starts_at + timedelta(minutes=m.id % 20))
            for m in _members(checked_in)
        )
    db.session.flush()


def _calendar_specs() -> list[dict]:
    """Calendars with their slots (day offset, first and last start hour, minutes, seats) and bookings
    (member number, slot index, topic). Members tagged 40岁以上 are D0004, D0008, …"""
    return [
        dict(kind="health_check", title=f"{datetime.now(SHANGHAI).year}年度职工体检", location="职工医院体检中心二楼",
             audience={"tags": ["40岁以上"]}, max_active_per_member=1, cancel_cutoff_hours=24,
             days=[(5, 8, 11, 30, 4), (6, 8, 11, 30, 4), *_today_hours()],
             # The last two on today's slots (12 and 13, after 6 a day), for the dashboard's "today's bookings".
             bookings=[(4, 0, None), (8, 0, None), (12, 1, None), (16, 12, None), (20, 13, None)]),
        dict(kind="reception_day", title="书记接待日", location="工会办公室（行政楼201）", host="工会主席 张伟",
             max_active_per_member=1, cancel_cutoff_hours=24, days=[(10, 14, 17, 30, 1)],
             bookings=[(10, 0, "车间夜班休息室空调老旧，夏天很难休息，希望更换。"),
                       (21, 2, "想了解困难职工帮扶的申请流程。")]),
        dict(kind="legal_clinic", title="法律门诊", location="职工服务中心法律援助室", host="特邀律师 陈静",
             max_active_per_member=1, cancel_cutoff_hours=12, days=[(13, 9, 11, 60, 2)],
             bookings=[(15, 0, None)]),
    ]


def _today_hours() -> list[tuple]:
    """Slots later today (Beijing) from the next whole hour but one, while today has two hours left."""
    first = datetime.now(SHANGHAI).hour + 2
    return [(0, first, first + 1, 30, 4)] if first + 1 <= 23 else []


def _create_calendar(spec: dict, created_by: int | None) -> None:
    days, booked = spec.pop("days"), spec.pop("bookings")
    calendar = create_calendar(created_by=created_by, **spec)
    spans = []
    for day, first, last, minutes, seats in days:
        start = _local(day, first)
        while start <= _local(day, last) - timedelta(minutes=minutes):
            spans.append((start, start + timedelta(minutes=minutes), seats))
            start += timedelta(minutes=minutes)
    _, slots = create_slots(calendar.id, spans, None, ["slots"] * len(spans))
    if calendar.kind == "reception_day":
        # Announced to every member, as when the secretary chooses to send the announcement.
        announce_slots(calendar.id, [s.id for s in slots], None)
    members = {m.employee_no: m for m in _members(n for n, _, _ in booked)}
    for n, index, topic in booked:
        if index < len(slots) and (m := members.get(_employee_no(n))) is not None:
            book_slot(m.id, slots[index].id, topic)


def _notice_specs() -> list[dict]:
    return [
        dict(title="关于开展2026年职工疗休养活动的通知", channels=["push", "sms"], audience={"all": True},
             body="经工会委员会研究，今年职工疗休养活动分三批进行，每批五天。请有意参加的会员于本月底前"
                  "在小程序报名，或向所在网格联络员报名。", send_at=None),
        dict(title="节日慰问品发放通知", channels=["push", "poster"],
             audience={"departments": ["生产一部", "生产二部"]},
             body="节日慰问品将于三天后起在各车间发放，请凭工牌领取。夜班职工可委托班组长代领。",
             send_at=_local(3, 9)),
    ]


def _suggestion_specs() -> list[dict]:
    """Anonymous suggestions from members (the quota counts per member, as in the app) and the
    union's answers; the first is answered and published on the board."""
    return [
        dict(member=11, category="canteen_facilities", title="食堂晚餐供应时间",
             content="夜班职工下班时食堂已经关门，希望晚餐供应延长到晚上八点。",
             reply="已与后勤保障部沟通，自下月起晚餐供应延长至20:00。感谢您的建议！", public=True),
        dict(member=17, category="workplace_safety", title="二号厂房通道照明",
             content="二号厂房东侧通道晚上照明不足，搬运时容易绊倒。",
             reply="已转交设备科现场查看，本周内更换灯具。", public=False),
        dict(member=23, category="management", title=None,
             content="希望工会活动多安排在周末，倒班职工平时很难参加。", reply=None, public=False),
    ]


def _create_suggestions(specs: list[dict]) -> int:
    """Submit as the members would, file the batch at once (a demo has no time to wait for company),
    then answer."""
    submitted = []
    for spec in specs:
        member = _members([spec["member"]])
        if member:
            suggestion, _receipt = suggestions.submit(member[0].id, spec["category"], spec["title"], spec["content"])
            submitted.append((suggestion.id, spec))
    suggestions.file_held(force=True)
    for suggestion_id, spec in submitted:
        if spec["reply"]:
            suggestions.add_message(suggestions.get(suggestion_id), "staff", spec["reply"])
            suggestions.update_suggestion(suggestion_id, "answered", spec["public"] or None)
    return len(submitted)


NEEDS_SURVEY = "职工需求画像调查"
SATISFACTION_SURVEY = "会员满意度测评（匿名）"


def _survey_specs(now: datetime) -> list[dict]:
    opens, closes = now - timedelta(days=1), now + timedelta(days=14)
    return [
        dict(title=NEEDS_SURVEY, anonymous=False, audience={}, opens_at=opens, closes_at=closes,
             description="用于建立会员需求画像，帮助工会精准开展服务。您的选择会作为标签记入会员档案。",
             questions=[
                 {"kind": "single", "text": "您的岗位类别", "options": ["生产岗", "技术岗", "管理岗"],
                  "option_tags": {"0": "生产岗", "1": "技术岗", "2": "管理岗"}},
                 {"kind": "single", "text": "您在本单位的工龄", "options": ["3年以内", "3年及以上"],
                  "option_tags": {"0": "新员工", "1": "老员工"}},
                 {"kind": "multiple", "text": "您目前最需要工会提供哪些帮助", "required": False,
                  "options": ["困难帮扶", "职业发展", "文体活动", "法律咨询"],
                  "option_tags": {"0": "需困难帮扶", "1": "需职业发展"}},
                 {"kind": "text", "text": "还有什么想对工会说的", "required": False},
             ]),
        dict(title=SATISFACTION_SURVEY, anonymous=True, audience={}, opens_at=opens, closes_at=closes,
             description="匿名填写，工会只能看到汇总结果，看不到谁填了什么。",
             questions=[
                 {"kind": "scale", "text": "对工会活动组织的满意度"},
                 {"kind": "scale", "text": "对诉求办理速度的满意度"},
                 {"kind": "scale", "text": "对职工食堂的满意度"},
                 {"kind": "text", "text": "您对工会工作的意见和建议", "required": False},
             ]),
    ]


SATISFACTION_TEXTS = ["希望多组织一些周末的亲子活动", "诉求反馈很及时，点赞", "食堂夜班的菜品可以再丰富些",
                      "职工书屋的新书更新慢", "希望增加技能培训名额", "倒班职工参加活动不方便"]


def _create_surveys(staff_id: int | None) -> int:
    """Two open surveys: the identified needs profile with some answers (their tags reach the members),
    and the anonymous satisfaction survey with enough answers, filed at once, to show results. D0010 has
    answered neither, so the mini-program shows both to answer."""
    existing = dict(db.session.execute(select(Survey.title, Survey.id)).all())
    created = 0
    for spec in _survey_specs(utcnow()):
        if spec["title"] in existing:
            if not spec["anonymous"]:  # the roster import above set the members' tags to the file's
                survey_answering.reapply_tags(existing[spec["title"]])
            continue
        if staff_id is None:
            continue
        survey = surveys.create_survey(staff_id, spec)
        surveys.publish(survey.id)
        created += 1
        for n, member in enumerate(_members(range(11, 41))):
            if spec["anonymous"]:
                answers = [{"question": 0, "value": 3 + n % 3}, {"question": 1, "value": 2 + n % 4},
                           {"question": 2, "value": 1 + n % 5}]
                if n % 4 == 0:
                    answers.append({"question": 3, "text": SATISFACTION_TEXTS[(n // 4) % len(SATISFACTION_TEXTS)]})
            elif n % 2 == 0:
                post = {"生产岗": 0, "技术岗": 1, "管理岗": 2}[POST_TAG[member.department.name]]
                answers = [{"question": 0, "choice": post}, {"question": 1, "choice": 0 if n % 3 == 0 else 1},
                           {"question": 2, "choices": [0] if n % 5 == 0 else [1, 2]}]
            else:
                continue
            survey_answering.respond(survey.id, member, answers)
    survey_answering.file_held(force=True)  # a demo has no time to wait for company
    return created


def _bind_wechat() -> int:
    """D0010 signed in to the mini-program and bound, with push consents, as if they had tapped "accept"
    a few times: notices reach them by push. Returns 1 when the binding was made now."""
    member = _members([MINIPROGRAM_MEMBER])
    if not member or db.session.scalar(select(WechatUser).where(
            (WechatUser.member_id == member[0].id) | (WechatUser.openid == DEMO_OPENID))) is not None:
        return 0  # bound already (by an earlier run, or for real): leave it and its consents alone
    now = utcnow()
    db.session.add(WechatUser(openid=DEMO_OPENID, member_id=member[0].id, created_at=now, bound_at=now))
    db.session.add(SubscriptionQuota(member_id=member[0].id, remaining=DEMO_PUSH_CONSENTS,
                                     template_id=current_app.config["WECHAT_NOTICE_TEMPLATE_ID"]))
    db.session.flush()
    return 1


def load_demo() -> dict:
    """Load the demo data; returns how many of each kind were created and the demo rows skipped."""
    # The demo is one transaction that both sends notices (lock 7201) and writes the ledger (lock 1601); the
    # ledger's own writes take them in that order (1601, then 7201 when publishing tells members), so the demo
    # takes the ledger's lock first too, or it could deadlock with a publication running at the same time.
    fund_services.lock_ledger()
    # A demo row clashing with real data (a phone already taken) is skipped and reported, not forced.
    report = import_rows(roster_rows())

    passwords = 0
    for m in _members(ROLES):
        if m.password_hash is None:  # never overwrite a password someone has since changed
            m.password_hash = generate_password_hash(DEMO_PASSWORD)
            passwords += 1

    bound = _bind_wechat()  # before the notices, so the first one reaches D0010 by push

    staff = _members([2])
    staff_id = staff[0].id if staff else None
    titles = set(db.session.scalars(select(Event.title)))
    created_events = 0
    for spec in _event_specs(utcnow()):
        if spec["title"] not in titles:
            _create_event(spec, staff_id)
            created_events += 1
    db.session.flush()

    calendars = set(db.session.scalars(select(Calendar.title)))
    created_calendars = 0
    for spec in _calendar_specs():
        if spec["title"] not in calendars:
            _create_calendar(spec, staff_id)
            created_calendars += 1
    notice_titles = set(db.session.scalars(select(Notice.title)))
    created_notices = 0
    for spec in _notice_specs():
        if spec["title"] not in notice_titles:
            notice = notices.create_notice(staff_id, **spec)
            notices.send_notice(notice.id)  # now, or held until send_at
            created_notices += 1
    contents = set(db.session.scalars(select(Suggestion.content)))
    created_suggestions = _create_suggestions([s for s in _suggestion_specs() if s["content"] not in contents])
    created_requests = request_demo.load()
    created_votes = vote_demo.load()
    created_proposals = proposal_demo.load()
    created_surveys = _create_surveys(staff_id)
    created_topics = council_demo.load()
    created_rounds = craftsman_demo.load()
    created_fund_entries = fund_demo.load()
    created_procurements = procurement_demo.load()
    created_awards = award_demo.load()
    created_audits = audit_demo.load()
    created_care_cases = care_demo.load()
    created_checkouts = volunteer_demo.load()
    created_benefits = benefit_demo.load()
    archived_reports = report_demo.load()
    db.session.flush()
    return {"requests": created_requests, "votes": created_votes, "proposals": created_proposals,
            "surveys": created_surveys, "council_topics": created_topics, "craftsman_rounds": created_rounds,
            "fund_entries": created_fund_entries, "procurements": created_procurements, "awards": created_awards,
            "audits": created_audits, "care_cases": created_care_cases, "volunteer_checkouts": created_checkouts,
            "benefits": created_benefits, "reports": archived_reports,
            "members": report.created, "members_updated": report.updated, "passwords": passwords,
            "events": created_events, "calendars": created_calendars, "notices": created_notices,
            "suggestions": created_suggestions, "wechat_bound": bound, "skipped": [str(r) for r in report.rejected]}


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo data (idempotent): departments, grids, tags, 50 members, events, booking calendars,
    notices, suggestions, requests, surveys, votes, congress proposals, the council's topic, the craftsman star,
    procurements, awards, audits and improvement items, hardship aid cases."""
    require_schema()
    with transaction():
        created = load_demo()

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    click.echo(f"演示数据已就绪：部门 {count(Department)}，网格 {count(Grid)}，标签 {count(Tag)}，"
               f"会员 {count(Member)}（本次新增 {created['members']}），"
               f"活动 {count(Event)}（本次新增 {created['events']}），"
               f"预约日历 {count(Calendar)}（时段 {count(Slot)}，预约 {count(Booking)}），通知 {count(Notice)}，"
               f"意见建议 {count(Suggestion)}，诉求 {count(Request)}，问卷 {count(Survey)}，投票 {count(Vote)}，"
               f"职代会提案 {count(Proposal)}")
    for line in created["skipped"]:
        click.echo(f"跳过演示会员 {line}", err=True)
    click.echo("\n管理后台登录（POST /api/v1/auth/password-login，工号 + 密码）：")
    for n, role in ROLES.items():
        click.echo(f"  {_employee_no(n)}  {NAMES[n - 1]}  {role.replace(';', '+')}  密码 {DEMO_PASSWORD}")
    click.echo(f"\n小程序普通会员：D0010 {NAMES[9]}，手机 13800000010，已绑定微信（openid {DEMO_OPENID}），"
               f"已同意接收通知推送 {DEMO_PUSH_CONSENTS} 次")
    click.echo(f'  通过假微信服务器登录：wx.login 的 code 写作 "code-{DEMO_OPENID}" 即以 D0010 登录；'
               '其他 "code-<openid>" 为未绑定的新用户，可用名册中的手机号（如 13800000011）绑定；')
    click.echo("  开发环境也可用 POST /api/v1/auth/dev-login {\"employee_no\": \"D0010\"}（需 AUTH_DEV_LOGIN=1）。")
    click.echo("  联络员：D0004–D0007（第四至第七网格；D0007 另联系第十网格，即 D0010 所在网格）。")
