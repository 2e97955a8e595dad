"""The SQL of every report figure, one function per area (figures.py names and defines them in words).

Each area returns its figures' values and, when ``detail`` is asked, its tables. A breakdown is one grouped
statement (or two, for labels); per-member work is never a query per member. Groups under MIN_GROUP members
(or items, where a group counts items) are summed into one ``其他（合并）`` row before any rate is taken, so no
figure is shown for fewer than five: a merged row that is still too small shows its size and no rates.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta

from sqlalchemy import Integer, String, and_, case, cast, func, literal, or_, select, union_all

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, UTCDateTime
from .figures import MIN_GROUP, OTHER, OTHER_LABEL, TABLES
from .periods import Period

Table = dict
Area = tuple[dict[str, float | int | None], list[Table]]


def rate(n: int | None, d: int | None) -> float | None:
    return round(n / d, 4) if d else None


def rounded(v, places: int = 1) -> float | None:
    return None if v is None else round(float(v), places)


def col(key: str, label: str, unit: str | None = None) -> dict:
    return {"key": key, "label": label, "unit": unit}


def table(key: str, title: str, columns: list[dict], rows: list[dict], chart: dict | None = None,
          note: str | None = None) -> Table:
    """A table; each column says which figure its cells stand for (figures.TABLES): the cells an improvement
    item can name, and a later report judge."""
    cells = TABLES.get(key, {})
    columns = [col("label", columns[0]["label"]), *columns[1:]]
    if chart and sum(any(r.get(k) is not None for k in chart["series"]) for r in rows) < 2:
        chart = None  # a chart of one bar, or of none, says nothing the table does not
    return {"key": key, "title": title, "columns": [{**c, "figure": cells.get(c["key"])} for c in columns],
            "rows": rows, "chart": chart, "note": note}


def merge_small(rows: Iterable[dict], size: str, sums: Iterable[str], finish: Callable[[dict], None],
                hidden: Iterable[str]) -> list[dict]:
    """Rows (with ``key``, ``label`` and counts) whose ``size`` is under MIN_GROUP are summed into one merged
    row; then ``finish`` adds each row's rates. A merged row still under MIN_GROUP keeps its size and has its
    ``hidden`` columns (counts that would tell about fewer than five) set to None."""
    sums, hidden = list(sums), list(hidden)
    kept, small = [], []
    for r in rows:
        (kept if r[size] >= MIN_GROUP and r["key"] != OTHER else small).append(r)
    if small:
        merged = {"key": OTHER, "label": OTHER_LABEL, "merged": True}
        for k in sums:  # counts add up; lists of values (for a median) are joined
            merged[k] = ([v for r in small for v in r[k]] if isinstance(small[0][k], list)
                         else sum(r[k] or 0 for r in small))
        kept.append(merged)
    for r in kept:
        r.setdefault("merged", False)
        finish(r)
        if r[size] < MIN_GROUP:
            for k in hidden:
                r[k] = None
    return sorted(kept, key=lambda r: (r["key"] == OTHER, -(r[size] or 0), r["label"]))


def _local_midnight(day) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


# --- participation ----------------------------------------------------------------------------------

def participation(p: Period, detail: bool, now: datetime) -> Area:
    from ..events.models import Checkin, Event, EventStatus
    from ..members.models import Department, Grid, Member

    s, e = p.bounds()
    ci = (select(Checkin.member_id, func.count().label("n"))
          .where(Checkin.checked_in_at >= s, Checkin.checked_in_at < e)
          .group_by(Checkin.member_id).subquery("ci"))
    # The eligible members with their check-ins of the period (n is NULL for none).
    base = (select(Member.id, Member.department_id, Member.grid_id, ci.c.n)
            .outerjoin(ci, ci.c.member_id == Member.id)
            .where(or_(and_(Member.created_at < e, Member.is_active.is_(True)), ci.c.n.is_not(None)))
            .subquery("base"))
    counts = (func.count().label("eligible"), func.count(base.c.n).label("participants"),
              func.coalesce(func.sum(base.c.n), 0).label("checkins"))
    if detail:
        # One statement by (department, grid): the totals and both breakdowns are its sums.
        combos = [(d, g, el, pa, int(ch)) for d, g, el, pa, ch in db.session.execute(
            select(base.c.department_id, base.c.grid_id, *counts).group_by(base.c.department_id, base.c.grid_id))]
        eligible, participants, checkins = (sum(c[i] for c in combos) for i in (2, 3, 4))
    else:
        eligible, participants, checkins = db.session.execute(select(*counts)).one()
    events = db.session.scalar(select(func.count()).select_from(Event).where(
        Event.starts_at >= s, Event.starts_at < e, Event.status != EventStatus.cancelled))
    values = {"participation.rate": rate(participants, eligible),
              "participation.checkins_per_member": rounded(checkins / eligible, 2) if eligible else None,
              "participation.eligible": eligible, "participation.participants": participants,
              "participation.checkins": int(checkins), "participation.events": events}
    if not detail:
        return values, []

    def finish(r):
        r["rate"] = rate(r["participants"], r["eligible"])
        r["checkins_per_member"] = rounded(r["checkins"] / r["eligible"], 2) if r["eligible"] else None

    columns = [col("eligible", "会员数", "count"), col("participants", "参与人数", "count"),
               col("checkins", "签到人次", "count"), col("rate", "参与率", "percent"),
               col("checkins_per_member", "人均签到", "times")]
    hidden = ("participants", "checkins", "rate", "checkins_per_member")
    tables = []
    for key, title, at, model, none_label in (("participation.by_department", "按部门", 0, Department, "未分配部门"),
                                              ("participation.by_grid", "按网格", 1, Grid, "未分配网格")):
        sums: dict = defaultdict(lambda: [0, 0, 0])
        for c in combos:
            for i in range(3):
                sums[c[at]][i] += c[2 + i]
        ids = [i for i in sums if i is not None]
        names = dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}
        rows = [{"key": str(i) if i is not None else "none", "label": names.get(i, str(i)) if i is not None
                 else none_label, "eligible": el, "participants": pa, "checkins": ch}
                for i, (el, pa, ch) in sums.items()]
        first = "部门" if model is Department else "网格"
        tables.append(table(key, title, [col("label", first), *columns],
                            merge_small(rows, "eligible", ("eligible", "participants", "checkins"), finish, hidden),
                            {"kind": "bar", "series": ["rate"]},
                            f"不足 {MIN_GROUP} 人的{first}合并为「{OTHER_LABEL}」"))
    tables.append(table("participation.by_month", "按月", [col("label", "月份"), *columns],
                        _by_month(p, finish), {"kind": "line", "series": ["rate"]},
                        "每月：当月至少签到一次的会员 ÷ 月末在册会员（含当月签到后停用者）"))
    return values, tables


def _local_month(column):
    """The month (1–12) of a UTC time column in Shanghai (UTC+8 all year: China keeps no summer time)."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.extract("month", func.timezone("Asia/Shanghai", column)), Integer)
    return cast(func.strftime("%m", column, "+8 hours"), Integer)  # SQLite keeps naive UTC text


