"""A year of a union, generated for the effectiveness report's benchmark (bench/report_year.py).

    generate(connection, members=20000, start=date(2025, 1, 1), months=12) -> {table: rows written}

Everything the report reads, in the real tables and within their constraints: departments (a few with fewer
than 5 members, so the report merges them), grids with a liaison each, members (some joining during the
period, about 2% inactive), events with registrations, check-ins and volunteers' check-outs, requests with
their clocks kept or missed, staff notices to all members with their recipients and push/SMS deliveries,
benefit campaigns with claims and redemptions, surveys with 1–5 answers, anonymous suggestions with staff
replies, and a congress session's proposals.

Rows are built in Python from one seeded ``random.Random`` (the same arguments give the same data) and
written in bulk: COPY on PostgreSQL, executemany in chunks elsewhere (SQLite, for the tests), never a query
per row. Integer ids are reserved from each table's sequence (or after its largest id on SQLite), so the
rows can refer to each other without a round trip and the app's own inserts afterwards never collide.
Nothing here commits: the caller's transaction holds it all (the tests roll it back).

Volumes scale with ``members`` (20,000: about 150,000 check-ins, 2,000,000 deliveries, 8,000 requests) and
with the span in months (events, notices, requests, surveys per month). "Now" for the generated state is the
end of the period: what had not happened by then (a response, a redemption) is left open.
"""
from __future__ import annotations

import json
import random
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, insert, text

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHUNK = 5000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉鹏飞宇浩凯俊峰磊晨晓雪琳"
DEPARTMENT_NAMES = [
    "工会办公室", "冲压车间", "焊装车间", "涂装车间", "总装车间", "机加车间", "铸造车间", "热处理车间", "装配一车间",
    "装配二车间", "模具车间", "质量部", "仓储物流部", "设备动力部", "工艺技术部", "研发中心", "采购部", "销售部",
    "财务部", "人力资源部", "信息中心", "安全环保部", "后勤保障部", "行政部", "审计部", "市场部", "售后服务部",
    "电气车间", "计量中心", "培训中心", "检测中心", "物资供应部", "生产管理部", "项目管理部", "战略规划部",
    "客户服务部",
]
TINY_DEPARTMENTS = [("法务室", 1), ("档案室", 2), ("保密办", 3), ("党建室", 4)]  # under 5: merged in the report
EVENT_KINDS = [("activity", 30), ("training", 18), ("lecture", 14), ("volunteer", 16), ("health_check", 4),
               ("meeting", 12), ("other", 6)]
EVENT_HOURS = {"activity": (2, 4), "training": (3, 4), "lecture": (2, 2), "volunteer": (3, 4), "health_check": (4, 4),
               "meeting": (1, 2), "other": (2, 3)}
EVENT_TITLES = {"activity": ["羽毛球友谊赛", "职工趣味运动会", "读书分享会", "摄影采风", "登山健步走", "亲子手工坊"],
                "training": ["安全生产培训", "技能提升培训", "急救知识培训", "数字化工具培训"],
                "lecture": ["心理健康讲座", "法律知识讲座", "健康养生讲座", "理财知识讲座"],
                "volunteer": ["社区志愿服务", "敬老院慰问", "无偿献血志愿", "环保清洁行动", "助学志愿服务"],
                "health_check": ["年度职工体检", "女职工专项体检"],
                "meeting": ["职工代表座谈会", "班组长例会", "网格联络员会议"],
                "other": ["观影活动", "劳模事迹报告会"]}
LOCATIONS = ["职工活动中心", "工会会议室", "体育馆", "培训楼302", "厂区广场", "社区服务站"]
QUARTER_FACTOR = (0.9, 1.0, 0.95, 1.1)  # seasons: winter holidays and summer heat keep some away
REQUEST_CATEGORIES = [("rights", 14), ("hardship", 9), ("welfare", 20), ("training", 10), ("canteen", 22),
                      ("workplace", 17), ("other", 8)]
BENEFITS = [  # (month, title, kind, season, options)
    (1, "春节福利", "seasonal", "winter", ["年货礼盒", "粮油套装", "购物卡"]),
    (3, "三八妇女节慰问", "care_pack", "spring", ["护肤套装", "鲜花券"]),
    (4, "春季福利", "seasonal", "spring", ["茶叶礼盒", "水果卡"]),
    (5, "端午节福利", "seasonal", "summer", ["粽子礼盒", "咸鸭蛋礼盒"]),
    (7, "高温慰问", "care_pack", "summer", ["清凉饮品箱", "防暑药品包"]),
    (9, "中秋节福利", "seasonal", "autumn", ["月饼礼盒", "大闸蟹券", "粮油套装"]),
    (10, "国庆节福利", "seasonal", "autumn", ["电影票", "体育用品"]),
    (12, "冬季暖心包", "care_pack", "winter", ["保暖内衣", "暖手宝", "围巾"]),
]
SURVEY_TITLES = ["食堂满意度调查", "职工需求调查", "工会活动满意度", "劳动保护评价", "通勤情况调查", "职工书屋评价",
                 "培训需求调查", "诉求办理评价", "福利发放满意度", "职工之家评价", "安全生产意见", "年度工作评议"]
SCALE_QUESTIONS = ["总体满意度", "对工会活动的满意度", "对诉求办理的满意度", "对福利发放的满意度"]
SUGGESTION_CATEGORIES = [("workplace_safety", 20), ("pay_benefits", 22), ("canteen_facilities", 28),
                         ("management", 15), ("training_career", 10), ("other", 5)]


@dataclass
class _Member:
    id: int
    department: int  # index into departments
    grid: int  # index into grids
    created_at: datetime
    left_at: datetime | None  # inactive members: when they left
    phone: bool
    wechat: bool
    reads: float  # how likely this member reads a notice
    staff: bool


