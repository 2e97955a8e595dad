"""The checklist templates and the automatic figures.

Each template item is (key, Chinese label, compute function or None). A compute function takes the period's
bounds and ``now`` and returns the figure as shown, the raw values, how it was computed (Chinese, printed with
the audit) and a suggestion (``pass``/``fail``, or None where the figure needs judgement). Each is one or two
aggregate statements over the period; figures owned by another domain come from that domain's function
(requests: ``member_requests.stats.request_stats``; the fund chain: ``fund.chain.verify``).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import and_, case, func, or_, select

from ..core.extensions import db
from ..core.timeutil import SHANGHAI
from .models import AuditKind


@dataclass(frozen=True)
class Period:
    text: str
    first: date   # first day, Asia/Shanghai
    last: date    # last day

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), SHANGHAI)

    @property
    def end(self) -> datetime:
        """The instant after the period (exclusive)."""
        y, m = (self.last.year + 1, 1) if self.last.month == 12 else (self.last.year, self.last.month + 1)
        return datetime(y, m, 1, tzinfo=SHANGHAI)

    def months(self) -> list[str]:
        return [f"{self.first.year}-{m:02d}" for m in range(self.first.month, self.last.month + 1)]


def parse_period(kind: str, text: str) -> Optional[Period]:
    """``2026H2`` for the fund audit, ``2026`` for the procedure audit; None when it does not fit the kind."""
    if kind == AuditKind.fund_semiannual:
        m = re.fullmatch(r"(20\d\d)H([12])", text)
        if not m:
            return None
        y, half = int(m[1]), int(m[2])
        return Period(text, date(y, 1 if half == 1 else 7, 1), date(y, 6, 30) if half == 1 else date(y, 12, 31))
    m = re.fullmatch(r"20\d\d", text)
    if not m:
        return None
    y = int(text)
    return Period(text, date(y, 1, 1), date(y, 12, 31))


def month_end(month: str) -> datetime:
    """The instant a month ends (Asia/Shanghai)."""
    y, m = int(month[:4]), int(month[5:])
    return datetime(y + (m == 12), 1 if m == 12 else m + 1, 1, tzinfo=SHANGHAI)


def publish_deadline(month: str) -> datetime:
    """By the 15th of the next month, 24:00 Asia/Shanghai."""
    end = month_end(month)
    return datetime(end.year, end.month, 16, tzinfo=SHANGHAI)


def pct(n: int, d: int) -> str:
    return f"{n / d * 100:.1f}%" if d else "—"


Figure = dict  # {"figure", "value", "computation", "suggested"}


def _fig(figure: str, value: dict, computation: str, suggested: Optional[str]) -> Figure:
    return {"figure": figure, "value": value, "computation": computation, "suggested": suggested}


# --- the procedure audit ------------------------------------------------------------------------------

def congress_held(p: Period, now: datetime) -> Figure:
    from ..proposals.models import CongressSession

    names = list(db.session.scalars(select(CongressSession.name).where(
        CongressSession.closes_at >= p.start, CongressSession.closes_at < p.end).order_by(CongressSession.closes_at)))
    figure = f"召开 {len(names)} 次" + (f"：{'、'.join(names)}" if names else "")
    return _fig(figure, {"sessions": len(names)},
                f"职代会会议（提案征集截止时间在 {p.first:%Y-%m-%d} 至 {p.last:%Y-%m-%d} 之间）的数量。",
                "pass" if names else "fail")


def proposals_assigned(p: Period, now: datetime) -> Figure:
    from ..proposals.models import AWAITING_ASSIGNMENT, Proposal

    awaiting = Proposal.status.in_([str(s) for s in AWAITING_ASSIGNMENT])
    on_time = and_(Proposal.assigned_at.is_not(None), Proposal.assigned_at <= Proposal.assignment_due_at)
    decided = or_(Proposal.assigned_at.is_not(None), and_(awaiting, Proposal.assignment_due_at <= now))
    n_on_time, n_decided = db.session.execute(select(
        func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
        func.coalesce(func.sum(case((decided, 1), else_=0)), 0),
    ).where(Proposal.assignment_due_at >= p.start, Proposal.assignment_due_at < p.end)).one()
    n_on_time, n_decided = int(n_on_time), int(n_decided)
    figure = f"按时交办 {n_on_time}/{n_decided}（{pct(n_on_time, n_decided)}）" if n_decided else "期内无应交办提案"
    return _fig(figure, {"on_time": n_on_time, "decided": n_decided},
                "交办期限（会议截止后 7 个工作日）在期内的提案中：已交办的，及期限已过仍未交办的，为应交办数；"
                "其中在期限内交办的为按时数。不予立案或转为意见的提案不计。",
                None if not n_decided else "pass" if n_on_time == n_decided else "fail")


def requests_on_time(p: Period, now: datetime) -> Figure:
    from ..member_requests.stats import MIN_GROUP, request_stats

    total = request_stats(p.first, p.last, now)["total"]
    rate, count = total["on_time_rate"], total["count"]
    median = total["first_response_hours_median"]
    if rate is None:
        figure = f"诉求 {count} 件，不足 {MIN_GROUP} 件或尚无已判定的诉求，不计算按时率" if count < MIN_GROUP \
            else f"诉求 {count} 件，尚无已判定的诉求"
    else:
        figure = f"诉求 {count} 件，按时率 {rate * 100:.1f}%" + (
            f"，首次响应中位 {median:.1f} 小时" if median is not None else "")
    return _fig(figure, {"count": count, "on_time_rate": rate, "first_response_hours_median": median},
                "取自诉求统计（GET /requests/stats 的“全部”一栏）：期内提出的诉求中，首次响应和办结均在时限内的"
                "为按时；已按时办结或已知超时的为已判定；按时率 = 按时 ÷ 已判定。不足 5 件不计算。",
                None if rate is None else "pass" if rate >= 1 else "fail")


def council_monthly(p: Period, now: datetime) -> Figure:
    from ..council.models import CouncilTopic

    months = [m for m in p.months() if datetime(int(m[:4]), int(m[5:]), 1, tzinfo=SHANGHAI) <= now]
    held = set(db.session.scalars(select(CouncilTopic.month).where(CouncilTopic.month.in_(months)))) if months \
        else set()
    missing = [m for m in months if m not in held]
    figure = f"{len(months) - len(missing)}/{len(months)} 个月有议题" + (
        f"；缺：{'、'.join(missing)}" if missing else "")
    return _fig(figure, {"months": len(months), "held": len(months) - len(missing), "missing": missing},
                "期内已开始的每个月是否有职工议事会议题（每月一个）。", None if not months
                else "pass" if not missing else "fail")


def craftsman_round(p: Period, now: datetime) -> Figure:
    from ..craftsman.models import CraftsmanRound, CraftsmanStage

    row = db.session.execute(select(CraftsmanRound.title, CraftsmanRound.status)
                             .where(CraftsmanRound.year == p.first.year)).first()
    if row is None:
        return _fig("未开展", {"held": False, "published": False}, f"{p.first.year} 年度的工匠之星评选。", "fail")
    published = row.status == CraftsmanStage.published
    return _fig(f"已开展「{row.title}」，" + ("结果已公布" if published else "尚未公布结果"),
                {"held": True, "published": published}, f"{p.first.year} 年度的工匠之星评选及其是否已公布结果。",
                "pass" if published else None)


# --- the fund audit -----------------------------------------------------------------------------------

def _fund_months(p: Period, now: datetime):
    from ..fund.models import FundMonth

    due = [m for m in p.months() if month_end(m) <= now]  # months that have ended
    rows = dict(db.session.execute(select(FundMonth.month, FundMonth.published_at)
                                   .where(FundMonth.month.in_(p.months()))).all())
    return due, rows


def months_published(p: Period, now: datetime) -> Figure:
    due, rows = _fund_months(p, now)
    missing = [m for m in due if m not in rows]
    figure = f"已公开 {len(due) - len(missing)}/{len(due)} 个月" + (
        f"；未公开：{'、'.join(missing)}" if missing else "")
    return _fig(figure, {"due": len(due), "published": len(due) - len(missing), "missing": missing},
                "期内已结束的每个月是否已公开经费收支（fund_months 中有该月的记录）。",
                None if not due else "pass" if not missing else "fail")


def published_on_time(p: Period, now: datetime) -> Figure:
    due, rows = _fund_months(p, now)
    # A month counts once its deadline has passed, or once it is published (early is on time).
    counted = [m for m in due if m in rows or publish_deadline(m) <= now]
    late = [m for m in counted if m not in rows or rows[m] >= publish_deadline(m)]
    on_time = len(counted) - len(late)
    figure = f"按期公开 {on_time}/{len(counted)}" + (f"；逾期或未公开：{'、'.join(late)}" if late else "")
    return _fig(figure, {"counted": len(counted), "on_time": on_time, "late": late},
                "每月收支须于次月 15 日 24:00（北京时间）前公开；计入期限已过或已公开的月份。",
                None if not counted else "pass" if not late else "fail")


def fund_chain(p: Period, now: datetime) -> Figure:
    from ..fund.chain import verify

    ok, broken = verify()
    return _fig("校验通过" if ok else f"校验失败：自 {broken} 起不一致", {"available": True, "ok": ok,
                                                               "broken_month": broken},
                "从已存储的收支记录重新计算各公开月份的哈希链（与 GET /fund/verify 相同）。",
                "pass" if ok else "fail")


Compute = Optional[Callable[[Period, datetime], Figure]]

TEMPLATES: dict[str, list[tuple[str, str, Compute]]] = {
    AuditKind.fund_semiannual: [
        ("months_published", "每月经费收支明细均已公开", months_published),
        ("published_on_time", "每月收支于次月15日前公开", published_on_time),
        ("fund_chain", "已公开账目的哈希链校验完整", fund_chain),
        ("vouchers", "收支凭证（发票等）齐全，与账目一致", None),
        ("approvals", "大额支出经审批，双人复核", None),
        ("procurements", "大额采购经三家比价，职工代表参与", None),
        ("budget", "各科目支出在年度预算以内", None),
    ],
    AuditKind.procedure_annual: [
        ("congress_held", "年度内召开职工代表大会", congress_held),
        ("proposals_assigned", "提案在会议截止后7个工作日内交办", proposals_assigned),
        ("requests_on_time", "职工诉求按时响应、按时办结", requests_on_time),
        ("council_monthly", "职工议事会每月一个议题", council_monthly),
        ("craftsman_round", "年度工匠之星评选已开展", craftsman_round),
        ("awards_public", "评优评先经公示期，异议已处理", None),
        ("open_affairs", "厂务公开事项按期公开", None),
    ],
}
