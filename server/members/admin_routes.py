"""Members for staff: the directory (staff read, admins edit), roster upload, console passwords and the
phone access log. Every answer carrying full phone numbers is logged in the same request."""
from __future__ import annotations

from flask import g, request

from ..core.api import MULTIPART, api
from . import bp, directory
from .presenters import member_detail_out, members_out, phone_accesses_out
from .schemas import (
    ImportReportOut,
    MemberDetailOut,
    MemberPage,
    MemberPatchIn,
    MemberQuery,
    PasswordResetOut,
    PhoneAccessPage,
    PhoneAccessQuery,
    RejectionOut,
    RosterUploadIn,
)


def _logged(member_ids) -> None:
    directory.log_phone_views(g.member.id, member_ids, f"{request.method} {request.url_rule.rule}")


@bp.get("/members")
@api(roles=["staff"], query=MemberQuery, out=MemberPage, transaction="write")
def list_members(query: MemberQuery):
    """Search members by name, employee number or phone, department, grid, tag and role (staff);
    full phones, logged."""
    rows, total = directory.search(query.q, query.department, query.grid, query.tag, query.role,
                                   query.include_inactive, query.page, query.per_page)
    if query.with_phone:
        _logged([m.id for m in rows if m.phone])
    return MemberPage(items=members_out(rows, phones=query.with_phone), page=query.page, per_page=query.per_page,
                      total=total)


@bp.get("/members/<int:member_id>")
@api(roles=["staff"], out=MemberDetailOut, errors=["not_found"], transaction="write")
def get_member(member_id: int):
    """A member's page: profile with full phone (logged), registrations, bookings and check-ins (staff)."""
    member = directory.get_member(member_id)
    if member.phone:
        _logged([member.id])
    return member_detail_out(member)


@bp.patch("/members/<int:member_id>")
@api(roles=["admin"], body=MemberPatchIn, out=MemberDetailOut, errors=["not_found", "phone_taken"])
def update_member(member_id: int, body: MemberPatchIn):
    """Change a member's phone, department, grid, tags or roles (admin), validated as the roster import."""
    member = directory.update_member(member_id, body.model_dump(exclude_unset=True))
    if member.phone:
        _logged([member.id])
    return member_detail_out(member)


@bp.post("/members/import")
@api(roles=["admin"], body=RosterUploadIn, out=ImportReportOut, consumes=(MULTIPART,),
     max_body="MEMBER_IMPORT_MAX_BYTES")
def import_members():
    """Upload a roster (multipart field ``file``, CSV or XLSX) with the rules of `flask members import`
    (admin); answers the counts and each refused row with its line and reason. The body may be up to
    MEMBER_IMPORT_MAX_BYTES (50 MiB), not the 1 MiB of other routes."""
    report, rows = directory.import_upload(request.files.get("file"))
    return ImportReportOut(rows=rows, created=report.created, updated=report.updated, unchanged=report.unchanged,
                           rejected=[RejectionOut(line=r.line, employee_no=r.employee_no, reason=r.reason)
                                     for r in report.rejected])


@bp.post("/members/<int:member_id>/password")
@api(roles=["admin"], out=PasswordResetOut, errors=["not_found"])
def reset_password(member_id: int):
    """Give the member a new random console password, shown once; their sessions end (admin)."""
    _, password = directory.reset_password(member_id)
    return PasswordResetOut(password=password)


@bp.get("/admin/phone-access")
@api(roles=["admin"], query=PhoneAccessQuery, out=PhoneAccessPage)
def phone_access_log(query: PhoneAccessQuery):
    """Who was shown whose full phone number, when and through which route, newest first (admin)."""
    rows, total = directory.phone_accesses(query.member_id, query.viewer_id, query.page, query.per_page)
    return PhoneAccessPage(items=phone_accesses_out(rows), page=query.page, per_page=query.per_page, total=total)
