"""Volunteer hours read and corrected: a member's record, totals for many members at once (set-based), staff
adjustments (kept with their reason and written to the audit trail), the leaderboard and its opt-out."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Optional

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..audit_trail import services as trail
from ..core.errors import AppError, invalid_request
from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..events.models import Checkin, Event, EventKind
from ..members.models import Department, Member
from .models import VolunteerAdjustment, VolunteerCheckout, VolunteerOptOut

ADJUSTMENT_FIELDS = ["member_id", "event_id", "minutes", "reason", "counts_at", "created_by"]

def member_not_found() -> AppError:
    return AppError("not_found", "会员不存在")

def year_bounds(year: int) -> tuple[datetime, datetime]:
    """A calendar year in Shanghai, as UTC instants [start, end)."""
    return (datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(UTC))

def hours(minutes: int) -> float:
    return round(minutes / 60, 2)

def points(minutes: int) -> int:
    """Points for the minutes served (VOLUNTEER_POINTS_PER_HOUR, pro rata, rounded down)."""
    return minutes * int(current_app.config["VOLUNTEER_POINTS_PER_HOUR"]) // 60

def _minutes_rows(start: Optional[datetime], end: Optional[datetime]):
    """(member_id, minutes) of every check-out and adjustment counting in [start, end): a check-out counts at
    its event's start, an adjustment at its ``counts_at``."""
    checkouts = (select(VolunteerCheckout.member_id, VolunteerCheckout.minutes)
                 .join(Event, Event.id == VolunteerCheckout.event_id))
    adjustments = select(VolunteerAdjustment.member_id, VolunteerAdjustment.minutes)
    if start is not None:
        checkouts = checkouts.where(Event.starts_at >= start)
        adjustments = adjustments.where(VolunteerAdjustment.counts_at >= start)
    if end is not None:
        checkouts = checkouts.where(Event.starts_at < end)
        adjustments = adjustments.where(VolunteerAdjustment.counts_at < end)
    return union_all(checkouts, adjustments).subquery("served")

def totals_query(start: Optional[datetime] = None, end: Optional[datetime] = None):
    """A subquery of (member_id, minutes) per member with any record in the period; a total below zero (a
    period holding a correction of an earlier one's hours) reads as zero."""
    served = _minutes_rows(start, end)
    total = func.sum(served.c.minutes)
    return (select(served.c.member_id, func.max(total, 0).label("minutes") if db.engine.dialect.name == "sqlite"
                   else func.greatest(total, 0).label("minutes"))
            .group_by(served.c.member_id).subquery("totals"))

def minutes_of(member_ids: Iterable[int], start: Optional[datetime] = None,
               end: Optional[datetime] = None) -> dict[int, int]:
    """{member_id: minutes served in [start, end)} for the members named, in one statement; 0 for none."""
    ids = list(set(member_ids))
    if not ids:
        return {}
    totals = totals_query(start, end)
    found = dict(db.session.execute(select(totals.c.member_id, totals.c.minutes)
                                    .where(totals.c.member_id.in_(ids))).all())
    return {i: int(found.get(i) or 0) for i in ids}

def hours_of(member_ids: Iterable[int], start: Optional[datetime] = None,
             end: Optional[datetime] = None) -> dict[int, float]:
    """{member_id: hours served in [start, end)}: what award nominations and reports show."""
    return {i: hours(m) for i, m in minutes_of(member_ids, start, end).items()}

# --- a member's record -------------------------------------------------------------------------------

@dataclass
class RecordItem:
    kind: str  # event | adjustment
    at: datetime
    minutes: int
    event_id: Optional[int] = None
    title: Optional[str] = None
    checked_in_at: Optional[datetime] = None
    checked_out_at: Optional[datetime] = None
    reason: Optional[str] = None
    adjustment_id: Optional[int] = None
    created_by_name: Optional[str] = None

def record(member_id: int, year: Optional[int] = None) -> list[RecordItem]:
    """The member's volunteer events (checked in, with or without a check-out) and adjustments, newest first,
    in two statements; ``year`` limits them to one calendar year."""
    start, end = year_bounds(year) if year else (None, None)
    q = (select(Event.id, Event.title, Event.starts_at, Checkin.checked_in_at, VolunteerCheckout.checked_out_at,
                VolunteerCheckout.minutes)
         .join(Checkin, Checkin.event_id == Event.id)
         .outerjoin(VolunteerCheckout, and_(VolunteerCheckout.event_id == Event.id,
                                            VolunteerCheckout.member_id == Checkin.member_id))
         .where(Checkin.member_id == member_id, Event.kind == EventKind.volunteer))
    a = (select(VolunteerAdjustment, Event.title, Member.name)
         .outerjoin(Event, Event.id == VolunteerAdjustment.event_id)
         .outerjoin(Member, Member.id == VolunteerAdjustment.created_by)
         .where(VolunteerAdjustment.member_id == member_id))
    if start is not None:
        q = q.where(Event.starts_at >= start, Event.starts_at < end)
        a = a.where(VolunteerAdjustment.counts_at >= start, VolunteerAdjustment.counts_at < end)
    items = [RecordItem("event", r.starts_at, r.minutes or 0, r.id, r.title, r.checked_in_at, r.checked_out_at)
             for r in db.session.execute(q)]
    items += [RecordItem("adjustment", adj.counts_at, adj.minutes, adj.event_id, title, reason=adj.reason,
                         adjustment_id=adj.id, created_by_name=by)
              for adj, title, by in db.session.execute(a)]
    items.sort(key=lambda i: (i.at, i.kind == "adjustment", i.adjustment_id or 0), reverse=True)
    return items

