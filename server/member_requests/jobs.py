"""Requests' clocks in the one scheduler: warnings before due, escalation of late first responses, and the
liaisons' weekly digest (docs/requests.md, "Clocks and escalation" and "Weekly digest").

Every step is taken by one UPDATE that matches only rows not yet stepped (``warned_at IS NULL``,
``escalation_level = previous``) and returns them, in the transaction that writes their timeline events and
the notices. A second run, a second scheduler in the same instant (PostgreSQL re-checks the WHERE of a row
another transaction just changed, SQLite writes one at a time) or a restarted scheduler matches nothing
again. Nothing runs per request: the claimed rows are grouped in Python by who must be told, and each group
gets one notice listing its requests, so 10,000 late requests make a handful of notices, not 10,000.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Integer, String, and_, cast, insert, literal, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core.extensions import db, transaction
from ..core.timeutil import SHANGHAI, UTCDateTime, utcnow
from ..members.models import Grid, Member
from ..notices import services as notices
from .models import OPEN_STATUSES, LiaisonGrid, Request, RequestCategory, RequestEvent, TimelineAction
from .plan_models import RequestDigest

log = logging.getLogger(__name__)

# How many requests a notice names; the rest are counted ("等共 N 件"), the queue shows them all.
LISTED = 20
NO_GRID = "未分网格"
HARDSHIP = RequestCategory.hardship.value  # a plain str: compared once per claimed row


# --- who is told -----------------------------------------------------------------------------------

def has_role(*roles: str):
    """SQL: the member holds any of ``roles``. Roles are a short JSON list on the row (read on every sign-in);
    the quoted name cannot match part of another role's name."""
    text = cast(Member.roles, String)
    return or_(*[text.like(f'%"{r}"%') for r in roles])


def members_with_role(role: str) -> set[int]:
    return set(db.session.scalars(select(Member.id).where(Member.is_active.is_(True), has_role(role))))


def liaison_grid_rows(grid_ids: Iterable[int] | None = None):
    """(member_id, grid_id) of every active liaison and each grid they serve: the grid of their own roster
    row and those an admin added (liaison_grids). One statement; ``grid_ids`` narrows it."""
    active = and_(Member.is_active.is_(True), has_role("liaison"))
    own = select(Member.id.label("member_id"), Member.grid_id.label("grid_id")).where(active,
                                                                                     Member.grid_id.is_not(None))
    extra = (select(LiaisonGrid.member_id, LiaisonGrid.grid_id)
             .join(Member, Member.id == LiaisonGrid.member_id).where(active))
    if grid_ids is not None:
        ids = sorted(set(grid_ids))
        if not ids:
            return []
        own = own.where(Member.grid_id.in_(ids))
        extra = extra.where(LiaisonGrid.grid_id.in_(ids))
    return db.session.execute(union(own, extra)).all()


