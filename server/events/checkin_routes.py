"""Check-in endpoints: the venue code, tickets, staff scans, offline sync and the live count."""
from __future__ import annotations

from flask import Response, g

from ..core.api import api
from ..core.timeutil import utcnow
from . import bp, checkin
from .checkin_schemas import (
    BatchError,
    BatchIn,
    BatchItemOut,
    BatchOut,
    CheckinCodeOut,
    CheckinKeyOut,
    CheckinOut,
    CheckinStatsOut,
    CodeCheckinIn,
    ImageQuery,
    StaffCheckinOut,
    TicketCheckinIn,
    TicketOut,
)
from .lifecycle import get_event

CODE_ERRORS = ["invalid_token", "token_expired", "not_found", "not_registered", "not_eligible",
               "event_cancelled", "checkin_closed"]
TICKET_ERRORS = ["invalid_token", "not_found", "not_registered", "event_cancelled", "checkin_closed"]


def _png(content: str) -> Response:
    # Codes rotate and tickets are personal: neither may sit in a cache.
    return Response(checkin.qr_png(content), mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.get("/events/<int:event_id>/checkin-code")
@api(roles=["staff"], query=ImageQuery, out=CheckinCodeOut, produces=["image/png"],
     errors=["not_found", "event_cancelled"])
def checkin_code(event_id: int, query: ImageQuery):
    """The venue check-in code for this moment (staff); ?format=png gives the QR image to show."""
    token, valid_until = checkin.current_code(event_id)
    if query.format == "png":
        return _png(token)
    # The same window _check_open enforces on every scan (checkin.checkin_window).
    opens, closes = checkin.checkin_window(get_event(event_id))
    out = CheckinCodeOut(token=token, qr_content=token, valid_until=valid_until,
                         period_seconds=checkin.code_period_seconds(),
                         checkin_opens_at=opens, checkin_closes_at=closes,
                         checkin_open=opens <= utcnow() <= closes)
    return Response(out.model_dump_json(), mimetype="application/json", headers={"Cache-Control": "no-store"})


@bp.post("/checkins")
@api(roles=["member"], body=CodeCheckinIn, out=CheckinOut, status=201, errors=CODE_ERRORS, deferred_member=True,
     also={200: "already checked in: the first check-in"}, transaction="own")
def check_in(body: CodeCheckinIn):
    """Check in with the code scanned at the venue; a repeat returns the first check-in with 200."""
    result, created = checkin.check_in_with_code(g.member_id, body.token)
    out = CheckinOut(event_id=result.event_id, checked_in_at=result.checked_in_at, status="checked_in")
    return out, 201 if created else 200


@bp.get("/events/<int:event_id>/ticket")
@api(roles=["member"], query=ImageQuery, out=TicketOut, produces=["image/png"],
     errors=["not_found", "event_cancelled", "not_registered"])
def ticket(event_id: int, query: ImageQuery):
    """My signed ticket for staff to scan (needs a confirmed registration); ?format=png for the QR image."""
    token = checkin.issue_ticket(g.member, event_id)
    if query.format == "png":
        return _png(token)
    return TicketOut(ticket=token, qr_content=token)


@bp.get("/events/<int:event_id>/checkin-key")
@api(roles=["staff"], out=CheckinKeyOut, errors=["not_found"])
def checkin_key(event_id: int):
    """The public key that verifies this event's tickets offline (staff)."""
    return CheckinKeyOut(**checkin.checkin_key(get_event(event_id)))


@bp.post("/events/<int:event_id>/checkins")
@api(roles=["staff"], body=TicketCheckinIn, out=StaffCheckinOut, status=201, errors=TICKET_ERRORS)
def staff_check_in(event_id: int, body: TicketCheckinIn):
    """Check a member in by scanning the member's ticket (staff); scanned_at for a scan made offline."""
    result, created = checkin.check_in_with_ticket(g.member, event_id, body.ticket, body.scanned_at)
    out = StaffCheckinOut(event_id=result.event_id, checked_in_at=result.checked_in_at, status="checked_in",
                          member_id=result.member_id, name=result.name,
                          employee_no=result.employee_no, department=result.department)
    return out, 201 if created else 200


@bp.post("/events/<int:event_id>/checkins/batch")
@api(roles=["staff"], body=BatchIn, out=BatchOut, errors=["not_found", "event_cancelled"])
def staff_check_in_batch(event_id: int, body: BatchIn):
    """Sync ticket scans made offline (staff), at most 500 at a time; each item has its own result."""
    results = checkin.check_in_batch(g.member, event_id, [(i.ticket, i.scanned_at) for i in body.items])
    return BatchOut(items=[
        BatchItemOut(index=r.index, status=r.status, member_id=r.member_id, name=r.name, employee_no=r.employee_no,
                     department=r.department, checked_in_at=r.checked_in_at,
                     error=BatchError(code=r.error.code, message=r.error.message) if r.error else None)
        for r in results
    ])


@bp.get("/events/<int:event_id>/checkins/stats")
@api(roles=["staff"], out=CheckinStatsOut, errors=["not_found"])
def checkin_stats(event_id: int):
    """Confirmed registrations, check-ins and walk-ins of an event (staff)."""
    return CheckinStatsOut(**checkin.checkin_stats(event_id))
