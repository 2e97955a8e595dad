from __future__ import annotations

from flask import g

from ..api import STAFF_ROLES, PageQuery, api
from ..extensions import db
from ..members.schemas import mask_phone
from . import bp, exports, services
from .models import Event, Registration
from .schemas import (
    AudienceOut,
    CancelOut,
    EventIn,
    EventListQuery,
    EventOut,
    EventPage,
    EventPatch,
    MyRegistrationOut,
    MyRegistrationPage,
    RegistrationListQuery,
    RegistrationOut,
    RosterPage,
    RosterRegistrationOut,
)

SIGNUP_ERRORS = ["not_found", "not_eligible", "signup_closed", "event_full", "event_cancelled"]


def registration_out(reg: Registration, positions: dict[int, int] | None = None, checked_in_at=None) -> RegistrationOut:
    if positions is None and reg.waitlist_seq is not None:
        positions = services.waitlist_positions(reg.event_id, [reg.waitlist_seq])
    return RegistrationOut(
        id=reg.id, event_id=reg.event_id, status=reg.status,
        waitlist_position=(positions or {}).get(reg.waitlist_seq) if reg.waitlist_seq is not None else None,
        created_at=reg.created_at, checked_in_at=checked_in_at,
    )


def events_out(events: list[Event], member) -> list[EventOut]:
    """Output for a page of events, with the member's own registration; a fixed number of queries."""
    ids = [e.id for e in events]
    aud = services.audiences(ids)
    mine = {}
    if member is not None and ids:
        regs = db.session.scalars(
            db.select(Registration).where(Registration.event_id.in_(ids), Registration.member_id == member.id)
        ).all()
        mine = {r.event_id: r for r in regs}
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
            my_registration=_my_reg_out(reg),
        ))
    return out


def _my_reg_out(reg: Registration | None) -> RegistrationOut | None:
    if reg is None or reg.status == "cancelled":
        return None
    checked = services.checkin_times(reg.event_id, [reg.member_id]).get(reg.member_id)
    return registration_out(reg, checked_in_at=checked)


def event_out(event: Event, member=None) -> EventOut:
    return events_out([event], member)[0]


def _is_staff(member) -> bool:
    return member.has_any_role(STAFF_ROLES)


@bp.post("/events")
@api(roles=["staff"], body=EventIn, out=EventOut, status=201)
def create_event(body: EventIn):
    """Create an event (staff)."""
    data = body.model_dump()
    event = services.create_event(created_by=g.member.id, **data)
    out = event_out(event, g.member)
    return out


@bp.get("/events")
@api(roles=["member"], query=EventListQuery, out=EventPage)
def list_events(query: EventListQuery):
    """Events open to the signed-in member (staff see every event)."""
    events, total = services.list_events(
        g.member, start=query.from_, end=query.to, kind=query.kind, page=query.page, per_page=query.per_page,
        everything=_is_staff(g.member),
    )
    return EventPage(items=events_out(events, g.member), page=query.page, per_page=query.per_page, total=total)


@bp.get("/events/<int:event_id>")
@api(roles=["member"], out=EventOut, errors=["not_found"])
def get_event(event_id: int):
    """One event, with the member's own registration."""
    event = services.get_event(event_id)
    if not _is_staff(g.member) and not services.is_eligible(g.member, event):
        raise services.not_found()
    return event_out(event, g.member)


@bp.patch("/events/<int:event_id>")
@api(roles=["staff"], body=EventPatch, out=EventOut, errors=["not_found", "event_cancelled", "event_ended",
                                                    "capacity_below_confirmed"])
def patch_event(event_id: int, body: EventPatch):
    """Change an event (staff); raising capacity confirms people from the waiting list."""
    event, _ = services.update_event(event_id, body.model_dump(exclude_unset=True))
    out = event_out(event, g.member)
    return out


@bp.post("/events/<int:event_id>/cancel")
@api(roles=["staff"], out=EventOut, errors=["not_found", "event_ended"])
def cancel_event(event_id: int):
    """Cancel an event (staff)."""
    event = services.cancel_event(event_id)
    out = event_out(event, g.member)
    return out


@bp.post("/events/<int:event_id>/registrations")
@api(roles=["member"], out=RegistrationOut, status=201, errors=SIGNUP_ERRORS, deferred_member=True,
     also={200: "already signed up: the same registration"}, transaction="own")
def create_registration(event_id: int):
    """Sign up; again by the same member returns the same registration with 200."""
    reg, created, position = services.register(g.member_id, event_id)
    out = registration_out(reg, None if position is None else {reg.waitlist_seq: position})
    return out, 201 if created else 200


@bp.delete("/events/<int:event_id>/registrations/me")
@api(roles=["member"], out=CancelOut, errors=["not_found", "event_started", "already_checked_in"])
def cancel_registration(event_id: int):
    """Cancel my sign-up; the first on the waiting list is confirmed at once. After check-in: 409."""
    services.cancel_registration(g.member, event_id)
    return CancelOut(status="cancelled")


@bp.get("/me/registrations")
@api(roles=["member"], query=PageQuery, out=MyRegistrationPage)
def my_registrations(query: PageQuery):
    """My sign-ups, newest event first."""
    rows, total = services.my_registrations(g.member, query.page, query.per_page)
    evs = {e.id: o for e, o in zip([e for _, e in rows], events_out([e for _, e in rows], g.member), strict=True)}
    items = []
    for reg, ev in rows:
        base = registration_out(reg, checked_in_at=services.checkin_times(ev.id, [g.member.id]).get(g.member.id))
        items.append(MyRegistrationOut(**base.model_dump(), event=evs[ev.id]))
    return MyRegistrationPage(items=items, page=query.page, per_page=query.per_page, total=total)


@bp.get("/events/<int:event_id>/registrations")
@api(roles=["staff"], query=RegistrationListQuery, out=RosterPage, errors=["not_found"],
     produces=["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"])
def list_registrations(event_id: int, query: RegistrationListQuery):
    """Registrations of an event (staff); ?format=csv|xlsx downloads them all."""
    if query.format in ("csv", "xlsx"):
        event = services.get_event(event_id)
        rows, _ = services.roster(event_id, query.status)
        return exports.download(event, roster_items(event_id, rows), query.format)
    rows, total = services.roster(event_id, query.status, query.page, query.per_page)
    return RosterPage(items=roster_items(event_id, rows), page=query.page, per_page=query.per_page, total=total)


def roster_items(event_id: int, rows) -> list[RosterRegistrationOut]:
    positions = services.waitlist_positions(event_id, [r.Registration.waitlist_seq for r in rows])
    return [
        RosterRegistrationOut(
            id=r.Registration.id, member_id=r.Member.id, employee_no=r.Member.employee_no, name=r.Member.name,
            department=r.department, grid=r.grid, phone_masked=mask_phone(r.Member.phone),
            status=r.Registration.status, waitlist_position=positions.get(r.Registration.waitlist_seq),
            created_at=r.Registration.created_at, checked_in_at=r.checked_in_at,
        )
        for r in rows
    ]