def _by_month(p: Period, finish) -> list[dict]:
    from ..events.models import Checkin
    from ..members.models import Member

    months = p.months()
    ends = [(_local_midnight(last) + timedelta(days=1)) for _first, last in months]
    s, e = p.bounds()
    # Check-ins counted per (local month, member) first, with no join; then the members and the months' ends
    # (a little table joined by month) for the eligible. Joining check-ins to the months by range instead scanned
    # the year's check-ins once per month.
    month = _local_month(Checkin.checked_in_at)
    per = (select(month.label("m"), Checkin.member_id, func.count().label("n"))
           .where(Checkin.checked_in_at >= s, Checkin.checked_in_at < e)
           .group_by(month, Checkin.member_id).subquery("per"))
    bounds = union_all(*[select(literal(first.month).label("m"), literal(end, UTCDateTime()).label("hi"))
                         for (first, _last), end in zip(months, ends, strict=True)]).subquery("months")
    # A participant not among the month's active members (since deactivated, or on the roster later) is added
    # to that month's eligible, so a month's participants are always part of its eligible.
    outside = case((or_(Member.is_active.is_(False), Member.created_at >= bounds.c.hi), 1), else_=0)
    got = {int(m): (pa, int(ch), int(gone or 0)) for m, pa, ch, gone in db.session.execute(
        select(per.c.m, func.count(), func.sum(per.c.n), func.sum(outside))
        .join(Member, Member.id == per.c.member_id).join(bounds, bounds.c.m == per.c.m).group_by(per.c.m))}
    active = db.session.execute(select(*[
        func.coalesce(func.sum(case((Member.created_at < end, 1), else_=0)), 0) for end in ends
    ]).where(Member.is_active.is_(True))).one()
    rows = []
    for i, (first, _last) in enumerate(months):
        pa, ch, gone = got.get(first.month, (0, 0, 0))
        r = {"key": f"{first:%Y-%m}", "label": f"{first.month}月", "eligible": int(active[i]) + gone,
             "participants": pa, "checkins": ch, "merged": False}
        finish(r)
        rows.append(r)
    return rows