def generate(conn, members: int = 20000, start: date = date(2025, 1, 1), months: int = 12,
             seed: int = 2025) -> dict[str, int]:
    """Write one period of a union through ``conn`` (a SQLAlchemy Connection, in a transaction that the
    caller commits or rolls back); returns the rows written per table."""
    return _Generator(conn, members, start, months, seed).run()


def local(d: date, hour: float = 0.0) -> datetime:
    """``hour`` o'clock on day ``d`` in Asia/Shanghai, as an aware UTC datetime."""
    return (datetime.combine(d, time(0), SHANGHAI) + timedelta(hours=hour)).astimezone(UTC)


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


class _Generator:
    def __init__(self, conn, members: int, start: date, months: int, seed: int):
        if members < 50:
            raise ValueError("at least 50 members (four tiny departments take 10)")
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.rnd = random.Random(seed)
        self.n_members = members
        self.start, self.end = start, _add_months(start, months)
        self.t0, self.t1 = local(self.start), local(self.end)
        self.frac = months / 12
        self.scale = members / 20000
        self.counts: Counter = Counter()
        import chinese_calendar

        days = (self.end - self.start).days + 200
        self.workdays = sorted(d for d in (self.start - timedelta(days=30) + timedelta(days=i) for i in range(days))
                               if _is_workday(chinese_calendar, d))

    # --- writing ---------------------------------------------------------------------------------------

    def reserve(self, table: str, n: int) -> int:
        """The first of ``n`` consecutive ids nobody else will be given for ``table``."""
        if n <= 0:
            return 1
        if self.pg:
            seq = self.conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar_one()
            first = self.conn.execute(text("SELECT nextval(:s)"), {"s": seq}).scalar_one()
            if n > 1:
                self.conn.execute(text("SELECT setval(:s, :v)"), {"s": seq, "v": first + n - 1})
            return first
        return (self.conn.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0) + 1

    def write(self, model, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        table = model.__table__
        count = 0
        if self.pg:
            json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row(row)
                    count += 1
        else:
            batch = []
            for row in rows:
                batch.append(dict(zip(columns, row, strict=True)))
                if len(batch) == CHUNK:
                    self.conn.execute(insert(table), batch)
                    count, batch = count + len(batch), []
            if batch:
                self.conn.execute(insert(table), batch)
                count += len(batch)
        self.counts[table.name] += count
        return count

    # --- helpers ---------------------------------------------------------------------------------------

    def between(self, a: datetime, b: datetime) -> datetime:
        return a + (b - a) * self.rnd.random()

    def day_in_period(self) -> date:
        return self.start + timedelta(days=self.rnd.randrange((self.end - self.start).days))

    def working_day_end(self, instant: datetime, n: int) -> datetime:
        """24:00 Asia/Shanghai of the n-th working day after the instant's local date (as the app computes it)."""
        d = instant.astimezone(SHANGHAI).date()
        return local(self.workdays[bisect_right(self.workdays, d) + n - 1] + timedelta(days=1))

    def name(self) -> str:
        return self.rnd.choice(SURNAMES) + "".join(self.rnd.choices(GIVEN, k=self.rnd.choice((1, 2))))

    def quarter(self, t: datetime) -> int:
        d = t.astimezone(SHANGHAI).date()
        return (d.year - self.start.year) * 4 + (d.month - 1) // 3

    # --- the period ------------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.roster()
        self.events()
        self.requests()
        self.notices()
        self.benefits()
        self.surveys()
        self.suggestions()
        self.proposals()
        self.improvements()
        return dict(self.counts)

    def roster(self) -> None:
        from server.members.models import Department, Grid, Member

        rnd = self.rnd
        n_big = max(3, min(len(DEPARTMENT_NAMES), self.n_members // 150))
        names = DEPARTMENT_NAMES[:n_big] + [n for n, _ in TINY_DEPARTMENTS]
        first = self.reserve("departments", len(names))
        self.dept_ids = list(range(first, first + len(names)))
        self.dept_names = names
        self.write(Department, ["id", "name"], zip(self.dept_ids, names, strict=True))
        # Department sizes: uneven (a few large workshops, many small offices); tiny ones fixed under 5.
        staff_count = max(2, round(12 * self.scale ** 0.5))
        tiny_total = sum(n for _, n in TINY_DEPARTMENTS)
        weights = [rnd.lognormvariate(0, 0.7) for _ in range(n_big)]
        spread = self.n_members - tiny_total - staff_count
        sizes = [max(5, int(spread * w / sum(weights))) for w in weights]
        sizes[0] += staff_count
        sizes[1] += self.n_members - tiny_total - sum(sizes)
        sizes += [n for _, n in TINY_DEPARTMENTS]
        self.dept_rate = [rnd.uniform(0.30, 0.62) for _ in names]  # share of members taking part per quarter
        # Grids: each large department has at least one, the rest in proportion to size; tiny departments'
        # members belong to the union office's grid.
        n_grids = max(n_big, round(200 * self.scale))
        grid_dept = list(range(n_big)) + rnd.choices(range(n_big), weights=sizes[:n_big], k=n_grids - n_big)
        grid_dept.sort()
        first = self.reserve("grids", n_grids)
        self.grid_ids = list(range(first, first + n_grids))
        per_dept: dict[int, int] = Counter()
        self.grid_names = []
        for d in grid_dept:
            per_dept[d] += 1
            self.grid_names.append(f"{names[d]}第{per_dept[d]}网格")
        self.write(Grid, ["id", "name"], zip(self.grid_ids, self.grid_names, strict=True))
        dept_grids = defaultdict(list)
        for g, d in enumerate(grid_dept):
            dept_grids[d].append(g)

        first = self.reserve("members", self.n_members)
        self.members: list[_Member] = []
        rows = []
        liaison_of: dict[int, int] = {}
        long_ago = local(date(2012, 1, 1))
        i = 0
        for d, size in enumerate(sizes):
            grids = dept_grids.get(d) or dept_grids[0]
            for k in range(size):
                mid = first + i
                staff = d == 0 and k < staff_count
                joined = rnd.random() < 0.12 and not staff
                created = self.between(self.t0, self.t1) if joined else self.between(long_ago, self.t0)
                left = None
                if not staff and rnd.random() < 0.02:
                    left = self.between(max(created, self.t0), self.t1)
                g = grids[k % len(grids)]
                roles = ["member"]
                if staff:
                    roles = ["member", "staff", "admin"] if k == 0 else ["member", "secretary"] if k == 1 else \
                        ["member", "staff"]
                elif g not in liaison_of and left is None and not joined:
                    liaison_of[g] = mid
                    roles = ["member", "liaison"]
                m = _Member(mid, d, g, created, left, phone=rnd.random() < 0.92, wechat=rnd.random() < 0.85,
                            reads=rnd.uniform(0.2, 0.98), staff=staff)
                self.members.append(m)
                rows.append((mid, f"E{mid:07d}", self.name(), f"139{mid:08d}" if m.phone else None,
                             self.dept_ids[d], self.grid_ids[g], roles, left is None, 0, created, left or created))
                i += 1
        self.write(Member, ["id", "employee_no", "name", "phone", "department_id", "grid_id", "roles", "is_active",
                            "token_version", "created_at", "updated_at"], rows)
        self.staff = [m.id for m in self.members if m.staff]
        self.liaisons = defaultdict(list)
        for g, mid in liaison_of.items():
            self.liaisons[g].append(mid)
        self.ordinary = [m for m in self.members if not m.staff]

    def present(self, at: datetime) -> list[_Member]:
        """Members on the roster at ``at``."""
        return [m for m in self.ordinary if m.created_at <= at and (m.left_at is None or m.left_at > at)]

    # --- events, registrations, check-ins, check-outs ---------------------------------------------------

    def events(self) -> None:
        from server.events.models import Checkin, Event, EventAudience, Registration
        from server.volunteers.models import VolunteerAdjustment, VolunteerCheckout

        rnd = self.rnd
        kinds, weights = zip(*EVENT_KINDS, strict=True)
        n = max(2 * len(kinds), round(600 * self.frac * self.scale ** 0.5))
        first = self.reserve("events", n)
        events = []
        for i in range(n):
            kind = kinds[i // 2] if i < 2 * len(kinds) else rnd.choices(kinds, weights)[0]  # each kind, however few
            lo, hi = EVENT_HOURS[kind]
            starts = local(self.day_in_period(), rnd.choice((9, 10, 14, 15, 19)))
            ends = starts + timedelta(hours=rnd.uniform(lo, hi))
            ends = ends.replace(second=0, microsecond=0)
            dept = rnd.randrange(len(self.dept_ids) - len(TINY_DEPARTMENTS)) if rnd.random() < 0.2 else None
            cancelled = rnd.random() < 0.03
            events.append({"id": first + i, "kind": kind, "starts": starts, "ends": ends, "dept": dept,
                           "cancelled": cancelled, "walk_in": kind in ("activity", "volunteer") and rnd.random() < 0.4,
                           "weight": rnd.choice((1, 1, 1, 2, 2, 3, 5)), "title": rnd.choice(EVENT_TITLES[kind])})
        # Who takes part: per quarter, a member is active with the department's rate (times the season and a
        # personal factor); an active member checks in at one or more of the events open to them.
        by_quarter: dict[int, list[dict]] = defaultdict(list)
        for e in events:
            if not e["cancelled"]:
                by_quarter[self.quarter(e["starts"])].append(e)
        pools = {}
        for q, evs in by_quarter.items():
            common, own = [], defaultdict(list)
            for e in evs:
                (own[e["dept"]] if e["dept"] is not None else common).extend([e] * e["weight"])
            pools[q] = (common, own)
        attended: dict[int, list[int]] = defaultdict(list)  # event id -> member ids
        for m in self.ordinary:
            personal = rnd.uniform(0.7, 1.3)
            for q, (common, own) in pools.items():
                p = self.dept_rate[m.department] * QUARTER_FACTOR[q % 4] * personal
                if rnd.random() >= p:
                    continue
                pool = common + own.get(m.department, [])
                if m.created_at > self.t0 or m.left_at is not None:
                    pool = [e for e in pool
                            if m.created_at < e["starts"] and (m.left_at is None or e["starts"] < m.left_at)]
                if not pool:
                    continue
                k = 1 + min(int(rnd.expovariate(1 / 4.2)), 14)
                chosen = {e["id"]: e for e in rnd.choices(pool, k=k + 2)}
                for eid in list(chosen)[:k]:
                    attended[eid].append(m.id)

        regs, checkins, checkouts = [], [], []
        by_id = {m.id: m for m in self.members}
        event_rows, audiences = [], []
        for e in events:
            members = attended.get(e["id"], [])
            seen = set(members)
            # Signed up and stayed away (about one in six), or cancelled: candidates drawn from the roster.
            candidates = [m.id for m in rnd.sample(self.ordinary, min(len(self.ordinary), len(members) // 2 + 4))
                          if (e["dept"] is None or m.department == e["dept"]) and m.created_at < e["starts"]
                          and (m.left_at is None or m.left_at > e["starts"]) and m.id not in seen]
            no_shows = [] if e["cancelled"] else candidates[:len(members) // 6 + 1]
            cancels = candidates[len(no_shows):len(no_shows) + len(members) // 15 + 1]
            confirmed = 0
            e["regs"] = {}
            for mid in members:
                if e["walk_in"] and rnd.random() < 0.25:
                    continue  # came without signing up
                e["regs"][mid] = "confirmed"
                confirmed += 1
            for mid in no_shows:
                e["regs"][mid] = "confirmed"
                confirmed += 1
            for mid in cancels:
                e["regs"][mid] = "cancelled"
            e["confirmed"] = confirmed
        n_regs = sum(len(e["regs"]) for e in events)
        n_checkins = sum(len(attended.get(e["id"], [])) for e in events)
        reg_id = self.reserve("registrations", n_regs)
        checkin_id = self.reserve("checkins", n_checkins)
        for e in events:
            starts, ends = e["starts"], e["ends"]
            capacity = None if rnd.random() < 0.4 else e["confirmed"] + rnd.randint(0, 30)
            created = starts - timedelta(days=rnd.uniform(10, 25))
            cancelled_at = starts - timedelta(days=rnd.uniform(1, 5)) if e["cancelled"] else None
            event_rows.append((e["id"], e["title"], "", e["kind"], rnd.choice(LOCATIONS), starts, ends,
                               starts - timedelta(days=10), starts - timedelta(hours=1), capacity, True, e["walk_in"],
                               60, 120, [1440, 120], "cancelled" if e["cancelled"] else "published", e["confirmed"], 0,
                               0, rnd.randbytes(32), rnd.choice(self.staff), created, cancelled_at or created,
                               cancelled_at))
            if e["dept"] is not None:
                audiences.append((e["id"], "department", self.dept_ids[e["dept"]]))
            reg_of = {}
            for mid, status in e["regs"].items():
                at = max(starts - timedelta(days=rnd.uniform(0.1, 9.9)), by_id[mid].created_at)
                regs.append((reg_id, e["id"], mid, status, None, at, at,
                             at + timedelta(hours=rnd.uniform(1, 48)) if status == "cancelled" else None))
                reg_of[mid] = reg_id
                reg_id += 1
            minutes = int((ends - starts).total_seconds() // 60)
            for mid in attended.get(e["id"], []):
                at = starts - timedelta(minutes=rnd.uniform(0, 25))
                by_ticket = rnd.random() < 0.3
                checkins.append((checkin_id, e["id"], mid, reg_of.get(mid), at, "ticket" if by_ticket else "code",
                                 mid not in reg_of, rnd.choice(self.staff) if by_ticket else None, at))
                if e["kind"] == "volunteer" and rnd.random() < 0.85:
                    out = ends - timedelta(minutes=rnd.uniform(-20, 60))
                    checkouts.append((e["id"], mid, checkin_id, out,
                                      max(0, min(minutes, int((out - at).total_seconds() // 60))), out))
                checkin_id += 1
        self.write(Event, ["id", "title", "description", "kind", "location", "starts_at", "ends_at",
                           "signup_opens_at", "signup_closes_at", "capacity", "waitlist", "walk_in",
                           "checkin_opens_minutes_before", "checkin_closes_minutes_after", "reminder_minutes",
                           "status", "confirmed_count", "waitlist_count", "waitlist_seq", "ticket_key", "created_by",
                           "created_at", "updated_at", "cancelled_at"], event_rows)
        self.write(EventAudience, ["event_id", "kind", "ref_id"], audiences)
        self.write(Registration, ["id", "event_id", "member_id", "status", "waitlist_seq", "created_at",
                                  "confirmed_at", "cancelled_at"],
                   regs)
        self.write(Checkin, ["id", "event_id", "member_id", "registration_id", "checked_in_at", "method", "is_walk_in",
                             "recorded_by", "created_at"], checkins)
        self.write(VolunteerCheckout, ["event_id", "member_id", "checkin_id", "checked_out_at", "minutes",
                                       "created_at"], checkouts)
        volunteer = [e for e in events if e["kind"] == "volunteer" and not e["cancelled"] and attended.get(e["id"])]
        adjustments = []
        for _ in range(round(60 * self.frac * self.scale ** 0.5) if volunteer else 0):
            e = rnd.choice(volunteer)
            minutes = rnd.choice((-1, 1, 1, 1)) * rnd.randint(30, 180)
            adjustments.append((rnd.choice(attended[e["id"]]), e["id"], minutes,
                                "补录志愿时长" if minutes > 0 else "更正重复记录", e["starts"], rnd.choice(self.staff),
                                e["ends"] + timedelta(days=rnd.uniform(1, 5))))
        first = self.reserve("volunteer_adjustments", len(adjustments))
        self.write(VolunteerAdjustment, ["id", "member_id", "event_id", "minutes", "reason", "counts_at", "created_by",
                                         "created_at"], ((first + i, *a) for i, a in enumerate(adjustments)))

    # --- requests (诉求) --------------------------------------------------------------------------------

    def requests(self) -> None:
        from server.member_requests.models import Request, RequestEvent

        rnd = self.rnd
        n = max(50, round(8000 * self.frac * self.scale))
        cats, weights = zip(*REQUEST_CATEGORIES, strict=True)
        first = self.reserve("requests", n)
        rows, timeline = [], []
        now = self.t1
        for i in range(n):
            rid = first + i
            created = local(self.day_in_period(), rnd.uniform(8, 22))
            present = [m for m in rnd.sample(self.ordinary, 8) if m.created_at < created]
            member = present[0] if present else self.ordinary[0]
            category = rnd.choices(cats, weights)[0]
            urgent = rnd.random() < 0.06
            first_due = created + timedelta(hours=24) if urgent else self.working_day_end(created, 1)
            resolve_due = created + timedelta(hours=48) if urgent else \
                self.working_day_end(created, 5 if category == "hardship" else 10)
            handler = rnd.choice(self.liaisons.get(member.grid) or self.staff)

            def when(due: datetime, since: datetime, late_share: float) -> datetime:
                span = max(due - since, timedelta(hours=2))  # a late first response leaves some time
                share = rnd.uniform(1.05, 3.0) if rnd.random() < late_share else rnd.betavariate(2, 3)
                return since + span * share

            responded = when(first_due, created, 0.09) if rnd.random() > 0.005 else None  # a few never answered
            resolved = when(resolve_due, responded, 0.14) if responded else None
            if responded and responded > now:
                responded = resolved = None
            if resolved and resolved > now:
                resolved = None
            status, closed, satisfaction, reopened = "submitted", None, None, 0
            if responded:
                status = "accepted"
            if resolved:
                closed = resolved + timedelta(days=rnd.uniform(0.5, 7))
                if closed < now and rnd.random() < 0.85:
                    status = "closed"
                    satisfaction = rnd.choices((5, 4, 3, 2, 1), (48, 30, 13, 6, 3))[0] if rnd.random() < 0.65 else None
                elif rnd.random() < 0.1:
                    status, reopened, closed, resolved = "reopened", 1, None, None
                else:
                    status, closed = "resolved", None
            late_by = (responded or now) - first_due
            level = 0 if late_by <= timedelta(0) else 1 if late_by <= timedelta(days=1) else 2
            escalated = first_due if level else None
            last = max(t for t in (created, responded, resolved, closed) if t)
            rows.append((rid, member.id, None, category, f"{REQUEST_CATEGORIES_LABELS[category]}问题{rid}",
                         "具体情况见附件说明。" * 3, urgent, rnd.random() < 0.05, status, self.grid_ids[member.grid],
                         handler if responded else None, created, first_due, resolve_due, responded, resolved, closed,
                         satisfaction, level, escalated, None, reopened, last))
            timeline.append((rid, created, member.id, "created", None, False))
            if responded:
                timeline.append((rid, responded, handler, "accepted", "已受理，正在处理", False))
            if escalated:
                timeline.append((rid, escalated, None, "escalated", None, True))
            if resolved or reopened:
                done = resolved or responded + (now - responded) * 0.5
                timeline.append((rid, done, handler, "resolved", "已协调相关部门解决", False))
                if reopened:
                    timeline.append((rid, done + (now - done) * 0.3, member.id, "reopened", "问题仍未解决", False))
            if closed:
                timeline.append((rid, closed, member.id, "confirmed", None, False))
        self.write(Request, ["id", "member_id", "raised_by_id", "category", "title", "content", "urgent",
                             "confidential", "status", "grid_id", "assignee_id", "created_at", "first_response_due_at",
                             "resolve_due_at", "first_response_at", "resolved_at", "closed_at", "satisfaction",
                             "escalation_level", "escalated_at", "warned_at", "reopen_count", "updated_at"], rows)
        first = self.reserve("request_events", len(timeline))
        self.write(RequestEvent, ["id", "request_id", "at", "actor_id", "action", "body", "internal"],
                   ((first + i, *t) for i, t in enumerate(timeline)))

    # --- notices, recipients, deliveries ---------------------------------------------------------------

    def notices(self) -> None:
        from server.notices.models import Delivery, Notice, NoticeRecipient

        rnd = self.rnd
        n = max(2, round(50 * self.frac))
        first = self.reserve("notices", n)
        notices = []
        for i in range(n):
            d = self.start + timedelta(days=int((self.end - self.start).days * (i + rnd.random()) / n))
            sent = local(d, rnd.uniform(9, 17))
            recipients = [m for m in self.members if m.created_at <= sent and (m.left_at is None or m.left_at > sent)]
            notices.append((first + i, sent, recipients))
        self.write(Notice, ["id", "title", "body", "channels", "audience", "send_at", "sms_fallback", "status",
                            "recipients_count", "created_by", "created_at", "planned_at", "sent_at", "source"],
                   ((nid, f"工会通知第{k + 1}期", "各位会员：本期工会工作安排见详情页。", ["push", "sms"],
                     {"all": True}, sent, True, "sent", len(rec), self.staff[0], sent - timedelta(days=1), sent,
                     sent, "staff")
                    for k, (nid, sent, rec) in enumerate(notices)))

        def recipient_rows() -> Iterator[tuple]:
            for nid, sent, rec in notices:
                for m in rec:
                    read = None
                    if rnd.random() < m.reads:
                        read = sent + timedelta(hours=rnd.expovariate(1 / 8))
                        read = read if read < self.t1 else None
                    yield nid, m.id, read

        self.write(NoticeRecipient, ["notice_id", "member_id", "read_at"], recipient_rows())
        total = sum(len(rec) for _, _, rec in notices) * 2
        did = self.reserve("deliveries", total)

        def delivery_rows() -> Iterator[tuple]:
            nonlocal did
            random_ = rnd.random
            for nid, sent, rec in notices:
                # The workers send about 300 a second: a notice's rows go out over a minute or two.
                ticks = [sent + timedelta(seconds=s) for s in range(len(rec) // 300 + 1)]
                for k, m in enumerate(rec):
                    at = ticks[k // 300]
                    if not m.wechat:
                        yield did, nid, m.id, "push", "skipped", 0, "未绑定微信", at, None, at
                    elif random_() < 0.06:
                        yield did, nid, m.id, "push", "failed", 3, "订阅消息额度不足", at, at, at
                    else:
                        yield did, nid, m.id, "push", "sent", 1, None, at, at, at
                    did += 1
                    if not m.phone:
                        yield did, nid, m.id, "sms", "skipped", 0, "未登记手机号", at, None, at
                    elif random_() < 0.03:
                        yield did, nid, m.id, "sms", "failed", 3, "短信网关超时", at, at, at
                    else:
                        yield did, nid, m.id, "sms", "sent", 1, None, at, at, at
                    did += 1

        self.write(Delivery, ["id", "notice_id", "member_id", "channel", "status", "attempts", "last_error",
                              "next_attempt_at", "sent_at", "created_at"], delivery_rows())

    # --- benefits --------------------------------------------------------------------------------------

    def benefits(self) -> None:
        from server.benefits.models import Benefit, BenefitClaim, BenefitOption

        rnd = self.rnd
        campaigns = []
        for month, title, kind, season, options in BENEFITS:
            for year in range(self.start.year, self.end.year + 1):
                d = date(year, month, 8)
                if self.start <= d < self.end:
                    campaigns.append((d, title, kind, season, options))
        if not campaigns:  # a short period still gets one campaign
            campaigns.append((self.start + timedelta(days=3), *BENEFITS[0][1:]))
        first = self.reserve("benefits", len(campaigns))
        opt_first = self.reserve("benefit_options", sum(len(c[4]) for c in campaigns))
        benefit_rows, option_rows, claims = [], [], []
        oid = opt_first
        for i, (d, title, kind, season, options) in enumerate(campaigns):
            bid = first + i
            opens, closes = local(d, 9), local(d + timedelta(days=12), 18)
            until = closes + timedelta(days=14)
            workshop = rnd.random() < 0.5
            benefit_rows.append((bid, f"{d.year}年{title}", "", kind, season, opens, closes, until, workshop,
                                 "published", rnd.randbytes(32), self.staff[0], opens - timedelta(days=5),
                                 opens - timedelta(days=5)))
            ids = list(range(oid, oid + len(options)))
            oid += len(options)
            live = Counter()
            share = rnd.uniform(0.72, 0.93)
            for m in self.present(opens):
                if rnd.random() >= share:
                    continue
                claimed = self.between(opens, closes)
                if claimed > self.t1:
                    continue
                option = rnd.choices(ids, weights=range(len(ids), 0, -1))[0]
                delivery = "workshop" if workshop and rnd.random() < 0.2 else "pickup"
                status, redeemed, by, via, delegate, cancelled = "claimed", None, None, None, None, None
                r = rnd.random()
                if r < 0.03:
                    status, cancelled = "cancelled", claimed + timedelta(hours=rnd.uniform(1, 72))
                elif r < 0.93:
                    redeemed = self.between(closes, until) if rnd.random() < 0.5 else self.between(claimed, until)
                    if redeemed < self.t1:
                        status, by = "redeemed", rnd.choice(self.staff)
                        via = "delegate" if rnd.random() < 0.06 else "staff"
                        delegate = rnd.choice(self.ordinary).id if via == "delegate" else None
                    else:
                        redeemed = None
                if status != "cancelled":
                    live[option] += 1
                claims.append((bid, option, m.id, status, delivery, claimed, redeemed, by, via, delegate, cancelled,
                               claimed))
            for pos, (o, name) in enumerate(zip(ids, options, strict=True)):
                stock = None if rnd.random() < 0.4 else live[o] + rnd.randint(0, 200)
                option_rows.append((o, bid, name, "", stock, live[o], pos))
        self.write(Benefit, ["id", "title", "description", "kind", "season", "claim_opens_at", "claim_closes_at",
                             "redeem_until", "allow_workshop_delivery", "status", "redeem_key", "created_by",
                             "created_at", "updated_at"], benefit_rows)
        self.write(BenefitOption, ["id", "benefit_id", "name", "description", "stock", "claimed", "position"],
                   option_rows)
        cid = self.reserve("benefit_claims", len(claims))
        self.write(BenefitClaim, ["id", "benefit_id", "option_id", "member_id", "status", "delivery", "claimed_at",
                                  "redeemed_at", "redeemed_by", "redeemed_via", "delegate_id", "cancelled_at",
                                  "created_at"], ((cid + i, *c) for i, c in enumerate(claims)))

    # --- surveys ---------------------------------------------------------------------------------------

    def surveys(self) -> None:
        from server.surveys.models import Survey, SurveyAnswer, SurveyParticipation, SurveyQuestion, SurveyResponse

        rnd = self.rnd
        months = max(1, round(12 * self.frac))
        first = self.reserve("surveys", months)
        q_first = self.reserve("survey_questions", months * (len(SCALE_QUESTIONS) + 2))
        surveys, questions, participations, responses, answers = [], [], [], [], []
        qid = q_first
        dept_size = Counter(m.department for m in self.members)
        for i in range(months):
            sid = first + i
            d = _add_months(self.start, i) + timedelta(days=4)
            opens, closes = local(d, 9), local(d + timedelta(days=14), 18)
            closes = min(closes, self.t1 - timedelta(hours=1))
            anonymous = i % 2 == 0
            surveys.append((sid, SURVEY_TITLES[i % len(SURVEY_TITLES)], None, anonymous, "scheduled", opens, closes,
                            self.staff[0], opens - timedelta(days=2), opens - timedelta(days=1)))
            scale_ids = list(range(qid, qid + len(SCALE_QUESTIONS)))
            for pos, q in enumerate(SCALE_QUESTIONS):
                questions.append((qid, sid, pos, "scale", q, [], True))
                qid += 1
            single_id, text_id = qid, qid + 1
            questions.append((single_id, sid, len(SCALE_QUESTIONS), "single", "您的岗位类别",
                              ["生产岗", "技术岗", "管理岗"], True))
            questions.append((text_id, sid, len(SCALE_QUESTIONS) + 1, "text", "其他意见和建议", [], False))
            qid += 2
            present = self.present(opens)
            respondents = rnd.sample(present, min(len(present), round(len(present) * rnd.uniform(0.12, 0.25))))
            mood = rnd.uniform(-0.6, 0.4)  # some surveys go worse than others
            for m in respondents:
                on = self.between(opens, closes).astimezone(SHANGHAI).date()
                participations.append((sid, m.id, on))
                rid = f"{rnd.getrandbits(128):032x}"
                small = dept_size[m.department] < 5
                responses.append((rid, sid, None if anonymous else m.id,
                                  None if small else self.dept_names[m.department],
                                  None if small else self.grid_names[m.grid], on))
                for q in scale_ids:
                    value = min(5, max(1, round(rnd.gauss(3.9 + mood, 0.9))))
                    answers.append((rid, q, 0, sid, value, None))
                answers.append((rid, single_id, rnd.randrange(3), sid, None, None))
                if rnd.random() < 0.1:
                    answers.append((rid, text_id, 0, sid, None, "希望多组织一些活动"))
        self.write(Survey, ["id", "title", "description", "anonymous", "status", "opens_at", "closes_at", "created_by",
                            "created_at", "published_at"], surveys)
        self.write(SurveyQuestion, ["id", "survey_id", "position", "kind", "text", "options", "required"], questions)
        self.write(SurveyParticipation, ["survey_id", "member_id", "answered_on"], participations)
        rnd.shuffle(responses)  # anonymous rows say nothing by their order
        self.write(SurveyResponse, ["id", "survey_id", "member_id", "department", "grid", "answered_on"], responses)
        self.write(SurveyAnswer, ["response_id", "question_id", "item", "survey_id", "value", "text"], answers)

    # --- suggestions -----------------------------------------------------------------------------------

    def suggestions(self) -> None:
        from server.suggestions.models import Suggestion, SuggestionMessage

        rnd = self.rnd
        n = max(3, round(300 * self.frac * self.scale ** 0.5))
        cats, weights = zip(*SUGGESTION_CATEGORIES, strict=True)
        rows, messages = [], []
        for _ in range(n):
            sid = f"{rnd.getrandbits(120):030x}"
            on = self.day_in_period()
            status = rnd.choices(("closed", "answered", "in_progress", "new"), (45, 30, 10, 15))[0]
            rows.append((sid, rnd.choices(cats, weights)[0], "关于改进工作的建议", "建议内容：" + "详见正文。" * 5,
                         status, status in ("answered", "closed") and rnd.random() < 0.3, on,
                         f"{rnd.getrandbits(256):064x}", "scrypt$bench$" + f"{rnd.getrandbits(128):032x}"))
            if status == "new":
                continue
            reply = local(on, 9) + timedelta(days=rnd.lognormvariate(1.0, 0.8), hours=rnd.uniform(0, 8))
            if reply >= self.t1:
                continue
            messages.append((f"{rnd.getrandbits(120):030x}", sid, 1, "staff", "感谢您的建议，已转相关部门研究。",
                             reply))
            if rnd.random() < 0.25:
                follow = reply.astimezone(SHANGHAI).date() + timedelta(days=rnd.randint(1, 5))
                if local(follow) < self.t1:
                    messages.append((f"{rnd.getrandbits(120):030x}", sid, 2, "submitter", "请问进展如何？",
                                     local(follow)))
                    again = local(follow, 10) + timedelta(days=rnd.uniform(0.5, 4))
                    if again < self.t1:
                        messages.append((f"{rnd.getrandbits(120):030x}", sid, 3, "staff", "已落实，谢谢关注。", again))
        rnd.shuffle(rows)
        rnd.shuffle(messages)
        self.write(Suggestion, ["id", "category", "title", "content", "status", "is_public", "submitted_on",
                                "lookup_tag", "receipt_hash"], rows)
        self.write(SuggestionMessage, ["id", "suggestion_id", "seq", "author", "body", "created_at"], messages)

    # --- the congress session's proposals -----------------------------------------------------------------

    def proposals(self) -> None:
        from server.proposals.models import CongressSession, Proposal, ProposalCosigner, ProposalEvent

        rnd = self.rnd
        closes = local(self.start + timedelta(days=min(70, (self.end - self.start).days // 4)), 18)
        due = self.working_day_end(closes, 7)
        warn = self.working_day_end(closes, 6)
        sid = self.reserve("congress_sessions", 1)
        self.write(CongressSession, ["id", "name", "closes_at", "min_cosigners", "assignment_due_at",
                                     "assignment_warn_at", "created_by", "created_at"],
                   [(sid, f"{self.start.year}年职工代表大会", closes, 2, due, warn, self.staff[0],
                     closes - timedelta(days=40))])
        n = max(4, round(80 * self.scale ** 0.5))
        first = self.reserve("proposals", n)
        rows, cosigners, events = [], [], []
        big = len(self.dept_ids) - len(TINY_DEPARTMENTS)
        for i in range(n):
            pid = first + i
            author = rnd.choice([m for m in rnd.sample(self.ordinary, 5) if m.created_at < closes - timedelta(days=40)]
                                or self.ordinary[:1])
            created = closes - timedelta(days=rnd.uniform(5, 35))
            submitted = created + timedelta(days=rnd.uniform(0, 3))
            reviewed = closes + timedelta(days=rnd.uniform(0.5, 4))
            dept = self.dept_names[rnd.randrange(1, big)]
            status = rnd.choices(("adopted", "opinion", "rejected"), (85, 9, 6))[0]
            assigned = due_date = due_at = completed = grade = satisfaction = None
            assign_level, assign_escalated, due_escalated = 0, None, None
            if status == "adopted":
                late = rnd.random() < 0.15
                assigned = due + timedelta(days=rnd.uniform(0.5, 6)) if late else self.between(reviewed, due)
                assigned = max(assigned, reviewed)
                if late:
                    assign_level, assign_escalated = 1, due
                due_date = assigned.astimezone(SHANGHAI).date() + timedelta(days=rnd.choice((30, 45, 60, 90)))
                due_at = local(due_date + timedelta(days=1))
                late_done = rnd.random() < 0.25
                completed = due_at + timedelta(days=rnd.uniform(1, 30)) if late_done else self.between(assigned, due_at)
                if completed >= self.t1 or rnd.random() < 0.1:  # some still in hand when the period ends
                    completed = None
                if completed and completed > due_at or not completed and due_at < self.t1:
                    due_escalated = due_at
                status = "completed" if completed else "in_progress" if rnd.random() < 0.7 else "assigned"
                if completed:
                    grade = rnd.choices("ABC", (40, 45, 15))[0]
                    satisfaction = rnd.choices((5, 4, 3, 2, 1), (45, 35, 12, 5, 3))[0] if rnd.random() < 0.8 else None
            last = max(t for t in (submitted, reviewed, assigned, completed) if t)
            reason = {"opinion": "建议作为意见转相关部门", "rejected": "不属于提案范围"}.get(status)
            rows.append((pid, sid, author.id, f"关于改进{dept}工作的提案", "存在的问题……", "建议措施……", dept, None,
                         False, status, created, last, submitted, reviewed, reason,
                         due, warn, assigned, dept if assigned else None, [], due_date, due_at, completed,
                         "已落实" if completed else None, grade, satisfaction, assign_level, assign_escalated,
                         due_escalated))
            backers = rnd.sample([m for m in rnd.sample(self.ordinary, 10) if m.id != author.id], 3)
            for m in backers:
                cosigners.append((pid, m.id, self.between(created, submitted)))
            steps = [(created, author.id, "created"), (submitted, author.id, "submitted")]
            steps += [(self.between(created, submitted), m.id, "cosigned") for m in backers]
            steps.append((reviewed, self.staff[0], "accepted" if assigned else status))
            if assigned:
                steps.append((assigned, self.staff[0], "assigned"))
            if completed:
                steps.append((completed, self.staff[0], "completed"))
            events += [(pid, at, actor, action) for at, actor, action in steps]
        self.write(Proposal, ["id", "session_id", "member_id", "title", "problem", "solution", "department", "deadline",
                              "confidential", "status", "created_at", "updated_at", "submitted_at", "reviewed_at",
                              "review_reason", "assignment_due_at", "assignment_warn_at", "assigned_at",
                              "lead_department", "co_departments", "due_date", "due_at", "completed_at", "report",
                              "grade", "satisfaction", "assign_escalation", "assign_escalated_at", "due_escalated_at"],
                   rows)
        self.write(ProposalCosigner, ["proposal_id", "member_id", "at"], cosigners)
        first = self.reserve("proposal_events", len(events))
        self.write(ProposalEvent, ["id", "proposal_id", "at", "actor_id", "action", "images"],
                   ((first + i, *e, []) for i, e in enumerate(events)))


    # --- improvement items, some opened from the report's figures ------------------------------------------

    def improvements(self) -> None:
        from server.improvements.models import Improvement, ImprovementEvent

        rnd = self.rnd
        # (figure or table cell, target, title): what a committee would ask to be improved
        asks = [("participation.rate", 0.5, "提高职工活动参与率"), ("requests.on_time_rate", 0.9, "诉求按时办结"),
                ("notices.read_rate", 0.65, "提高通知阅读率"), ("benefits.redeem_rate", 0.95, "福利按时核销"),
                ("suggestions.replied_within_7d_rate", 0.8, "意见箱7日内答复"),
                (f"participation.by_department:{self.dept_ids[1]}:rate", 0.45, f"{self.dept_names[1]}参与率"),
                ("surveys.score", 4.0, "提升问卷满意度"), ("proposals.completed_on_time_rate", 0.85, "提案按时办结")]
        n = max(4, round(16 * self.frac))
        first = self.reserve("improvements", n)
        rows, steps = [], []
        for i in range(n):
            iid = first + i
            figure, target, title = asks[i % len(asks)]
            from_report = i % 4 != 3
            created = self.between(self.t0, self.t0 + (self.t1 - self.t0) * 0.7)
            due_date = created.astimezone(SHANGHAI).date() + timedelta(days=rnd.choice((30, 60, 90)))
            due_at = local(due_date + timedelta(days=1))
            warn = local(due_date - timedelta(days=3))
            status = rnd.choices(("done", "open", "cancelled"), (60, 32, 8))[0]
            closed = None
            if status != "open":  # most done by the due date, some after it
                closed = self.between(created + (due_at - created) * 0.3, due_at) if rnd.random() < 0.8 else \
                    due_at + timedelta(days=rnd.uniform(1, 20))
            if closed and closed >= self.t1:
                status, closed = "open", None
            escalation = 1 if (closed or self.t1) > due_at else 0
            owner = rnd.choice(self.staff)
            rows.append((iid, title, "", "report" if from_report else "manual", figure if from_report else None,
                         target if from_report else None, owner, due_date, due_at, warn, status,
                         "已完成整改" if status == "done" else None, "情况变化" if status == "cancelled" else None,
                         self.staff[0], created, closed or created, closed, owner if closed else None, escalation))
            steps.append((iid, created, self.staff[0], "created"))
            if closed:
                steps.append((iid, closed, owner, "completed" if status == "done" else "cancelled"))
        self.write(Improvement, ["id", "title", "description", "source", "figure", "target", "owner_id", "due_date",
                                 "due_at", "warn_at", "status", "result", "cancel_reason", "created_by", "created_at",
                                 "updated_at", "closed_at", "closed_by", "escalation"], rows)
        first = self.reserve("improvement_events", len(steps))
        self.write(ImprovementEvent, ["id", "improvement_id", "at", "actor_id", "action"],
                   ((first + i, *e) for i, e in enumerate(steps)))


REQUEST_CATEGORIES_LABELS = {"rights": "权益", "hardship": "困难", "welfare": "福利", "training": "培训",
                             "canteen": "食堂", "workplace": "环境", "other": "其他"}


def _is_workday(chinese_calendar, d: date) -> bool:
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:  # a year the package does not know: Monday to Friday
        return d.weekday() < 5
