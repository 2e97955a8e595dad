"""Raising a request: by the member, or by a liaison on behalf of a member of a grid they serve."""
from __future__ import annotations

from sqlalchemy import select

from ..core.errors import AppError
from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Member
from ..uploads.attach import attach, register_reader
from . import access, clocks, notify
from .models import Request, RequestEvent, RequestStatus, TimelineAction
from .schemas import MAX_ATTACHMENTS, RequestIn

UPLOAD_KIND = "request"


def _for_whom(viewer: access.Viewer, member_id: int | None) -> Member:
    """The member the request is for: the raiser, or a member of a grid the raising liaison serves."""
    if member_id is None or member_id == viewer.id:
        return viewer.member
    if not viewer.grids:
        raise AppError("forbidden", "只有网格联络员可以代会员提交诉求")
    member = db.session.scalar(select(Member).where(Member.id == member_id, Member.is_active.is_(True)))
    if member is None or member.grid_id not in viewer.grids:
        raise AppError("forbidden", "只能代您所联系网格的会员提交诉求")
    return member


def _by_employee_no(viewer: access.Viewer, employee_no: str) -> int:
    if not viewer.grids:
        raise AppError("forbidden", "只有网格联络员可以代会员提交诉求")
    member_id = db.session.scalar(select(Member.id).where(Member.employee_no == employee_no.strip(),
                                                          Member.is_active.is_(True)))
    if member_id is None:
        raise AppError("not_found", "没有该工号的会员", details={"fields": {"on_behalf_of_employee_no": "工号不存在"}})
    return member_id


def raise_request(viewer: access.Viewer, data: RequestIn) -> Request:
    if data.on_behalf_of is not None and data.on_behalf_of_employee_no is not None:
        raise AppError("invalid_request", "请只填写一种代提交方式", details={
        "fields": {"on_behalf_of_employee_no": "与 on_behalf_of 二选一"}})
    member_id = data.on_behalf_of
    if data.on_behalf_of_employee_no is not None:
        member_id = _by_employee_no(viewer, data.on_behalf_of_employee_no)
    member = _for_whom(viewer, member_id)
    on_behalf = member.id != viewer.id
    now = utcnow()
    req = Request(
        member_id=member.id, raised_by_id=viewer.id if on_behalf else None,
        category=data.category, title=data.title, content=data.content, urgent=data.urgent,
        confidential=data.confidential, status=RequestStatus.submitted, grid_id=member.grid_id,
        created_at=now, updated_at=now,
        first_response_due_at=clocks.first_response_due(now, data.urgent),
        resolve_due_at=clocks.resolve_due(now, data.category, data.urgent),
        escalation_level=0, reopen_count=0,
    )
    db.session.add(req)
    db.session.flush()
    # The first step says who raised it: the member, or the liaison for them.
    db.session.add(RequestEvent(request_id=req.id, at=now, actor_id=viewer.id, action=TimelineAction.created,
                                body=f"网格联络员{viewer.member.name}代会员{member.name}提交" if on_behalf else None))
    # The photos are the raiser's uploads (a liaison photographs for the member).
    attach(data.attachments, owner_id=viewer.id, kind=UPLOAD_KIND, attached_id=req.id, limit=MAX_ATTACHMENTS)
    db.session.flush()
    notify.raised(req)
    return req


def _may_read_photos(member, request_id: int) -> bool:
    """Who may fetch a request's photos: whoever may see the request (uploads serve them with this)."""
    req = db.session.get(Request, request_id)
    return req is not None and access.Viewer(member).sees(req)


register_reader(UPLOAD_KIND, _may_read_photos)