# --- requests ---------------------------------------------------------------------------------------

REQUEST_COLUMNS = [col("count", "诉求数", "count"),
                   col("first_response_on_time_rate", "首次响应及时率", "percent"),
                   col("first_response_hours_median", "首次响应中位（小时）", "hours"),
                   col("resolution_hours_median", "办结中位（小时）", "hours"),
                   col("on_time_rate", "按时办结率", "percent"), col("resolved_rate", "解决率", "percent")]


def requests(p: Period, detail: bool, now: datetime) -> Area:
    from ..member_requests.models import Request
    from ..member_requests.stats import request_stats

    s, e = p.bounds()
    stats = request_stats(p.start, p.end, now)
    total = stats["total"]
    n_rated, avg = db.session.execute(select(func.count(Request.satisfaction), func.avg(Request.satisfaction))
                                      .where(Request.created_at >= s, Request.created_at < e)).one()
    first = _first_responses(s, e, now)
    fr_all = [sum(v[i] for v in first["all"].values()) for i in range(3)] if first["all"] else [0, 0, 0]
    values = {"requests.count": total["count"], "requests.on_time_rate": total["on_time_rate"],
              "requests.first_response_on_time_rate": rate(fr_all[1], fr_all[2]) if fr_all[0] >= MIN_GROUP
              else None,
              "requests.resolved_rate": total["resolved_rate"],
              "requests.first_response_hours_median": rounded(total["first_response_hours_median"]),
              "requests.resolution_hours_median": rounded(total["resolution_hours_median"]),
              "requests.satisfaction": rounded(avg, 2) if n_rated >= MIN_GROUP else None}
    if not detail:
        return values, []

    def rows(groups, counts):
        # The statistics merged keys under five (and the real "other") into "other": the same here.
        merged = {}
        for k, v in counts.items():
            into = OTHER if k == OTHER or v[0] < MIN_GROUP else k
            merged[into] = [a + b for a, b in zip(merged.get(into, [0, 0, 0]), v, strict=True)]
        out = []
        for g in groups:
            n, ot, dc = merged.get(g["key"], [0, 0, 0])
            g = {**g, "first_response_on_time_rate": rate(ot, dc) if n >= MIN_GROUP else None}
            r = {"key": g["key"], "label": g["label"], "merged": g["key"] == OTHER}
            for c in REQUEST_COLUMNS:
                v = g.get(c["key"])
                r[c["key"]] = rounded(v) if c["unit"] == "hours" else v
            out.append(r)
        return out

    note = f"不足 {MIN_GROUP} 件的分类、网格合并为「{OTHER_LABEL}」；时长为日历小时"
    return values, [
        table("requests.by_category", "按分类", [col("label", "分类"), *REQUEST_COLUMNS],
              rows(stats["by_category"], first["category"]),
              {"kind": "bar", "series": ["on_time_rate", "resolved_rate"]}, note),
        table("requests.by_grid", "按网格", [col("label", "网格"), *REQUEST_COLUMNS],
              rows(stats["by_grid"], first["grid"]),
              {"kind": "bar", "series": ["on_time_rate"]}, note),
    ]


