"""Output of the bookings domain: rows into the response schemas.

Each list presenter loads what its rows need for the whole page at once, so a page costs the same number
of statements whether it holds one row or a hundred.
"""
from __future__ import annotations

from ..members.schemas import mask_phone
from . import calendars as calendars_
from .booking import cancel_until
from .messages import slot_location
from .models import Booking, Calendar, Slot
from .schemas import AudienceOut, BookingOut, CalendarBrief, CalendarOut, RosterBookingOut, SlotOut, StaffSlotOut
from .slots import is_published


def calendars_out(calendars: list[Calendar]) -> list[CalendarOut]:
    """A page of calendars; their audiences in one statement per kind."""
    aud = calendars_.audiences([c.id for c in calendars])
    return [CalendarOut(id=c.id, kind=c.kind, title=c.title, location=c.location, host=c.host,
                        cancel_cutoff_hours=c.cancel_cutoff_hours, max_active_per_member=c.max_active_per_member,
                        audience=AudienceOut(**aud[c.id]), created_at=c.created_at) for c in calendars]


def slot_out(slot: Slot, calendar: Calendar, staff: bool = False, now=None) -> SlotOut:
    """One slot of the calendar: no statement (the calendar is passed in)."""
    fields = dict(id=slot.id, calendar_id=slot.calendar_id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                  location=slot_location(slot, calendar), capacity=slot.capacity, booked=slot.booked,
                  seats_left=max(slot.capacity - slot.booked, 0) if slot.status == "open" else 0,
                  published=is_published(slot, now), status=slot.status)
    return StaffSlotOut(**fields, publish_at=slot.publish_at) if staff else SlotOut(**fields)


def booking_out(booking: Booking, slot: Slot, calendar: Calendar) -> BookingOut:
    """One booking with its slot and calendar, as read together (``booking.my_bookings``): no statement."""
    return BookingOut(
        id=booking.id, slot=slot_out(slot, calendar), calendar=CalendarBrief.model_validate(calendar),
        status=booking.status, topic=booking.topic, created_at=booking.created_at,
        cancelled_at=booking.cancelled_at, cancel_until=cancel_until(slot, calendar),
    )


def roster_items(rows) -> list[RosterBookingOut]:
    """A calendar's bookings with member details, as read in one statement (``booking.roster``)."""
    return [
        RosterBookingOut(
            id=r.Booking.id, slot_id=r.Slot.id, starts_at=r.Slot.starts_at, ends_at=r.Slot.ends_at,
            member_id=r.Member.id, employee_no=r.Member.employee_no, name=r.Member.name, department=r.department,
            grid=r.grid, phone_masked=mask_phone(r.Member.phone), status=r.Booking.status, topic=r.Booking.topic,
            created_at=r.Booking.created_at, cancelled_at=r.Booking.cancelled_at,
            cancelled_by_staff=r.Booking.cancelled_by is not None and r.Booking.cancelled_by != r.Member.id,
        )
        for r in rows
    ]
