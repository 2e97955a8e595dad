from __future__ import annotations

from flask import g, request

from ..core.api import PageQuery, api
from ..members.directory import export_phones
from . import bp, exports, lifecycle, queries, signup
from .presenters import event_out, events_out, my_registrations_out, registration_out, roster_items
from .schemas import (
    CancelOut,
    EventIn,
    EventListQuery,
    EventOut,
    EventPage,
    EventPatch,
    MyRegistrationPage,
    RegistrationListQuery,
    RegistrationOut,
    RosterPage,
)

SIGNUP_ERRORS = ["not_found", "not_eligible", "signup_closed", "event_full", "event_cancelled"]


@bp.post("/events")
@api(roles=["staff"], body=EventIn, out=EventOut, status=201)
def create_event(body: EventIn):
    """Create an event (staff)."""
    data = body.model_dump()
    event = lifecycle.create_event(created_by=g.member.id, **data)
    out = event_out(event, g.member)
    return out


@bp.get("/events")
@api(roles=["member"], query=EventListQuery, out=EventPage)
def list_events(query: EventListQuery):
    """Events open to the signed-in member (staff see every event); ?when=upcoming|past."""
    events, total = queries.list_events(
        g.member, start=query.from_, end=query.to, kind=query.kind, page=query.page, per_page=query.per_page,
        everything=g.member.is_staff, when=query.when,
    )
    return EventPage(items=events_out(events, g.member), page=query.page, per_page=query.per_page, total=total)


@bp.get("/events/<int:event_id>")
@api(roles=["member"], out=EventOut, errors=["not_found"])
def get_event(event_id: int):
    """One event, with the member's own registration."""
    event = lifecycle.get_event(event_id)
    if not g.member.is_staff and not queries.is_eligible(g.member, event):
        raise lifecycle.not_found()
    return event_out(event, g.member)


@bp.patch("/events/<int:event_id>")
@api(roles=["staff"], body=EventPatch, out=EventOut, errors=["not_found", "event_cancelled", "event_ended",
                                                    "capacity_below_confirmed"])
def patch_event(event_id: int, body: EventPatch):
    """Change an event (staff); raising capacity confirms people from the waiting list; a new time or
    place is told to its registrants."""
    event, _ = lifecycle.update_event(event_id, body.model_dump(exclude_unset=True))
    out = event_out(event, g.member)
    return out


@bp.post("/events/<int:event_id>/cancel")
@api(roles=["staff"], out=EventOut, errors=["not_found", "event_ended"])
def cancel_event(event_id: int):
    """Cancel an event (staff)."""
    event = lifecycle.cancel_event(event_id)
    out = event_out(event, g.member)
    return out


@bp.post("/events/<int:event_id>/registrations")
@api(roles=["member"], out=RegistrationOut, status=201, errors=SIGNUP_ERRORS, deferred_member=True,
     also={200: "already signed up: the same registration"}, transaction="own")
def create_registration(event_id: int):
    """Sign up; again by the same member returns the same registration with 200."""
    reg, created, position = signup.register(g.member_id, event_id)
    out = registration_out(reg, None if position is None else {reg.waitlist_seq: position})
    return out, 201 if created else 200


@bp.delete("/events/<int:event_id>/registrations/me")
@api(roles=["member"], out=CancelOut, errors=["not_found", "event_started", "already_checked_in"])
def cancel_registration(event_id: int):
    """Cancel my sign-up; the first on the waiting list is confirmed at once. After check-in: 409."""
    signup.cancel_registration(g.member, event_id)
    return CancelOut(status="cancelled")


@bp.get("/me/registrations")
@api(roles=["member"], query=PageQuery, out=MyRegistrationPage)
def my_registrations(query: PageQuery):
    """My sign-ups, newest event first."""
    rows, total = queries.my_registrations(g.member, query.page, query.per_page)
    return MyRegistrationPage(items=my_registrations_out(rows, g.member), page=query.page, per_page=query.per_page,
                              total=total)


@bp.get("/events/<int:event_id>/registrations")
@api(roles=["staff"], query=RegistrationListQuery, out=RosterPage, errors=["not_found"],
     produces=["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"], transaction="write")
def list_registrations(event_id: int, query: RegistrationListQuery):
    """Registrations of an event (staff); ?format=csv|xlsx downloads them all, with full phones (logged)."""
    if query.format in ("csv", "xlsx"):
        event = lifecycle.get_event(event_id)
        rows, _ = queries.roster(event_id, query.status)
        phones = export_phones(rows, g.member.id, f"GET {request.url_rule.rule}")
        return exports.download(event, roster_items(event_id, rows), query.format, phones)
    rows, total = queries.roster(event_id, query.status, query.page, query.per_page)
    return RosterPage(items=roster_items(event_id, rows), page=query.page, per_page=query.per_page, total=total)