def _first_responses(s: datetime, e: datetime, now: datetime) -> dict[str, dict[str, list[int]]]:
    """{breakdown: {key: [requests, first responses on time, decided]}} for all, by category and by grid (the
    statistics' keys: a grid's id as text, or "none"). On time: the first response by its working-day due
    time; decided: responded, or the due time passed."""
    from ..member_requests.models import Request
    from ..member_requests.stats import NO_GRID

    ot, dc = _on_time(Request.first_response_at, Request.first_response_due_at, now)
    out = {}
    for name, key in (("all", literal("all", String)), ("category", Request.category),
                      ("grid", func.coalesce(cast(Request.grid_id, String), literal(NO_GRID)))):
        out[name] = {k: [n, int(a or 0), int(b or 0)] for k, n, a, b in db.session.execute(
            select(key, func.count(), func.sum(ot), func.sum(dc))
            .where(Request.created_at >= s, Request.created_at < e).group_by(key))}
    return out


# --- benefits ---------------------------------------------------------------------------------------

def benefits(p: Period, detail: bool, now: datetime) -> Area:
    from ..benefits.services import claim_rates

    got = claim_rates(*p.bounds())
    values = {"benefits.campaigns": len(got["campaigns"]), "benefits.claim_rate": got["claim_rate"],
              "benefits.redeem_rate": got["redeem_rate"]}
    if not detail:
        return values, []

    def finish(r):
        r["claim_rate"] = rate(r["claimed"], r["eligible"])
        r["redeem_rate"] = rate(r["redeemed"], r["claimed"])

    rows = [{"key": str(c["benefit_id"]), "label": c["title"], "eligible": c["eligible"], "claimed": c["claimed"],
             "redeemed": c["redeemed"]} for c in got["campaigns"]]
    return values, [table(
        "benefits.by_campaign", "各批福利",
        [col("label", "福利"), col("eligible", "可领取人数", "count"), col("claimed", "已领取", "count"),
         col("redeemed", "已核销", "count"), col("claim_rate", "领取率", "percent"),
         col("redeem_rate", "核销率", "percent")],
        merge_small(rows, "eligible", ("eligible", "claimed", "redeemed"), finish,
                    ("claimed", "redeemed", "claim_rate", "redeem_rate")),
        {"kind": "bar", "series": ["claim_rate", "redeem_rate"]}, f"面向不足 {MIN_GROUP} 人的福利合并统计")]


# --- notices ----------------------------------------------------------------------------------------

