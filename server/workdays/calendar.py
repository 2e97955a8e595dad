"""The one working-day function of the project: every SLA and clock computes its deadline here.

Sources, in order: the admins' table (``workday_overrides``), then the ``chinesecalendar`` package (the
State Council's schedule for the years it was released with), then Monday to Friday for a year known to
neither (``known`` is False, and admins are warned until they enter it). A year counts as known to the admins
once it has at least one entered day: a schedule is entered as its exceptions (holidays and make-up days).

"Within N working days" of an instant: by 24:00 Asia/Shanghai of the N-th working day after that instant's
local date (API.md, "Working-day calendar").
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

import chinese_calendar
from chinese_calendar.constants import holidays as PACKAGE_HOLIDAYS
from sqlalchemy import select

from ..core.extensions import db
from ..core.timeutil import SHANGHAI
from .models import WorkdayOverride, WorkdaySource

PACKAGE_YEARS = range(min(PACKAGE_HOLIDAYS).year, max(PACKAGE_HOLIDAYS).year + 1)
# Far enough for any SLA (the longest is a few dozen working days) without looping forever on bad input.
MAX_SPAN_DAYS = 400


@dataclass(frozen=True)
class DayInfo:
    date: date
    workday: bool
    name: Optional[str]
    known: bool
    # Where the answer came from: "admin" (workday_overrides), "package" (chinesecalendar) or "fallback"
    # (Monday to Friday); the console shows it beside each day.
    source: WorkdaySource = WorkdaySource.fallback


_CHINESE = {h.value: h.chinese for h in chinese_calendar.Holiday}


def _package_name(day: date) -> Optional[str]:
    """The holiday's Chinese name, or "<holiday>调休" for a weekend made a working day for it."""
    on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
    if holiday is None:
        return None
    label = _CHINESE.get(holiday, holiday)
    return label if on_holiday else f"{label}调休"


class WorkCalendar:
    """Answers for a span of days with one query for the admins' rows; build one per unit of work."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        rows = db.session.execute(
            select(WorkdayOverride.day, WorkdayOverride.workday, WorkdayOverride.name)
            .where(WorkdayOverride.day.between(date(start.year, 1, 1), date(end.year, 12, 31)))
        ).all()
        self._overrides = {r.day: (r.workday, r.name) for r in rows}
        self._entered_years = {d.year for d in self._overrides}

    def year_known(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self._entered_years

    def info(self, day: date) -> DayInfo:
        if not (self.start.year <= day.year <= self.end.year):
            raise ValueError(f"{day} outside the calendar's span {self.start}..{self.end}")
        known = self.year_known(day.year)
        if day in self._overrides:
            workday, name = self._overrides[day]
            return DayInfo(day, workday, name, True, WorkdaySource.admin)
        if day.year in PACKAGE_YEARS:
            return DayInfo(day, chinese_calendar.is_workday(day), _package_name(day), True, WorkdaySource.package)
        return DayInfo(day, day.weekday() < 5, None, known, WorkdaySource.fallback)

    def days(self) -> Iterable[DayInfo]:
        day = self.start
        while day <= self.end:
            yield self.info(day)
            day += timedelta(days=1)

    def nth_workday_after(self, day: date, n: int) -> date:
        found = 0
        while True:
            day += timedelta(days=1)
            if self.info(day).workday:
                found += 1
                if found >= n:
                    return day


def local_date(instant: datetime) -> date:
    return instant.astimezone(SHANGHAI).date()


def working_days_deadline(instant: datetime, n: int) -> datetime:
    """The end (24:00 Asia/Shanghai) of the n-th working day after ``instant``'s local date, as an aware datetime."""
    if n < 1:
        raise ValueError("n must be at least 1")
    start = local_date(instant)
    cal = WorkCalendar(start, start + timedelta(days=MAX_SPAN_DAYS))
    last = cal.nth_workday_after(start, n)
    return datetime.combine(last + timedelta(days=1), time(0), SHANGHAI)


def unknown_years(within: Iterable[int]) -> list[int]:
    """Years among ``within`` known neither to the package nor to the admins (the warning's subject)."""
    years = sorted(set(within))
    if not years:
        return []
    entered = {d.year for d in db.session.scalars(
        select(WorkdayOverride.day).where(WorkdayOverride.day.between(date(years[0], 1, 1), date(years[-1], 12, 31)))
    )}
    return [y for y in years if y not in PACKAGE_YEARS and y not in entered]
