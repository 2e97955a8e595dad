"""Rows → output models."""
from __future__ import annotations

from typing import Optional

from ..core.timeutil import SHANGHAI
from . import hours as h
from .schemas import VolunteerHoursItem, VolunteerHoursOut, VolunteerTotalOut


def record_out(member, items: list[h.RecordItem], year: Optional[int], staff: bool) -> VolunteerHoursOut:
    total = h.total_minutes(items)
    return VolunteerHoursOut(
        member_id=member.id, name=member.name, year=year, total_hours=h.hours(total), total_minutes=total,
        points=h.points(total),
        items=[VolunteerHoursItem(kind=i.kind, event_id=i.event_id, title=i.title,
                                  date=i.at.astimezone(SHANGHAI).date(), checked_in_at=i.checked_in_at,
                                  checked_out_at=i.checked_out_at, minutes=i.minutes, hours=h.hours(i.minutes),
                                  reason=i.reason, adjustment_id=i.adjustment_id,
                                  created_by=i.created_by_name if staff else None)
               for i in items])


def totals_out(rows) -> list[VolunteerTotalOut]:
    return [VolunteerTotalOut(member_id=r.id, name=r.name, employee_no=r.employee_no, department=r.department,
                              events=r.events, total_minutes=int(r.minutes), total_hours=h.hours(int(r.minutes)),
                              points=h.points(int(r.minutes)))
            for r in rows]