def notices(p: Period, detail: bool, now: datetime) -> Area:
    from ..notices.models import Delivery, DeliveryStatus, Notice, NoticeChannel, NoticeRecipient, NoticeSource

    s, e = p.bounds()
    in_period = and_(Notice.planned_at >= s, Notice.planned_at < e)
    by_status = db.session.execute(
        select(Delivery.channel, Delivery.status, func.count()).join(Notice, Notice.id == Delivery.notice_id)
        .where(in_period).group_by(Delivery.channel, Delivery.status)).all()
    reads = db.session.execute(
        select(Notice.source, func.count(func.distinct(Notice.id)), func.count(NoticeRecipient.member_id),
               func.count(NoticeRecipient.read_at))
        .outerjoin(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
        .where(in_period).group_by(Notice.source)).all()
    posters = dict(db.session.execute(
        select(Notice.source, func.count()).where(in_period, cast(Notice.channels, String).like('%"poster"%'))
        .group_by(Notice.source)).all())
    staff = next(((n, rc, rd) for src, n, rc, rd in reads if src == NoticeSource.staff), (0, 0, 0))
    total = sum(c for _ch, _st, c in by_status)
    sent = sum(c for _ch, st, c in by_status if st == DeliveryStatus.sent)
    values = {"notices.count": staff[0], "notices.sent_rate": rate(sent, total),
              "notices.read_rate": rate(staff[2], staff[1])}
    if not detail:
        return values, []
    channels = []
    for ch in NoticeChannel:
        if ch == NoticeChannel.poster:
            channels.append({"key": ch.value, "label": ch.label, "merged": False, "notices": sum(posters.values()),
                             "deliveries": None, "sent": None, "failed": None, "skipped": None, "sent_rate": None})
            continue
        mine = {st: c for c_, st, c in by_status if c_ == ch}
        n_all = sum(mine.values())
        channels.append({
            "key": ch.value, "label": ch.label, "merged": False, "notices": None, "deliveries": n_all,
            "sent": mine.get(DeliveryStatus.sent, 0), "skipped": mine.get(DeliveryStatus.skipped, 0),
            "failed": n_all - mine.get(DeliveryStatus.sent, 0) - mine.get(DeliveryStatus.skipped, 0),
            "sent_rate": rate(mine.get(DeliveryStatus.sent, 0), n_all)})
    labels = NoticeSource.labels()
    sources = [{"key": src, "label": labels.get(src, src), "merged": False, "notices": n, "recipients": rc,
                "read": rd, "read_rate": rate(rd, rc), "posters": posters.get(src, 0)}
               for src, n, rc, rd in sorted(reads, key=lambda r: (r[0] != NoticeSource.staff, -r[1]))]
    return values, [
        table("notices.by_channel", "按渠道", [
            col("label", "渠道"), col("deliveries", "应发送", "count"), col("sent", "已发送", "count"),
            col("failed", "失败或未知", "count"), col("skipped", "未发送", "count"),
            col("sent_rate", "送达率", "percent"), col("notices", "海报通知数", "count")],
            channels, {"kind": "bar", "series": ["sent_rate"]},
            "未发送：会员未订阅小程序消息或没有手机号；海报为打印张贴，不计送达"),
        table("notices.by_source", "按来源", [
            col("label", "来源"), col("notices", "通知数", "count"), col("recipients", "收件人次", "count"),
            col("read", "已读人次", "count"), col("read_rate", "阅读率", "percent")],
            sources, {"kind": "bar", "series": ["read_rate"]}, None),
    ]


# --- suggestions ------------------------------------------------------------------------------------

WITHIN = timedelta(days=7)


def suggestions(p: Period, detail: bool, now: datetime) -> Area:
    """Only counts and times by category: the box is anonymous, so nothing here is by person or place."""
    from ..suggestions.models import MessageAuthor, Suggestion, SuggestionCategory, SuggestionMessage

    first = (select(SuggestionMessage.suggestion_id, func.min(SuggestionMessage.created_at).label("at"))
             .where(SuggestionMessage.author == MessageAuthor.staff)
             .group_by(SuggestionMessage.suggestion_id).subquery())
    got = db.session.execute(
        select(Suggestion.category, Suggestion.submitted_on, first.c.at)
        .outerjoin(first, first.c.suggestion_id == Suggestion.id)
        .where(Suggestion.submitted_on >= p.start, Suggestion.submitted_on <= p.end)).all()
    # Days from the day's start in Shanghai (the time of submission is not stored) to the first reply.
    acc: dict[str, dict] = defaultdict(lambda: {"count": 0, "days": [], "within": 0, "decided": 0})
    for category, day, at in got:
        a = acc[category]
        a["count"] += 1
        start = _local_midnight(day)
        if at is not None:
            a["days"].append((at - start).total_seconds() / 86400)
        if at is not None and at - start <= WITHIN:
            a["within"] += 1
            a["decided"] += 1
        elif at is not None or now - start > WITHIN:
            a["decided"] += 1

    def finish(r):
        r["reply_days_median"] = rounded(statistics.median(r["days"])) if r["days"] else None
        r["replied_within_7d_rate"] = rate(r["within"], r["decided"])
        r["replied"] = len(r["days"])

    everything = {"key": "all", "label": "全部", "count": len(got), "days": [d for a in acc.values()
                  for d in a["days"]], "within": sum(a["within"] for a in acc.values()),
                  "decided": sum(a["decided"] for a in acc.values())}
    finish(everything)
    small = len(got) < MIN_GROUP
    values = {"suggestions.count": len(got),
              "suggestions.reply_days_median": None if small else everything["reply_days_median"],
              "suggestions.replied_within_7d_rate": None if small else everything["replied_within_7d_rate"]}
    if not detail:
        return values, []
    labels = SuggestionCategory.labels()
    rows = [{"key": k, "label": labels.get(k, k), **a} for k, a in acc.items()]
    rows = merge_small(rows, "count", ("count", "within", "decided", "days"), finish,
                       ("replied", "reply_days_median", "replied_within_7d_rate"))
    for r in rows:
        for k in ("days", "within", "decided"):
            r.pop(k, None)
    return values, [table(
        "suggestions.by_category", "按类别",
        [col("label", "类别"), col("count", "意见数", "count"), col("replied", "已答复", "count"),
         col("reply_days_median", "首次答复中位（天）", "days"),
         col("replied_within_7d_rate", "7 日内答复率", "percent")],
        rows, {"kind": "bar", "series": ["replied_within_7d_rate"]}, f"不足 {MIN_GROUP} 条的类别合并")]


# --- volunteers -------------------------------------------------------------------------------------

def volunteers(p: Period, detail: bool, now: datetime) -> Area:
    from ..members.models import Department, Member
    from ..volunteers.hours import totals_query

    t = totals_query(*p.bounds())
    stmt = (select(Member.department_id, Department.name, func.count(), func.sum(t.c.minutes))
            .select_from(t).join(Member, Member.id == t.c.member_id)
            .outerjoin(Department, Department.id == Member.department_id)
            .where(t.c.minutes > 0).group_by(Member.department_id, Department.name))
    rows = [{"key": str(i) if i is not None else "none", "label": name if i is not None else "未分配部门",
             "people": n, "minutes": int(m or 0)} for i, name, n, m in db.session.execute(stmt)]
    people = sum(r["people"] for r in rows)
    minutes = sum(r["minutes"] for r in rows)
    values = {"volunteers.hours": round(minutes / 60, 1), "volunteers.people": people,
              "volunteers.hours_per_volunteer": round(minutes / 60 / people, 1) if people else None}
    if not detail:
        return values, []

    def finish(r):
        r["hours"] = round(r["minutes"] / 60, 1)
        r["hours_per_volunteer"] = round(r["minutes"] / 60 / r["people"], 1) if r["people"] else None

    rows = merge_small(rows, "people", ("people", "minutes"), finish, ("hours", "hours_per_volunteer"))
    for r in rows:
        r.pop("minutes")
    return values, [table(
        "volunteers.by_department", "按部门",
        [col("label", "部门"), col("people", "志愿者", "count"), col("hours", "时长（小时）", "hours"),
         col("hours_per_volunteer", "人均（小时）", "hours")],
        rows, {"kind": "bar", "series": ["hours"]}, f"志愿者不足 {MIN_GROUP} 人的部门合并")]


# --- surveys ----------------------------------------------------------------------------------------

def surveys(p: Period, detail: bool, now: datetime) -> Area:
    from ..surveys.models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyStatus

    s, e = p.bounds()
    found = db.session.execute(select(Survey.id, Survey.title).where(
        Survey.status.in_([SurveyStatus.scheduled, SurveyStatus.closed]), Survey.closes_at >= s,
        Survey.closes_at < e).order_by(Survey.closes_at, Survey.id)).all()
    ids = [i for i, _t in found]
    responses = dict(db.session.execute(select(SurveyResponse.survey_id, func.count()).where(
        SurveyResponse.survey_id.in_(ids)).group_by(SurveyResponse.survey_id)).all()) if ids else {}
    scores = {i: (int(total or 0), n) for i, total, n in db.session.execute(
        select(SurveyAnswer.survey_id, func.sum(SurveyAnswer.value), func.count(SurveyAnswer.value))
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyAnswer.survey_id.in_(ids), SurveyQuestion.kind == QuestionKind.scale)
        .group_by(SurveyAnswer.survey_id))} if ids else {}
    counted = [i for i in ids if responses.get(i, 0) >= MIN_GROUP and scores.get(i, (0, 0))[1]]
    total, n = sum(scores[i][0] for i in counted), sum(scores[i][1] for i in counted)
    values = {"surveys.count": len(ids), "surveys.responses": sum(responses.values()),
              "surveys.score": round(total / n, 2) if n else None}
    if not detail:
        return values, []
    rows = []
    for i, title in found:
        got, (tot, cnt) = responses.get(i, 0), scores.get(i, (0, 0))
        rows.append({"key": str(i), "label": title, "merged": False, "responses": got,
                     "score": round(tot / cnt, 2) if cnt and got >= MIN_GROUP else None})
    return values, [table("surveys.by_survey", "各问卷", [col("label", "问卷"), col("responses", "答卷数", "count"),
                          col("score", "评分题平均分", "score")], rows, {"kind": "bar", "series": ["score"]},
                          f"答卷不足 {MIN_GROUP} 份的问卷不显示评分；没有评分题的问卷评分为空")]


