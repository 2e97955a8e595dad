"""Booking calendars (health check, reception day, legal clinic): creation, who sees them, lists."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Date, cast, exists, func, insert, select

from ..core import audiences as audiences_
from ..core.errors import AppError
from ..core.extensions import db, get_or_raise
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from .models import Calendar, CalendarAudience, Slot, SlotStatus


def calendar_not_found() -> AppError:
    return AppError("not_found", "预约日历不存在")


def audience_filter(member: Member):
    """SQL condition on Calendar: open to this member."""
    return audiences_.admits(CalendarAudience, CalendarAudience.calendar_id, Calendar.id,
                             *audiences_.member_values(member))


def is_eligible(member: Member, calendar: Calendar) -> bool:
    return bool(db.session.scalar(select(exists().where(Calendar.id == calendar.id, audience_filter(member)))))


def create_calendar(created_by: int | None = None, audience: dict | None = None, **fields: Any) -> Calendar:
    """Create a calendar. Raises 400 invalid_request for unknown audience names."""
    rows = audiences_.resolve_rows(audience)
    calendar = Calendar(**fields, created_by=created_by)
    db.session.add(calendar)
    db.session.flush()
    if rows:
        db.session.execute(insert(CalendarAudience),
                           [{"calendar_id": calendar.id, "kind": k, "ref_id": r} for k, r in rows])
    return calendar


def get_calendar(calendar_id: int, lock: bool = False) -> Calendar:
    return get_or_raise(Calendar, calendar_id, calendar_not_found, lock=lock)


def visible_calendar(member: Member, calendar_id: int, staff: bool) -> Calendar:
    """The calendar if the member may see it; a calendar not open to them is a 404, as if absent."""
    calendar = get_calendar(calendar_id)
    if not staff and not is_eligible(member, calendar):
        raise calendar_not_found()
    return calendar


def list_calendars(member: Member, *, kind: str | None, page: int, per_page: int,
                   everything: bool = False) -> tuple[list[Calendar], int]:
    conds = [] if everything else [audience_filter(member)]
    if kind:
        conds.append(Calendar.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(Calendar).where(*conds)) or 0
    items = db.session.scalars(select(Calendar).where(*conds).order_by(Calendar.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return list(items), total


def audiences(calendar_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """Audience names per calendar, for output; one query per kind."""
    return audiences_.names(CalendarAudience, CalendarAudience.calendar_id, calendar_ids)


def _local_day(column):
    """SQL: the Beijing calendar day of a UTC time column (China keeps no daylight saving time)."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.timezone("Asia/Shanghai", column), Date)
    return func.date(column, "+8 hours")


def month_days(calendar_id: int, month: date | None) -> tuple[date, date | None, list[tuple[date, int, int, int]]]:
    """The month overview of a calendar: per Beijing day with open slots, how many slots, seats and
    bookings, in one grouped statement; and the next day with a slot not yet over. Without ``month``,
    the month of that next day (else the current one). Returns (first of month, next day, rows).
    Raises 404."""
    calendar = get_calendar(calendar_id)
    now = utcnow()
    first = db.session.scalar(select(func.min(Slot.starts_at)).where(
        Slot.calendar_id == calendar.id, Slot.status == SlotStatus.open, Slot.ends_at > now))
    next_day = first.astimezone(SHANGHAI).date() if first is not None else None
    start = (month or next_day or now.astimezone(SHANGHAI).date()).replace(day=1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    bounds = [datetime.combine(d, time(), SHANGHAI) for d in (start, end)]
    day = _local_day(Slot.starts_at).label("day")
    rows = db.session.execute(
        select(day, func.count(Slot.id), func.sum(Slot.capacity), func.sum(Slot.booked))
        .where(Slot.calendar_id == calendar.id, Slot.status == SlotStatus.open,
               Slot.starts_at >= bounds[0], Slot.starts_at < bounds[1])
        .group_by(day).order_by(day)).all()
    # SQLite answers the day as text, PostgreSQL as a date.
    days = [(d if isinstance(d, date) else date.fromisoformat(d), n, cap or 0, bk or 0) for d, n, cap, bk in rows]
    return start, next_day, days
