from __future__ import annotations

import datetime as dt

from flask import g, request

from ..core.api import api
from ..core.timeutil import utcnow
from ..members.directory import export_phones
from . import booking as booking_
from . import bp, calendars, exports
from . import slots as slots_
from .presenters import booking_out, calendars_out, roster_items, slot_out
from .schemas import (
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementPreviewOut,
    BookingIn,
    BookingOut,
    BookingPage,
    BookingRosterPage,
    CalendarDayOut,
    CalendarDaysOut,
    CalendarDaysQuery,
    CalendarIn,
    CalendarListQuery,
    CalendarOut,
    CalendarPage,
    CancelOut,
    DroppedOut,
    MyBookingQuery,
    RosterQuery,
    SlotListQuery,
    SlotPage,
    SlotPatch,
    SlotsCreated,
    SlotsIn,
    StaffSlotOut,
)

BOOKING_ERRORS = ["not_found", "not_eligible", "slot_not_open", "slot_full", "booking_limit"]


# --- calendars ------------------------------------------------------------------------------------

@bp.post("/calendars")
@api(roles=["staff"], body=CalendarIn, out=CalendarOut, status=201)
def create_calendar(body: CalendarIn):
    """Create a booking calendar: health check, reception day or legal clinic (staff, secretary)."""
    calendar = calendars.create_calendar(created_by=g.member.id, **body.model_dump())
    out = calendars_out([calendar])[0]
    return out


@bp.get("/calendars")
@api(roles=["member"], query=CalendarListQuery, out=CalendarPage)
def list_calendars(query: CalendarListQuery):
    """Calendars open to the signed-in member (staff see all)."""
    items, total = calendars.list_calendars(g.member, kind=query.kind, page=query.page, per_page=query.per_page,
                                            everything=g.member.is_staff)
    return CalendarPage(items=calendars_out(items), page=query.page, per_page=query.per_page, total=total)


@bp.get("/calendars/<int:calendar_id>")
@api(roles=["member"], out=CalendarOut, errors=["not_found"])
def get_calendar(calendar_id: int):
    """One calendar (404 when it is not open to the member)."""
    return calendars_out([calendars.visible_calendar(g.member, calendar_id, g.member.is_staff)])[0]


# --- slots ----------------------------------------------------------------------------------------

@bp.post("/calendars/<int:calendar_id>/slots")
@api(roles=["staff"], body=SlotsIn, out=SlotsCreated, status=201, errors=["not_found", "slot_overlap"])
def create_slots(calendar_id: int, body: SlotsIn):
    """Add slots, listed or generated from a day's range (Asia/Shanghai); a remainder too short for a
    slot is dropped and said so. Nothing is announced: see POST /calendars/{id}/announcement."""
    dropped = None
    if body.generate is not None:
        gen = body.generate
        spans, dropped = slots_.generate_spans(gen.date, gen.start, gen.end, gen.slot_minutes)
        items = [(s, e, gen.capacity) for s, e in spans]
        fields = ["generate.date"] * len(items)
    else:
        items = [(s.starts_at, s.ends_at, s.capacity) for s in body.slots]
        fields = [f"slots.{i}.starts_at" for i in range(len(items))]
    calendar, slots = slots_.create_slots(calendar_id, items, body.publish_at, fields)
    now = utcnow()
    out = SlotsCreated(
        items=[slot_out(s, calendar, staff=True, now=now) for s in slots],
        dropped=DroppedOut(starts_at=dropped["starts_at"], ends_at=dropped["ends_at"]) if dropped else None,
        message=dropped["message"] if dropped else None,
    )
    return out


@bp.get("/calendars/<int:calendar_id>/slots")
@api(roles=["member"], query=SlotListQuery, out=SlotPage, errors=["not_found"])
def list_slots(calendar_id: int, query: SlotListQuery):
    """Slots in time order; members see published slots only; ?available=1 leaves only bookable ones."""
    staff = g.member.is_staff
    calendar = calendars.visible_calendar(g.member, calendar_id, staff)
    items, total = slots_.list_slots(calendar, staff=staff, start=query.from_, end=query.to,
                                     available=query.available, page=query.page, per_page=query.per_page)
    now = utcnow()
    return SlotPage(items=[slot_out(s, calendar, staff, now) for s in items], page=query.page,
                    per_page=query.per_page, total=total)


@bp.patch("/slots/<int:slot_id>")
@api(roles=["staff"], body=SlotPatch, out=StaffSlotOut,
     errors=["not_found", "slot_cancelled", "capacity_below_booked", "slot_overlap"])
def patch_slot(slot_id: int, body: SlotPatch):
    """Move or resize a slot (staff); members booked on it are told."""
    slot = slots_.update_slot(slot_id, body.model_dump(exclude_unset=True))
    out = slot_out(slot, calendars.get_calendar(slot.calendar_id), staff=True)
    return out