# --- proposals --------------------------------------------------------------------------------------

def _on_time(done_at, due_at, now):
    """(on time, decided) as SQL 0/1: done by the due time; decided once done, or the due time passed."""
    on_time = and_(done_at.is_not(None), done_at <= due_at)
    decided = or_(done_at.is_not(None), due_at <= now)
    return case((on_time, 1), else_=0), case((decided, 1), else_=0)


def proposals(p: Period, detail: bool, now: datetime) -> Area:
    from ..proposals.models import CongressSession, Proposal, ProposalStatus

    s, e = p.bounds()
    live = Proposal.status.in_([ProposalStatus.accepted, ProposalStatus.assigned, ProposalStatus.in_progress,
                                ProposalStatus.completed])
    a_ot, a_dc = _on_time(Proposal.assigned_at, Proposal.assignment_due_at, now)
    c_ot, c_dc = _on_time(Proposal.completed_at, Proposal.due_at, now)
    a_in = and_(live, Proposal.assignment_due_at >= s, Proposal.assignment_due_at < e)
    c_in = and_(live, Proposal.due_at >= s, Proposal.due_at < e)
    one = literal(1)

    def sums():
        return (func.sum(case((and_(Proposal.submitted_at >= s, Proposal.submitted_at < e), one), else_=0)),
                func.sum(case((a_in, a_ot), else_=0)), func.sum(case((a_in, a_dc), else_=0)),
                func.sum(case((c_in, c_ot), else_=0)), func.sum(case((c_in, c_dc), else_=0)))

    touches = or_(and_(Proposal.submitted_at >= s, Proposal.submitted_at < e), a_in, c_in)
    stmt = (select(Proposal.session_id, CongressSession.name, *sums())
            .join(CongressSession, CongressSession.id == Proposal.session_id)
            .where(touches).group_by(Proposal.session_id, CongressSession.name))
    rows = [{"key": str(i), "label": name, "count": int(n or 0), "a_ot": int(a or 0), "a_dc": int(b or 0),
             "c_ot": int(c or 0), "c_dc": int(d or 0)} for i, name, n, a, b, c, d in db.session.execute(stmt)]
    tot = {k: sum(r[k] for r in rows) for k in ("count", "a_ot", "a_dc", "c_ot", "c_dc")}
    values = {"proposals.count": tot["count"],
              "proposals.assigned_on_time_rate": rate(tot["a_ot"], tot["a_dc"]),
              "proposals.completed_on_time_rate": rate(tot["c_ot"], tot["c_dc"])}
    if not detail:
        return values, []
    for r in rows:
        r["merged"] = False
        r["assigned_on_time_rate"] = rate(r.pop("a_ot"), r.pop("a_dc"))
        r["completed_on_time_rate"] = rate(r.pop("c_ot"), r.pop("c_dc"))
    return values, [table(
        "proposals.by_session", "按届次",
        [col("label", "届次"), col("count", "期内提交", "count"),
         col("assigned_on_time_rate", "按时交办率", "percent"),
         col("completed_on_time_rate", "按时办结率", "percent")], rows, None, None)]


# --- improvements -----------------------------------------------------------------------------------

def improvements(p: Period, detail: bool, now: datetime) -> Area:
    from ..improvements.models import Improvement, ImprovementStatus

    s, e = p.bounds()
    done_at = case((Improvement.status == ImprovementStatus.done, Improvement.closed_at), else_=None)
    ot, dc = _on_time(done_at, Improvement.due_at, now)
    n, on_time, decided = db.session.execute(select(func.count(), func.sum(ot), func.sum(dc)).where(
        Improvement.status != ImprovementStatus.cancelled, Improvement.due_at > s,
        Improvement.due_at <= e)).one()
    return {"improvements.due": n, "improvements.on_time_rate": rate(int(on_time or 0), int(decided or 0))}, []


AREAS: dict[str, Callable[[Period, bool, datetime], Area]] = {
    "participation": participation, "requests": requests, "benefits": benefits, "notices": notices,
    "suggestions": suggestions, "volunteers": volunteers, "surveys": surveys, "proposals": proposals,
    "improvements": improvements,
}
