"""The dashboard's reads: each figure is one set-based statement, whatever the number of rows."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select

from ..bookings.models import Booking, BookingStatus, Calendar, Slot, SlotStatus
from ..core.extensions import db
from ..core.timeutil import SHANGHAI
from ..events.models import Checkin, Event, EventStatus
from ..members.models import Department, Member
from ..notices.models import Delivery, DeliveryStatus, Notice
from ..suggestions.models import Suggestion, SuggestionStatus
from .schemas import (
    DashboardBookingOut,
    DashboardEventOut,
    DashboardOut,
    DepartmentSeriesOut,
    FailingDeliveriesOut,
    FailingNoticeOut,
    OpenSuggestionsOut,
    ParticipationOut,
)

WEEK_DAYS = 7
MONTHS = 12
LIST_LIMIT = 200  # a union's week of events or day of bookings is far below this
FAILING = (DeliveryStatus.failed, DeliveryStatus.unknown)
NO_DEPARTMENT = "未分配部门"


def _start_of(day: date) -> datetime:
    """Midnight of a Beijing day, as aware UTC."""
    return datetime.combine(day, time(0), SHANGHAI).astimezone(UTC)


def dashboard(now: datetime) -> DashboardOut:
    today = now.astimezone(SHANGHAI).date()
    return DashboardOut(
        today=today,
        events=upcoming_events(today),
        bookings=bookings_of(today),
        suggestions=open_suggestions(),
        deliveries=failing_deliveries(),
        participation=participation(today),
    )


def upcoming_events(today: date) -> list[DashboardEventOut]:
    """Events on today or the next 7 days (Beijing), with their check-in counts; two statements."""
    start, tomorrow, end = (_start_of(today + timedelta(days=d)) for d in (0, 1, WEEK_DAYS + 1))
    events = db.session.scalars(
        select(Event).where(Event.status != EventStatus.cancelled, Event.ends_at >= start, Event.starts_at < end)
        .order_by(Event.starts_at, Event.id).limit(LIST_LIMIT)
    ).all()
    counts = dict(db.session.execute(
        select(Checkin.event_id, func.count()).where(Checkin.event_id.in_([e.id for e in events]))
        .group_by(Checkin.event_id)
    ).all()) if events else {}
    return [DashboardEventOut(
        id=e.id, title=e.title, kind=e.kind, location=e.location, starts_at=e.starts_at, ends_at=e.ends_at,
        capacity=e.capacity, confirmed_count=e.confirmed_count, waitlist_count=e.waitlist_count,
        checked_in=counts.get(e.id, 0), is_today=e.starts_at < tomorrow,
    ) for e in events]


def bookings_of(day: date) -> list[DashboardBookingOut]:
    """The day's active bookings (Beijing day), with who booked; one statement."""
    rows = db.session.execute(
        select(Booking.id, Slot.calendar_id, Calendar.title, Slot.id, Slot.starts_at, Slot.ends_at,
               func.coalesce(Slot.location, Calendar.location), Member.name, Member.employee_no, Department.name)
        .join(Slot, Slot.id == Booking.slot_id).join(Calendar, Calendar.id == Slot.calendar_id)
        .join(Member, Member.id == Booking.member_id).outerjoin(Department, Department.id == Member.department_id)
        .where(Booking.status == BookingStatus.booked, Slot.status == SlotStatus.open,
               Slot.starts_at >= _start_of(day), Slot.starts_at < _start_of(day + timedelta(days=1)))
        .order_by(Slot.starts_at, Calendar.title, Booking.id).limit(LIST_LIMIT)
    ).all()
    return [DashboardBookingOut(
        id=r[0], calendar_id=r[1], calendar_title=r[2], slot_id=r[3], starts_at=r[4], ends_at=r[5], location=r[6],
        member_name=r[7], employee_no=r[8], department=r[9],
    ) for r in rows]


def open_suggestions() -> OpenSuggestionsOut:
    """Suggestions not yet answered or closed; one statement."""
    counts = dict(db.session.execute(
        select(Suggestion.status, func.count())
        .where(Suggestion.status.in_([SuggestionStatus.new, SuggestionStatus.in_progress]))
        .group_by(Suggestion.status)
    ).all())
    new, in_progress = counts.get(SuggestionStatus.new, 0), counts.get(SuggestionStatus.in_progress, 0)
    return OpenSuggestionsOut(open=new + in_progress, new=new, in_progress=in_progress)


def failing_deliveries(top: int = 5) -> FailingDeliveriesOut:
    """Deliveries that failed or whose outcome is unknown, in all and for the notices with most; one statement
    (grouped per notice and status; the totals are summed here)."""
    rows = db.session.execute(
        select(Delivery.notice_id, Notice.title,
               func.sum(case((Delivery.status == DeliveryStatus.failed, 1), else_=0)),
               func.sum(case((Delivery.status == DeliveryStatus.unknown, 1), else_=0)))
        .join(Notice, Notice.id == Delivery.notice_id)
        .where(Delivery.status.in_(FAILING))
        .group_by(Delivery.notice_id, Notice.title)
    ).all()
    failed, unknown = sum(r[2] for r in rows), sum(r[3] for r in rows)
    worst = sorted(rows, key=lambda r: (-(r[2] + r[3]), -r[0]))[:top]
    return FailingDeliveriesOut(
        failing=failed + unknown, failed=failed, unknown=unknown,
        notices=[FailingNoticeOut(id=r[0], title=r[1], failing=r[2] + r[3]) for r in worst],
    )


def _month_of(column):
    """SQL: "YYYY-MM" of a UTC timestamp column, in Beijing time."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite keeps naive UTC text; China has no daylight saving time, so +8 hours is exact.
        return func.strftime("%Y-%m", column, "+8 hours")
    return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")


def last_months(today: date, n: int = MONTHS) -> list[date]:
    """The first days of the last n months, oldest first, this month last."""
    y, m = today.year, today.month
    firsts = []
    for _ in range(n):
        firsts.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return firsts[::-1]


def participation(today: date) -> ParticipationOut:
    """Check-ins per Beijing month and department for the last 12 months: one grouped statement, the months
    without check-ins filled with zeros here. Departments by total, most first."""
    firsts = last_months(today)
    months = [d.strftime("%Y-%m") for d in firsts]
    month = _month_of(Checkin.checked_in_at).label("month")
    rows = db.session.execute(
        select(Department.name, month, func.count())
        .select_from(Checkin).join(Member, Member.id == Checkin.member_id)
        .outerjoin(Department, Department.id == Member.department_id)
        .where(Checkin.checked_in_at >= _start_of(firsts[0]))
        .group_by(Department.name, month)
    ).all()
    index = {m: i for i, m in enumerate(months)}
    series: dict[str, list[int]] = {}
    for dept, mon, count in rows:
        if mon in index:  # a check-in recorded with a future time would fall outside the months shown
            series.setdefault(dept or NO_DEPARTMENT, [0] * len(months))[index[mon]] += count
    ordered = sorted(series.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    return ParticipationOut(months=months,
                            series=[DepartmentSeriesOut(department=d, counts=c) for d, c in ordered])
