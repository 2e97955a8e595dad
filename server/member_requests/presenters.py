"""Requests into their response shapes. A list page is built from its two statements (queries.py); one
request costs four more (timeline with names, the people named, the grid, the photos)."""
from __future__ import annotations

from datetime import datetime

from . import access, clocks, queries
from .models import Request
from .schemas import (
    AttachmentOut,
    ConfidentialReadOut,
    MemberBriefOut,
    PersonOut,
    RequestListItemOut,
    RequestOut,
    TimelineStepOut,
)

UPLOAD_URL = "/api/v1/uploads/{id}"


def _person(member_id: int | None, names: dict[int, str]) -> PersonOut | None:
    return None if member_id is None else PersonOut(id=member_id, name=names.get(member_id, ""))


def request_out(req: Request, viewer: access.Viewer, now: datetime) -> RequestOut:
    """The whole request; internal notes only for those handling it (never for its member)."""
    internal = viewer.handles(req) and req.member_id != viewer.id
    steps = queries.timeline(req.id, internal=internal)
    names = queries.names([req.member_id, req.assignee_id, req.raised_by_id])
    names.update({s.RequestEvent.actor_id: s.actor_name for s in steps if s.RequestEvent.actor_id is not None})
    return RequestOut(
        id=req.id, category=req.category, title=req.title, content=req.content, urgent=req.urgent,
        confidential=req.confidential, status=req.status, grid=queries.grid_name(req.grid_id),
        member=_person(req.member_id, names), assignee=_person(req.assignee_id, names),
        created_at=req.created_at, first_response_due_at=req.first_response_due_at,
        resolve_due_at=req.resolve_due_at, first_response_at=req.first_response_at, resolved_at=req.resolved_at,
        escalation_level=req.escalation_level, overdue=clocks.is_overdue(req, now),
        timeline=[TimelineStepOut(at=s.RequestEvent.at, by=_person(s.RequestEvent.actor_id, names),
                                  action=s.RequestEvent.action, body=s.RequestEvent.body) for s in steps],
        attachments=[AttachmentOut(id=u, url=UPLOAD_URL.format(id=u)) for u in queries.attachments(req.id)],
        satisfaction=req.satisfaction, raised_by=_person(req.raised_by_id, names), reopen_count=req.reopen_count,
    )


def list_out(rows, *, staff: bool) -> list[RequestListItemOut]:
    """Rows of queries.queue/mine; the member's employee number and department for staff only."""
    out = []
    for row in rows:
        r: Request = row.Request
        out.append(RequestListItemOut(
            id=r.id, category=r.category, title=r.title, urgent=r.urgent, confidential=r.confidential,
            status=r.status, grid=row.grid_name,
            member=MemberBriefOut(id=r.member_id, name=row.member_name,
                                  employee_no=row.employee_no if staff else None,
                                  department=row.department if staff else None),
            assignee=None if r.assignee_id is None else PersonOut(id=r.assignee_id, name=row.assignee_name),
            created_at=r.created_at, first_response_due_at=r.first_response_due_at,
            resolve_due_at=r.resolve_due_at, first_response_at=r.first_response_at, resolved_at=r.resolved_at,
            escalation_level=r.escalation_level, overdue=bool(row.overdue),
        ))
    return out


def confidential_reads_out(rows) -> list[ConfidentialReadOut]:
    return [ConfidentialReadOut(id=r.ConfidentialRead.id, request_id=r.ConfidentialRead.request_id,
                                request_title=r.request_title,
                                viewer=PersonOut(id=r.ConfidentialRead.viewer_id, name=r.viewer_name),
                                route=r.ConfidentialRead.route, viewed_at=r.ConfidentialRead.viewed_at)
            for r in rows]
