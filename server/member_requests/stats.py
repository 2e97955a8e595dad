"""Request statistics for the report (API.md ``GET /requests/stats``; docs/requests.md "Statistics").

Per group (category, grid, and all together): the count, first-response and resolution hours (median and
90th percentile, continuous as PostgreSQL's percentile_cont), the on-time rate and the resolved rate.

A group of fewer than MIN_GROUP requests is merged into ``other`` inside the same statement (a window count
per key, then GROUP BY the merged key), so percentiles of the merged group are true percentiles of its
requests. The real ``other`` category joins it. If ``other`` itself has fewer than MIN_GROUP requests it is
still listed with its count, and its times and rates are null: no figure is ever shown for fewer than five.

One statement per breakdown: on PostgreSQL the percentiles are computed by the database; SQLite has no
percentile function, so its statement returns the group's rows sorted and one Python pass computes them.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import Float, String, and_, case, cast, func, literal, or_, select

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Grid
from .models import Request, RequestCategory

MIN_GROUP = 5
OTHER = "other"
OTHER_LABEL = "其他（合并）"
NO_GRID = "none"
METRICS = ("first_response_hours_median", "first_response_hours_p90", "resolution_hours_median",
           "resolution_hours_p90", "on_time_rate", "resolved_rate")


def local_span(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) Asia/Shanghai: both days included."""
    return (datetime.combine(start, time(0), SHANGHAI),
            datetime.combine(end + timedelta(days=1), time(0), SHANGHAI))


def flags(now: datetime):
    """(on_time, decided, resolved) as SQL 0/1. On time: resolved, with the first response and the
    resolution each by its due time. Decided: on time, or already known to be late (a clock missed or run
    out). A request still within both clocks is neither, so young requests do not lower the rate."""
    r = Request
    on_time = and_(r.resolved_at.is_not(None), r.resolved_at <= r.resolve_due_at,
                   r.first_response_at.is_not(None), r.first_response_at <= r.first_response_due_at)
    late = or_(r.first_response_at > r.first_response_due_at,
               and_(r.first_response_at.is_(None), r.first_response_due_at <= now),
               r.resolved_at > r.resolve_due_at,
               and_(r.resolved_at.is_(None), r.resolve_due_at <= now))
    one = literal(1)
    return (case((on_time, one), else_=0), case((or_(on_time, late), one), else_=0),
            case((r.resolved_at.is_not(None), one), else_=0))


def _merged(key_expr, start: datetime, end: datetime, now: datetime):
    """The rows of the span with their group key, groups under MIN_GROUP relabelled ``other``."""
    on_time, decided, resolved = flags(now)
    rows = (select(key_expr.label("key"), func.count().over(partition_by=key_expr).label("n"),
                   Request.created_at, Request.first_response_at, Request.resolved_at,
                   on_time.label("on_time"), decided.label("decided"), resolved.label("resolved"))
            .where(Request.created_at >= start, Request.created_at < end)).subquery()
    merged = case((and_(rows.c.n >= MIN_GROUP, rows.c.key != OTHER), rows.c.key), else_=literal(OTHER))
    return rows, merged


def _hours(a, b):
    return cast(func.extract("epoch", a - b), Float) / 3600.0


