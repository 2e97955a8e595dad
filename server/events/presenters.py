"""Output of the events domain: rows into the response schemas.

Each list presenter loads what its rows need for the whole page at once (IN-lists, joins, aggregates),
so a page costs the same number of statements whether it holds one row or a hundred.
"""
from __future__ import annotations

from datetime import datetime

from ..members.models import Member
from ..members.schemas import mask_phone
from . import queries, waitlist
from .models import Event, Registration
from .schemas import AudienceOut, EventOut, MyRegistrationOut, RegistrationOut, RosterRegistrationOut


def registration_out(reg: Registration, positions: dict[int, int] | None = None, checked_in_at=None) -> RegistrationOut:
    """One registration; ``positions`` maps waiting-list numbers to positions (read when not given)."""
    if positions is None and reg.waitlist_seq is not None:
        positions = waitlist.waitlist_positions(reg.event_id, [reg.waitlist_seq])
    return RegistrationOut(
        id=reg.id, event_id=reg.event_id, status=reg.status,
        waitlist_position=(positions or {}).get(reg.waitlist_seq) if reg.waitlist_seq is not None else None,
        created_at=reg.created_at, checked_in_at=checked_in_at,
    )


def _registration_out(reg: Registration, by_reg: dict[int, int], checked: dict[int, datetime]) -> RegistrationOut:
    """As registration_out, from what a page presenter loaded for all its rows."""
    position = by_reg.get(reg.id)
    return registration_out(reg, {} if position is None else {reg.waitlist_seq: position},
                            checked.get(reg.event_id))


def events_out(events: list[Event], member: Member | None) -> list[EventOut]:
    """A page of events, each with the member's own registration: the audiences (one statement per
    kind), the member's registrations, their check-ins and waiting-list positions, whatever the length."""
    ids = [e.id for e in events]
    aud = queries.audiences(ids)
    mine = queries.active_registrations(member.id, ids) if member is not None else {}
    checked = queries.checkin_times(member.id, mine) if mine else {}
    by_reg = waitlist.positions_of(mine.values())
    out = []
    for e in events:
        reg = mine.get(e.id)
        out.append(EventOut(
            id=e.id, title=e.title, description=e.description, kind=e.kind, location=e.location,
            starts_at=e.starts_at, ends_at=e.ends_at, signup_opens_at=e.signup_opens_at,
            signup_closes_at=e.signup_closes_at, capacity=e.capacity, waitlist=e.waitlist,
            audience=AudienceOut(**aud[e.id]), walk_in=e.walk_in,
            checkin_opens_minutes_before=e.checkin_opens_minutes_before,
            checkin_closes_minutes_after=e.checkin_closes_minutes_after, reminder_minutes=e.reminder_minutes,
            status=e.status,
            confirmed_count=e.confirmed_count, waitlist_count=e.waitlist_count,
            seats_left=None if e.capacity is None else max(e.capacity - e.confirmed_count, 0),
            my_registration=None if reg is None else _registration_out(reg, by_reg, checked),
        ))
    return out


def event_out(event: Event, member: Member | None = None) -> EventOut:
    return events_out([event], member)[0]


def my_registrations_out(rows: list[tuple[Registration, Event]], member: Member) -> list[MyRegistrationOut]:
    """The member's registrations with their events (``queries.my_registrations``), in a fixed number of
    statements."""
    events = [e for _, e in rows]
    evs = {e.id: o for e, o in zip(events, events_out(events, member), strict=True)}
    checked = queries.checkin_times(member.id, evs)
    by_reg = waitlist.positions_of(reg for reg, _ in rows)
    return [MyRegistrationOut(**_registration_out(reg, by_reg, checked).model_dump(), event=evs[ev.id])
            for reg, ev in rows]


def roster_items(event_id: int, rows) -> list[RosterRegistrationOut]:
    """An event's registrations with member details (``queries.roster``); positions in one read."""
    positions = waitlist.waitlist_positions(event_id, [r.Registration.waitlist_seq for r in rows])
    return [
        RosterRegistrationOut(
            id=r.Registration.id, member_id=r.Member.id, employee_no=r.Member.employee_no, name=r.Member.name,
            department=r.department, grid=r.grid, phone_masked=mask_phone(r.Member.phone),
            status=r.Registration.status, waitlist_position=positions.get(r.Registration.waitlist_seq),
            created_at=r.Registration.created_at, checked_in_at=r.checked_in_at,
        )
        for r in rows
    ]
