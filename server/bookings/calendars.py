"""Booking calendars (health check, reception day, legal clinic): creation, who sees them, lists."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, func, insert, select

from ..core import audiences as audiences_
from ..core.errors import AppError
from ..core.extensions import db, get_or_raise
from ..members.models import Member
from .models import Calendar, CalendarAudience


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