def liaisons_by_grid(grid_ids: Iterable[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for member_id, grid_id in liaison_grid_rows(grid_ids):
        out[grid_id].add(member_id)
    return out


def sensitive(row) -> bool:
    """Confidential and hardship requests never reach liaisons (API.md): staff handle and hear of them."""
    return bool(row.confidential) or row.category == HARDSHIP


def grid_names(grid_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted({g for g in grid_ids if g is not None})
    if not ids:
        return {}
    return dict(db.session.execute(select(Grid.id, Grid.name).where(Grid.id.in_(ids))).all())


# --- text ----------------------------------------------------------------------------------------

def span_text(delta: timedelta) -> str:
    minutes = max(1, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}分钟"
    hours = minutes // 60
    return f"{hours}小时" if hours < 48 else f"{hours // 24}天"


def local_text(dt: datetime) -> str:
    t = dt.astimezone(SHANGHAI)
    return f"{t.month}月{t.day}日 {t:%H:%M}"


def request_label(row, grids: dict[int, str]) -> str:
    """How a notice names a request: its title and grid; a confidential or hardship one only by number, since
    notices are kept in inboxes and SMS logs."""
    grid = grids.get(row.grid_id, NO_GRID)
    if sensitive(row):
        return f"#{row.id} 保密/困难帮扶诉求（{grid}）"
    return f"#{row.id}「{row.title}」（{grid}）"


def listing(items: list, line) -> str:
    """The first LISTED items as lines (only those are formatted: a pass may hold thousands), then the count."""
    shown = "\n".join(line(r) for r in items[:LISTED])
    return shown + (f"\n……等共 {len(items)} 件，请在诉求列表中查看全部。" if len(items) > LISTED else "")


# The handlers' queue in the mini-program: a pass's notice lists several requests.
QUEUE_PAGE = "pages/requests/queue"


def notify(member_ids: Iterable[int], title: str, body: str) -> int | None:
    """One notice through the pipeline (push where consented, else SMS); None when nobody is left to tell."""
    ids = sorted(set(member_ids))
    if not ids:
        return None
    # tell() answers None when all of them have left since (the pipeline sends to active members only).
    notice = notices.tell({"member_ids": ids}, title=title, body=body, source="request", page=QUEUE_PAGE,
                          sms_fallback=True)
    return notice.id if notice else None


def add_events(ids: list[int], action: str, body: str, now: datetime, internal: bool = False) -> None:
    """The timeline steps of a pass, as one executemany (no statement per request)."""
    if ids:
        db.session.execute(insert(RequestEvent), [
            {"request_id": i, "at": now, "actor_id": None, "action": action, "body": body, "internal": internal}
            for i in ids])


CLAIMED = (Request.id, Request.title, Request.category, Request.confidential, Request.grid_id, Request.assignee_id,
           Request.first_response_at, Request.first_response_due_at, Request.resolve_due_at)


def claim(stmt, action: str, body: str, now: datetime, internal: bool = False) -> list:
    """Run a step's UPDATE and write a timeline event for each row it took; returns those rows.

    PostgreSQL: one statement (the UPDATE … RETURNING in a CTE feeding an INSERT … SELECT), so 10,000
    rows cost no parameter lists. SQLite: the UPDATE, then one executemany."""
    stmt = stmt.returning(*CLAIMED)
    if db.engine.dialect.name != "postgresql":
        rows = db.session.execute(stmt.execution_options(synchronize_session=False)).all()
        add_events([r.id for r in rows], action, body, now, internal)
        return rows
    claimed = stmt.cte("claimed")
    events = insert(RequestEvent).from_select(
        ["request_id", "at", "actor_id", "action", "body", "internal"],
        select(claimed.c.id, literal(now, UTCDateTime), literal(None, Integer), literal(str(action)),
               literal(body), literal(internal))).cte("timeline")
    # Through the session's connection (Core): ORM result loading would cost more than the statement.
    return db.session.connection().execute(select(claimed).add_cte(events)).all()


# --- warnings before due ---------------------------------------------------------------------------

def warn(now: datetime | None = None) -> dict:
    """Warn each handler of their requests whose first response or resolution falls due within
    REQUEST_WARN_HOURS; once per request. The handler: the assignee; else the grid's liaisons; staff for
    confidential and hardship requests and where the grid has no liaison."""
    now = now or utcnow()
    horizon = now + timedelta(hours=current_app.config["REQUEST_WARN_HOURS"])
    rows = claim(update(Request).where(
        Request.warned_at.is_(None), Request.status.in_(OPEN_STATUSES),
        or_(and_(Request.first_response_at.is_(None), Request.first_response_due_at > now,
                 Request.first_response_due_at <= horizon),
            and_(Request.resolve_due_at > now, Request.resolve_due_at <= horizon)),
    ).values(warned_at=now), TimelineAction.warned, "即将到期，已提醒经办人", now, internal=True)
    if not rows:
        return {"requests": 0, "notices": 0}
    grids = grid_names(r.grid_id for r in rows)
    # An assignee who has left no longer handles anything: their requests fall back like unassigned ones.
    assignees = {r.assignee_id for r in rows if r.assignee_id is not None}
    present = set(db.session.scalars(select(Member.id).where(Member.id.in_(assignees), Member.is_active.is_(True)))
                  ) if assignees else set()
    liaisons = liaisons_by_grid(r.grid_id for r in rows if r.grid_id is not None and r.assignee_id not in present
                                and not sensitive(r))
    staff: set[int] | None = None
    groups: dict[frozenset[int], list] = defaultdict(list)
    for r in rows:
        if r.assignee_id in present:
            who = frozenset([r.assignee_id])
        elif not sensitive(r) and liaisons.get(r.grid_id):
            who = frozenset(liaisons[r.grid_id])
        else:
            staff = members_with_role("staff") if staff is None else staff
            who = frozenset(staff)
        groups[who].append(r)
    sent = 0
    for who, items in groups.items():
        def line(r):
            what, due = _warn_due(r, now)
            return f"{request_label(r, grids)} {what}截止 {local_text(due)}（还剩{span_text(due - now)}）"

        items.sort(key=lambda r: _warn_due(r, now)[1])
        if notify(who, f"诉求即将到期：{len(items)} 件", "以下诉求即将到期，请及时处理：\n" + listing(items, line)):
            sent += 1
    return {"requests": len(rows), "notices": sent}


def _warn_due(r, now: datetime) -> tuple[str, datetime]:
    if r.first_response_at is None and r.first_response_due_at > now:
        return "首次响应", r.first_response_due_at
    return "办结", r.resolve_due_at


# --- escalation ------------------------------------------------------------------------------------

def escalate(now: datetime | None = None) -> dict:
    """Level 1 for requests whose first response is overdue, then level 2 for those at level 1 for
    REQUEST_LEVEL2_HOURS still without one; each in its own transaction (the caller's)."""
    now = now or utcnow()
    one = escalate_level1(now)
    two = escalate_level2(now)
    return {"level1": one, "level2": two}


def escalate_level1(now: datetime) -> dict:
    rows = claim(update(Request).where(
        Request.escalation_level == 0, Request.status.in_(OPEN_STATUSES), Request.first_response_at.is_(None),
        Request.first_response_due_at <= now,
    ).values(escalation_level=1, escalated_at=now), TimelineAction.escalated,
        "首次响应超时，已升级至网格联络员和工会干事", now)
    if not rows:
        return {"requests": 0, "notices": 0}
    grids = grid_names(r.grid_id for r in rows)
    liaisons = liaisons_by_grid(r.grid_id for r in rows if r.grid_id is not None and not sensitive(r))

    def line(r):
        return f"{request_label(r, grids)} 首次响应已超时{span_text(now - r.first_response_due_at)}"

    ordered = sorted(rows, key=lambda r: r.first_response_due_at)
    sent = 0
    by_grid: dict[int, list] = defaultdict(list)
    for r in ordered:
        if r.grid_id is not None and not sensitive(r):
            by_grid[r.grid_id].append(r)
    # The grid's liaisons: their grid's requests; one notice per set of liaisons.
    per_liaisons: dict[frozenset[int], list] = defaultdict(list)
    for grid_id, items in by_grid.items():
        if liaisons.get(grid_id):
            per_liaisons[frozenset(liaisons[grid_id])].extend(items)
    for who, items in per_liaisons.items():
        if notify(who, f"诉求超时升级：{len(items)} 件未在时限内首次响应",
                  "以下诉求首次响应已超时，已升级至工会，请尽快联系会员：\n" + listing(items, line)):
            sent += 1
    # Staff: every request of the pass, in one notice.
    if notify(members_with_role("staff"), f"诉求超时升级：{len(rows)} 件未在时限内首次响应",
              "以下诉求首次响应已超时（一级升级）：\n" + listing(ordered, line)):
        sent += 1
    return {"requests": len(rows), "notices": sent}


def escalate_level2(now: datetime) -> dict:
    after = timedelta(hours=current_app.config["REQUEST_LEVEL2_HOURS"])
    rows = claim(update(Request).where(
        Request.escalation_level == 1, Request.status.in_(OPEN_STATUSES), Request.first_response_at.is_(None),
        Request.escalated_at <= now - after,
    ).values(escalation_level=2), TimelineAction.escalated, "升级后仍未首次响应，已报告工会主席", now)
    if not rows:
        return {"requests": 0, "notices": 0}
    grids = grid_names(r.grid_id for r in rows)
    def line(r):
        return f"{request_label(r, grids)} 首次响应已超时{span_text(now - r.first_response_due_at)}"

    sent = notify(members_with_role("secretary"), f"诉求二级升级：{len(rows)} 件超时仍未响应",
                  "以下诉求升级一天后仍未首次响应，请督办：\n"
                  + listing(sorted(rows, key=lambda r: r.first_response_due_at), line))
    return {"requests": len(rows), "notices": 1 if sent else 0}


def run_clocks(now: datetime | None = None) -> dict:
    """The scheduler's pass: warnings, level 1, level 2, each one unit of work (a failure in one leaves the
    others done and itself for the next pass). Needs an app context."""
    now = now or utcnow()
    with transaction():
        warned = warn(now)
    with transaction():
        one = escalate_level1(now)
    with transaction():
        two = escalate_level2(now)
    return {"warned": warned, "level1": one, "level2": two}


# --- weekly digest ---------------------------------------------------------------------------------

DIGEST_WEEKDAY, DIGEST_HOUR = 0, 9  # Monday 09:00 Asia/Shanghai


def iso_week(now: datetime) -> str:
    y, w, _ = now.astimezone(SHANGHAI).isocalendar()
    return f"{y}-W{w:02d}"


def digest_due(now: datetime) -> bool:
    """From Monday 09:00 to the end of Monday, Asia/Shanghai: a scheduler that was down at 09:00 still
    sends the week's digest when it comes back that day (and never on a later day)."""
    local = now.astimezone(SHANGHAI)
    return local.weekday() == DIGEST_WEEKDAY and local.hour >= DIGEST_HOUR


def _upsert(model):
    return (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(model)


def send_digests(now: datetime | None = None) -> dict:
    """Each liaison's digest for this ISO week: their grids' open requests (never confidential or hardship
    ones), overdue first. Once per liaison and week (request_digests' key, inserted in this transaction with
    the notice); nothing for a liaison with nothing open. Liaisons serving the same grids share one notice."""
    now = now or utcnow()
    if not digest_due(now):
        return {"liaisons": 0, "notices": 0}
    week = iso_week(now)
    grids_of: dict[int, set[int]] = defaultdict(set)
    for member_id, grid_id in liaison_grid_rows():
        grids_of[member_id].add(grid_id)
    if not grids_of:
        return {"liaisons": 0, "notices": 0}
    all_grids = sorted(set().union(*grids_of.values()))
    overdue = or_(and_(Request.first_response_at.is_(None), Request.first_response_due_at <= now),
                  Request.resolve_due_at <= now)
    rows = db.session.execute(
        select(*CLAIMED, overdue.label("overdue"))
        .where(Request.grid_id.in_(all_grids), Request.status.in_(OPEN_STATUSES), Request.confidential.is_(False),
               Request.category != RequestCategory.hardship)
        .order_by(Request.first_response_due_at, Request.id)
    ).all()
    by_grid: dict[int, list] = defaultdict(list)
    for r in rows:
        by_grid[r.grid_id].append(r)
    wanting = {m: frozenset(g for g in gs if by_grid.get(g)) for m, gs in grids_of.items()}
    wanting = {m: gs for m, gs in wanting.items() if gs}
    if not wanting:
        return {"liaisons": 0, "notices": 0}
    claimed = set(db.session.scalars(
        _upsert(RequestDigest).values([{"member_id": m, "week": week, "sent_at": now} for m in sorted(wanting)])
        .on_conflict_do_nothing().returning(RequestDigest.member_id)))
    names = grid_names(all_grids)
    groups: dict[frozenset[int], list[int]] = defaultdict(list)
    for m in claimed:
        groups[wanting[m]].append(m)
    sent = 0
    for grid_set, members in groups.items():
        items = [r for g in grid_set for r in by_grid[g]]
        items.sort(key=lambda r: (not r.overdue, r.first_response_due_at if r.first_response_at is None
                                  else r.resolve_due_at, r.id))
        late = sum(1 for r in items if r.overdue)

        def line(r):
            return (f"{'【已超时】' if r.overdue else ''}{request_label(r, names)} "
                    f"{'待首次响应' if r.first_response_at is None else '办结截止 ' + local_text(r.resolve_due_at)}")

        notice_id = notify(members, f"本周网格诉求：{len(items)} 件待办，{late} 件已超时",
                           f"{week} 您负责网格的未办结诉求（超时的在前）：\n" + listing(items, line))
        if notice_id is not None:
            sent += 1
            db.session.execute(update(RequestDigest).where(RequestDigest.week == week,
                                                           RequestDigest.member_id.in_(members))
                               .values(notice_id=notice_id).execution_options(synchronize_session=False))
    return {"liaisons": len(claimed), "notices": sent}


def run_digest(now: datetime | None = None) -> dict:
    with transaction():
        return send_digests(now)
