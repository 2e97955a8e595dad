"""Volunteer hours endpoints: check-out, records, adjustments, certificates, the leaderboard."""
from __future__ import annotations

from flask import Response, g

from ..core.api import api
from ..core.exports import download
from ..core.timeutil import utcnow
from ..events import checkin as venue
from . import bp, certificate, checkout
from . import hours as h
from .presenters import record_out, totals_out
from .schemas import (
    VolunteerAdjustmentIn,
    VolunteerAdjustmentOut,
    VolunteerCertificateCheckOut,
    VolunteerCertificateQuery,
    VolunteerCheckoutCodeOut,
    VolunteerCheckoutIn,
    VolunteerCheckoutOut,
    VolunteerCodeQuery,
    VolunteerHoursOut,
    VolunteerLeaderboardOut,
    VolunteerLeaderboardQuery,
    VolunteerLeaderboardRow,
    VolunteerListQuery,
    VolunteerSettingsIn,
    VolunteerSettingsOut,
    VolunteerTotalPage,
    VolunteerYearQuery,
)

CHECKOUT_ERRORS = ["invalid_token", "token_expired", "not_found", "not_volunteer_event", "event_cancelled",
                   "not_checked_in", "checkout_closed"]


@bp.get("/events/<int:event_id>/checkout-code")
@api(roles=["staff"], query=VolunteerCodeQuery, out=VolunteerCheckoutCodeOut, produces=["image/png"],
     errors=["not_found", "event_cancelled", "not_volunteer_event"])
def checkout_code(event_id: int, query: VolunteerCodeQuery):
    """A volunteer event's check-out code for this moment (staff): the check-in code's mechanics in check-out
    mode (``o1.``); ?format=png gives the QR image to show."""
    event, token, valid_until = checkout.current_code(event_id)
    if query.format == "png":
        return Response(venue.qr_png(token), mimetype="image/png", headers={"Cache-Control": "no-store"})
    opens, closes = checkout.checkout_window(event)
    out = VolunteerCheckoutCodeOut(token=token, qr_content=token, valid_until=valid_until,
                                   period_seconds=venue.code_period_seconds(), checkout_opens_at=opens,
                                   checkout_closes_at=closes, checkout_open=opens <= utcnow() <= closes)
    return Response(out.model_dump_json(), mimetype="application/json", headers={"Cache-Control": "no-store"})


@bp.post("/checkouts")
@api(roles=["member"], body=VolunteerCheckoutIn, out=VolunteerCheckoutOut, status=201, errors=CHECKOUT_ERRORS,
     deferred_member=True, also={200: "already checked out: the first check-out"}, transaction="own")
def check_out(body: VolunteerCheckoutIn):
    """Check out of a volunteer event with the check-out code scanned at the venue; the hours are check-out −
    check-in, capped at the event's length. A repeat returns the first check-out with 200."""
    r, created = checkout.check_out(g.member_id, body.token)
    out = VolunteerCheckoutOut(event_id=r.event_id, checked_in_at=r.checked_in_at, checked_out_at=r.checked_out_at,
                               minutes=r.minutes, hours=h.hours(r.minutes))
    return out, 201 if created else 200


@bp.get("/me/volunteer-hours")
@api(roles=["member"], query=VolunteerYearQuery, out=VolunteerHoursOut)
def my_hours(query: VolunteerYearQuery):
    """My volunteer hours: total, points and each event and adjustment, newest first (?year= for one year)."""
    return record_out(g.member, h.record(g.member.id, query.year), query.year, staff=False)


@bp.get("/volunteer-hours/<int:member_id>")
@api(roles=["staff"], query=VolunteerYearQuery, out=VolunteerHoursOut, errors=["not_found"])
def member_hours(member_id: int, query: VolunteerYearQuery):
    """A member's volunteer record (staff), with who made each adjustment."""
    member = h.get_member(member_id)
    return record_out(member, h.record(member.id, query.year), query.year, staff=True)


@bp.post("/volunteer-hours/<int:member_id>/adjustments")
@api(roles=["staff"], body=VolunteerAdjustmentIn, out=VolunteerAdjustmentOut, status=201,
     errors=["not_found", "hours_below_zero"])