def total_minutes(items: list[RecordItem]) -> int:
    return max(0, sum(i.minutes for i in items))

def get_member(member_id: int) -> Member:
    m = db.session.get(Member, member_id)
    if m is None:
        raise member_not_found()
    return m

# --- adjustments -------------------------------------------------------------------------------------

def _lock_member(member_id: int) -> Optional[Member]:
    """The member's row, locked (FOR NO KEY UPDATE on PostgreSQL) so adjustments of one member run one after
    another and each sees the total the previous one left; SQLite's writers are serialised already."""
    return db.session.scalar(select(Member).where(Member.id == member_id)
                             .with_for_update(key_share=True).execution_options(populate_existing=True))

def adjust(staff_id: int, member_id: int, minutes: int, reason: str,
           event_id: Optional[int] = None) -> tuple[VolunteerAdjustment, int]:
    """Add ±minutes to the member's hours with the reason; kept, and written to the audit trail with the total
    before and after. Returns (adjustment, new all-time total). Raises 404 not_found (member),
    400 invalid_request (reason blank, event unknown or not a volunteer event), 409 hours_below_zero."""
    if minutes == 0:
        raise invalid_request({"minutes": "调整的分钟数不能为 0"})
    reason = reason.strip()
    if not reason:
        raise invalid_request({"reason": "请填写调整原因"})
    member = _lock_member(member_id)
    if member is None:
        raise member_not_found()
    counts_at = utcnow()
    if event_id is not None:
        event = db.session.execute(select(Event.kind, Event.starts_at).where(Event.id == event_id)).first()
        if event is None or event.kind != EventKind.volunteer:
            raise invalid_request({"event_id": "请选择一项志愿服务活动"})
        counts_at = event.starts_at
    before = minutes_of([member_id])[member_id]
    if before + minutes < 0:
        raise AppError("hours_below_zero", f"该会员现有志愿时长 {before} 分钟，最多可减少 {before} 分钟",
                       details={"total_minutes": before})
    adj = VolunteerAdjustment(member_id=member_id, event_id=event_id, minutes=minutes, reason=reason,
                              counts_at=counts_at, created_by=staff_id, created_at=utcnow())
    db.session.add(adj)
    db.session.flush()
    trail.record("volunteer_adjustment", adj.id, "create", actor_id=staff_id,
                 before={"member_id": member_id, "total_minutes": before},
                 after={**trail.snapshot(adj, ADJUSTMENT_FIELDS), "total_minutes": before + minutes})
    return adj, before + minutes

# --- staff list --------------------------------------------------------------------------------------

def listing(year: Optional[int], department: Optional[str], q: Optional[str], page: Optional[int],
            per_page: int) -> tuple[list, int]:
    """Members with any volunteer record in the year (all years without one), most hours first: rows of
    (member_id, name, employee_no, department, minutes, events). ``page`` None: every row (exports)."""
    start, end = year_bounds(year) if year else (None, None)
    totals = totals_query(start, end)
    events = (select(VolunteerCheckout.member_id, func.count().label("events"))
              .join(Event, Event.id == VolunteerCheckout.event_id))
    if start is not None:
        events = events.where(Event.starts_at >= start, Event.starts_at < end)
    events = events.group_by(VolunteerCheckout.member_id).subquery("events")
    stmt = (select(Member.id, Member.name, Member.employee_no, Department.name.label("department"),
                   totals.c.minutes, func.coalesce(events.c.events, 0).label("events"))
            .join(totals, totals.c.member_id == Member.id)
            .outerjoin(events, events.c.member_id == Member.id)
            .outerjoin(Department, Department.id == Member.department_id))
    if department:
        stmt = stmt.where(Department.name == department)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Member.name.like(like, escape="\\"), Member.employee_no.like(like, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    stmt = stmt.order_by(totals.c.minutes.desc(), Member.id)
    if page is not None:
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    return db.session.execute(stmt).all(), total

# --- leaderboard -------------------------------------------------------------------------------------

def is_opted_out(member_id: int) -> bool:
    return db.session.get(VolunteerOptOut, member_id) is not None

def set_opt_out(member_id: int, opted_out: bool) -> bool:
    """Idempotent: a second request with the same value changes nothing (and two at once end the same)."""
    if opted_out:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(VolunteerOptOut).values(member_id=member_id, created_at=utcnow())
                           .on_conflict_do_nothing(index_elements=["member_id"]))
    else:
        db.session.execute(delete(VolunteerOptOut).where(VolunteerOptOut.member_id == member_id))
    return opted_out

def leaderboard(year: int, limit: int) -> list:
    """The top ``limit`` members by minutes in the year, with competition ranks (1, 2, 2, 4). Members who opted
    out, and members no longer on the roster, are left out entirely: not ranked, not named."""
    start, end = year_bounds(year)
    totals = totals_query(start, end)
    rows = db.session.execute(
        select(Member.id, Member.name, Department.name.label("department"), totals.c.minutes)
        .join(totals, totals.c.member_id == Member.id)
        .outerjoin(Department, Department.id == Member.department_id)
        .outerjoin(VolunteerOptOut, VolunteerOptOut.member_id == Member.id)
        .where(VolunteerOptOut.member_id.is_(None), Member.is_active.is_(True), totals.c.minutes > 0)
        .order_by(totals.c.minutes.desc(), Member.id).limit(limit)).all()
    ranked, rank, previous = [], 0, None
    for i, r in enumerate(rows, start=1):
        if r.minutes != previous:
            rank, previous = i, r.minutes
        ranked.append((rank, r))
    return ranked

def current_year() -> int:
    return utcnow().astimezone(SHANGHAI).year

def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()