@bp.post("/slots/<int:slot_id>/cancel")
@api(roles=["staff"], out=StaffSlotOut, errors=["not_found"])
def cancel_slot(slot_id: int):
    """Cancel a slot (staff): its bookings are cancelled and the members told."""
    slot = slots_.cancel_slot(slot_id, by=g.member.id)
    out = slot_out(slot, calendars.get_calendar(slot.calendar_id), staff=True)
    return out


# --- bookings -------------------------------------------------------------------------------------

@bp.post("/slots/<int:slot_id>/bookings")
@api(roles=["member"], body=BookingIn, out=BookingOut, status=201, errors=BOOKING_ERRORS, deferred_member=True,
     also={200: "already booked: the same booking"}, transaction="own")
def create_booking(slot_id: int, body: BookingIn):
    """Book a slot; again by the same member returns the same booking with 200."""
    booking, created = booking_.book_slot(g.member_id, slot_id, body.topic)
    out = booking_out(booking, booking.slot, booking.slot.calendar)
    return out, 201 if created else 200


@bp.delete("/bookings/<int:booking_id>")
@api(roles=["member"], out=CancelOut, errors=["not_found", "cancel_cutoff_passed"])
def cancel_booking(booking_id: int):
    """Cancel a booking: its member until the cut-off, staff at any time on the member's behalf."""
    booking_.cancel_booking(g.member, booking_id, staff=g.member.is_staff)
    return CancelOut(status="cancelled")


@bp.get("/me/bookings")
@api(roles=["member"], query=MyBookingQuery, out=BookingPage)
def my_bookings(query: MyBookingQuery):
    """My bookings with slot and calendar: upcoming first."""
    rows, total = booking_.my_bookings(g.member, query.status, query.page, query.per_page)
    return BookingPage(items=[booking_out(b, s, c) for b, s, c in rows], page=query.page,
                       per_page=query.per_page, total=total)


@bp.get("/calendars/<int:calendar_id>/bookings")
@api(roles=["staff"], query=RosterQuery, out=BookingRosterPage, errors=["not_found"],
     produces=["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"], transaction="write")
def list_bookings(calendar_id: int, query: RosterQuery):
    """A calendar's bookings (staff), ?date= for one day; ?format=csv|xlsx downloads them all, with full
    phones (logged)."""
    if query.format in ("csv", "xlsx"):
        calendar = calendars.get_calendar(calendar_id)
        rows, _ = booking_.roster(calendar_id, query.date, query.status)
        phones = export_phones(rows, g.member.id, f"GET {request.url_rule.rule}")
        return exports.download(calendar, roster_items(rows), query.format, phones, query.date)
    rows, total = booking_.roster(calendar_id, query.date, query.status, query.page, query.per_page)
    return BookingRosterPage(items=roster_items(rows), page=query.page, per_page=query.per_page, total=total)


# --- announcing slots and the month overview ------------------------------------------------------

@bp.get("/calendars/<int:calendar_id>/announcement")
@api(roles=["staff"], out=AnnouncementPreviewOut, errors=["not_found"])
def announcement_preview(calendar_id: int):
    """Whom an announcement of this calendar's slots would reach now, and by which channel (push, SMS
    where no push can go, neither); nothing is written. Staff see it before choosing to announce."""
    return AnnouncementPreviewOut(**slots_.announcement_preview(calendar_id))


@bp.post("/calendars/<int:calendar_id>/announcement")
@api(roles=["staff"], body=AnnouncementIn, out=AnnouncementOut, status=201,
     errors=["not_found", "empty_audience"])
def announce_slots(calendar_id: int, body: AnnouncementIn):
    """Announce slots to the calendar's members (a notice: push, SMS where no push can go), now or at
    send_at (by default when the slots become public). Creating slots announces nothing by itself."""
    notice, when = slots_.announce_slots(calendar_id, body.slot_ids, body.send_at)
    return AnnouncementOut(notice_id=notice.id, title=notice.title, status=notice.status, send_at=when)


@bp.get("/calendars/<int:calendar_id>/days")
@api(roles=["staff"], query=CalendarDaysQuery, out=CalendarDaysOut, errors=["not_found"])
def calendar_days(calendar_id: int, query: CalendarDaysQuery):
    """A month's overview (Beijing days): slots, seats and bookings per day with open slots, and the next
    day with a slot not yet over; without ?month=YYYY-MM, the month of that day."""
    month = dt.date.fromisoformat(f"{query.month}-01") if query.month else None
    first, next_day, rows = calendars.month_days(calendar_id, month)
    return CalendarDaysOut(month=f"{first:%Y-%m}", next_date=next_day,
                           days=[CalendarDayOut(date=d, slots=n, capacity=c, booked=b) for d, n, c, b in rows])
