from __future__ import annotations

from datetime import date
from typing import Optional

from ..core.api import Out
from ..core.timeutil import LocalTime
from ..events.models import EventKind


class DashboardEventOut(Out):
    id: int
    title: str
    kind: EventKind
    location: str
    starts_at: LocalTime
    ends_at: LocalTime
    capacity: Optional[int]
    confirmed_count: int
    waitlist_count: int
    checked_in: int
    is_today: bool


class DashboardBookingOut(Out):
    id: int
    calendar_id: int
    calendar_title: str
    slot_id: int
    starts_at: LocalTime
    ends_at: LocalTime
    location: str
    member_name: str
    employee_no: str
    department: Optional[str]


class OpenSuggestionsOut(Out):
    open: int  # new + in_progress
    new: int
    in_progress: int


class FailingNoticeOut(Out):
    id: int
    title: str
    failing: int


class FailingDeliveriesOut(Out):
    failing: int  # failed + unknown
    failed: int
    unknown: int
    notices: list[FailingNoticeOut]  # the notices with the most failing deliveries, at most 5


class DepartmentSeriesOut(Out):
    department: str  # "未分配部门" for members without one
    counts: list[int]  # one per month of ParticipationOut.months


class ParticipationOut(Out):
    months: list[str]  # "2026-01" … the last 12 months in Beijing time, this month last
    series: list[DepartmentSeriesOut]


class DashboardOut(Out):
    today: date  # in Beijing time
    events: list[DashboardEventOut]  # not cancelled, overlapping today or the next 7 days, by start
    bookings: list[DashboardBookingOut]  # today's active bookings, by slot start
    suggestions: OpenSuggestionsOut
    deliveries: FailingDeliveriesOut
    participation: ParticipationOut