def _percentile(p: float, values: list[float]) -> float | None:
    """Continuous percentile of sorted values (as percentile_cont)."""
    if not values:
        return None
    pos = p * (len(values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def _finish(key: str, count: int, fr_med, fr_p90, res_med, res_p90, on_time: int, decided: int,
            resolved: int) -> dict:
    out = {"key": key, "count": count}
    if count < MIN_GROUP:
        out.update(dict.fromkeys(METRICS))
        return out

    def hours(v):
        return None if v is None else round(float(v), 2)

    out.update(first_response_hours_median=hours(fr_med), first_response_hours_p90=hours(fr_p90),
               resolution_hours_median=hours(res_med), resolution_hours_p90=hours(res_p90),
               on_time_rate=round(on_time / decided, 4) if decided else None,
               resolved_rate=round(resolved / count, 4) if count else None)
    return out


def breakdown(key_expr, start: datetime, end: datetime, now: datetime) -> list[dict]:
    """One statement: the groups by ``key_expr`` (a string expression), small ones merged."""
    rows, merged = _merged(key_expr, start, end, now)
    if db.engine.dialect.name == "postgresql":
        fr = _hours(rows.c.first_response_at, rows.c.created_at)
        res = _hours(rows.c.resolved_at, rows.c.created_at)
        stmt = select(merged.label("key"), func.count(),
                      func.percentile_cont(0.5).within_group(fr), func.percentile_cont(0.9).within_group(fr),
                      func.percentile_cont(0.5).within_group(res), func.percentile_cont(0.9).within_group(res),
                      func.sum(rows.c.on_time), func.sum(rows.c.decided), func.sum(rows.c.resolved)
                      ).group_by(merged)
        return [_finish(k, n, a, b, c, d, int(ot or 0), int(dc or 0), int(rs or 0))
                for k, n, a, b, c, d, ot, dc, rs in db.session.execute(stmt)]
    # SQLite: one pass over the rows of one statement.
    stmt = select(merged.label("key"), rows.c.created_at, rows.c.first_response_at, rows.c.resolved_at,
                  rows.c.on_time, rows.c.decided, rows.c.resolved)
    acc: dict[str, dict] = defaultdict(lambda: {"n": 0, "fr": [], "res": [], "ot": 0, "dc": 0, "rs": 0})
    for key, created, first, resolved_at, ot, dc, rs in db.session.execute(stmt):
        a = acc[key]
        a["n"] += 1
        if first is not None:
            a["fr"].append((first - created).total_seconds() / 3600)
        if resolved_at is not None:
            a["res"].append((resolved_at - created).total_seconds() / 3600)
        a["ot"] += ot
        a["dc"] += dc
        a["rs"] += rs
    out = []
    for key, a in acc.items():
        fr, res = sorted(a["fr"]), sorted(a["res"])
        out.append(_finish(key, a["n"], _percentile(0.5, fr), _percentile(0.9, fr), _percentile(0.5, res),
                           _percentile(0.9, res), a["ot"], a["dc"], a["rs"]))
    return out


def _ordered(groups: list[dict]) -> list[dict]:
    """Largest first, ``other`` last."""
    return sorted(groups, key=lambda g: (g["key"] == OTHER, -g["count"], g["key"]))


def request_stats(start_day: date, end_day: date, now: datetime | None = None) -> dict:
    """Requests raised from ``start_day`` to ``end_day`` (both included, Asia/Shanghai). Three statements
    (all, by category, by grid) and one for the grids' names."""
    now = now or utcnow()
    start, end = local_span(start_day, end_day)
    total = breakdown(literal("all", String), start, end, now)
    total = total[0] if total else _finish("all", 0, None, None, None, None, 0, 0, 0)
    if total["key"] == OTHER:  # fewer than five in all: the merge renamed it
        total["key"] = "all"
    total["label"] = "全部"
    by_category = _ordered(breakdown(Request.category, start, end, now))
    labels = RequestCategory.labels()
    for g in by_category:
        g["label"] = OTHER_LABEL if g["key"] == OTHER else labels.get(g["key"], g["key"])
    grid_key = func.coalesce(cast(Request.grid_id, String), literal(NO_GRID))
    by_grid = _ordered(breakdown(grid_key, start, end, now))
    ids = [int(g["key"]) for g in by_grid if g["key"] not in (OTHER, NO_GRID)]
    names = dict(db.session.execute(select(Grid.id, Grid.name).where(Grid.id.in_(ids))).all()) if ids else {}
    for g in by_grid:
        g["label"] = (OTHER_LABEL if g["key"] == OTHER else "未分网格" if g["key"] == NO_GRID
                      else names.get(int(g["key"]), g["key"]))
    return {"from": start_day, "to": end_day, "total": total, "by_category": by_category, "by_grid": by_grid}