def adjust_hours(member_id: int, body: VolunteerAdjustmentIn):
    """Add or take away minutes with a reason (staff); kept and written to the audit trail. A member's total
    never goes below zero."""
    adj, total = h.adjust(g.member.id, member_id, body.minutes, body.reason, body.event_id)
    return VolunteerAdjustmentOut(id=adj.id, member_id=adj.member_id, event_id=adj.event_id, minutes=adj.minutes,
                                  reason=adj.reason, created_at=adj.created_at, total_minutes=total,
                                  total_hours=h.hours(total))


@bp.get("/volunteer-hours")
@api(roles=["staff"], query=VolunteerListQuery, out=VolunteerTotalPage,
     produces=["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"])
def list_hours(query: VolunteerListQuery):
    """Members with volunteer hours and their totals, most first (staff); ?year=, ?department=, ?q= (name or
    employee number); ?format=xlsx downloads them all."""
    if query.format == "xlsx":
        rows, _ = h.listing(query.year, query.department, query.q, None, query.per_page)
        year = query.year or "全部"
        return download([[r.employee_no, r.name, r.department or "", r.events, h.hours(int(r.minutes)),
                          int(r.minutes), h.points(int(r.minutes))] for r in rows],
                        ["工号", "姓名", "部门", "志愿活动（次）", "时长（小时）", "时长（分钟）", "积分"], "xlsx",
                        sheet="志愿时长", ascii_name=f"volunteer-hours-{query.year or 'all'}",
                        filename=f"志愿时长-{year}")
    rows, total = h.listing(query.year, query.department, query.q, query.page, query.per_page)
    return VolunteerTotalPage(items=totals_out(rows), page=query.page, per_page=query.per_page, total=total)


def _pdf(member, year: int | None) -> Response:
    year = year or h.current_year()
    resp = Response(certificate.render(member, year), mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="volunteer-{member.employee_no}-{year}.pdf"'
    return resp


@bp.get("/me/volunteer-hours/certificate.pdf")
@api(roles=["member"], query=VolunteerCertificateQuery, produces=["application/pdf"],
     errors=["poster_font_missing"])
def my_certificate(query: VolunteerCertificateQuery):
    """My volunteer certificate for a year (A4 PDF), with a QR code anyone can check it by."""
    return _pdf(g.member, query.year)


@bp.get("/volunteer-hours/<int:member_id>/certificate.pdf")
@api(roles=["staff"], query=VolunteerCertificateQuery, produces=["application/pdf"],
     errors=["not_found", "poster_font_missing"])
def member_certificate(member_id: int, query: VolunteerCertificateQuery):
    """A member's volunteer certificate for a year (staff)."""
    return _pdf(h.get_member(member_id), query.year)


@bp.get("/volunteers/certificates/<token>")
@api(out=VolunteerCertificateCheckOut, errors=["invalid_token", "not_found"])
def verify_certificate(token: str):
    """Check a volunteer certificate by the code on it (public): genuine, and whether its hours still hold."""
    v, name, current = certificate.check(token)
    return VolunteerCertificateCheckOut(valid=True, name=name, year=v.year, total_hours=h.hours(v.minutes),
                                        current=current)


@bp.get("/volunteers/leaderboard")
@api(roles=["member"], query=VolunteerLeaderboardQuery, out=VolunteerLeaderboardOut)
def leaderboard(query: VolunteerLeaderboardQuery):
    """The year's top volunteers by hours; members who opted out are neither ranked nor named."""
    year = query.year or h.current_year()
    rows = h.leaderboard(year, query.limit)
    return VolunteerLeaderboardOut(year=year, opted_out=h.is_opted_out(g.member.id), items=[
        VolunteerLeaderboardRow(rank=rank, name=r.name, department=r.department, total_hours=h.hours(int(r.minutes)),
                                is_me=r.id == g.member.id) for rank, r in rows])


@bp.get("/me/volunteer-settings")
@api(roles=["member"], out=VolunteerSettingsOut)
def my_settings():
    """Whether I am left off the volunteer leaderboard."""
    return VolunteerSettingsOut(leaderboard_opt_out=h.is_opted_out(g.member.id))


@bp.put("/me/volunteer-settings")
@api(roles=["member"], body=VolunteerSettingsIn, out=VolunteerSettingsOut)
def put_settings(body: VolunteerSettingsIn):
    """Leave the volunteer leaderboard (or return to it); my hours and certificate are unchanged."""
    return VolunteerSettingsOut(leaderboard_opt_out=h.set_opt_out(g.member.id, body.leaderboard_opt_out))
