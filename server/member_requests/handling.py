"""The steps of a request after it is raised: accept, message, assign, resolve, confirm, reopen.

Every status change is one conditional UPDATE (``WHERE id = :id AND status IN (...)``): of two people acting
at once, the second UPDATE waits for the first's row lock, then finds the status changed and matches
nothing, and its caller answers ``409 invalid_transition``. Nothing is read under a lock first, so no
check can go stale between reading and writing. Each step adds an attributed timeline entry.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from ..core.errors import AppError
from ..core.extensions import db
from ..core.roles import STAFF_ROLES
from ..core.timeutil import to_local_iso, utcnow
from ..members.models import Member
from . import access, clocks, notify
from .models import OPEN_STATUSES, Request, RequestEvent, RequestStatus, TimelineAction

REOPEN_WINDOW = timedelta(days=15)
ACCEPTABLE = (RequestStatus.submitted, RequestStatus.reopened)
REOPENABLE = (RequestStatus.resolved, RequestStatus.closed)


def _refused(req: Request, details: dict | None = None, message: str | None = None) -> AppError:
    return AppError("invalid_transition", message,
                    details={"status": str(req.status), **(details or {})})


def _step(req: Request, actor_id: int | None, action: str, body: str | None = None, *, internal: bool = False) -> None:
    # Timed after the step's UPDATE, which may have waited for another's lock: the timeline (ordered as
    # written) then reads in the order the steps took effect.
    db.session.add(RequestEvent(request_id=req.id, at=utcnow(), actor_id=actor_id, action=action, body=body,
                                internal=internal))


def _transition(req: Request, from_statuses, values: dict, *conditions) -> bool:
    """Move the request if its status (and ``conditions``) still hold, in one statement; reload it."""
    values.setdefault("updated_at", utcnow())
    done = db.session.execute(
        update(Request).where(Request.id == req.id, Request.status.in_(list(from_statuses)), *conditions)
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(req)
    return done == 1


def _must_handle(viewer: access.Viewer, req: Request) -> None:
    if not viewer.handles(req):
        raise AppError("forbidden", "您不是该诉求的处理人")


def _must_be_its_member(viewer: access.Viewer, req: Request) -> None:
    if req.member_id != viewer.id:
        raise AppError("forbidden", "只有提出诉求的会员本人可以执行此操作")


def accept(viewer: access.Viewer, req: Request) -> Request:
    """A liaison of the grid or staff takes it: the first response if there was none, the acceptor the
    assignee if there was none."""
    if not (viewer.staff or viewer.handles_grid(req)):
        raise AppError("forbidden", "只有本网格联络员或工会干事可以受理")
    now = utcnow()
    if not _transition(req, ACCEPTABLE, {
        "status": RequestStatus.accepted, "updated_at": now,
        "first_response_at": func.coalesce(Request.first_response_at, now),
        "assignee_id": func.coalesce(Request.assignee_id, viewer.id),
    }):
        raise _refused(req)
    _step(req, viewer.id, TimelineAction.accepted)
    notify.accepted(req)
    return req


def post_message(viewer: access.Viewer, req: Request, body: str, internal: bool) -> Request:
    """A message in the timeline. A handler's first message the member sees is the first response; an
    internal note is for handlers only. The member may write on their own request until it is closed."""
    now = utcnow()
    if viewer.handles(req):
        _step(req, viewer.id, TimelineAction.note if internal else TimelineAction.message, body,
              internal=internal)
        if not internal:
            db.session.execute(update(Request).where(Request.id == req.id, Request.first_response_at.is_(None))
                               .values(first_response_at=now, updated_at=now)
                               .execution_options(synchronize_session=False))
            db.session.flush()
            db.session.refresh(req)
            notify.answered(req)
        return req
    _must_be_its_member(viewer, req)
    if internal:
        raise AppError("forbidden", "内部备注仅限处理人使用")
    # Conditional as the transitions are: a message never lands on a request closed meanwhile.
    if not _transition(req, [s for s in RequestStatus if s != RequestStatus.closed], {"updated_at": now}):
        raise _refused(req, message="诉求已办结，不能再留言；如问题未解决，请重新打开")
    _step(req, viewer.id, TimelineAction.message, body)
    return req


def _assignable(req: Request, assignee_id: int) -> Member:
    member = db.session.scalar(select(Member).where(Member.id == assignee_id, Member.is_active.is_(True)))
    if member is None:
        raise AppError("invalid_assignee", "被指派人不存在或已不在名册中")
    if member.has_any_role(STAFF_ROLES):
        return member
    if access.is_sensitive(req):
        raise AppError("invalid_assignee", "保密或困难帮扶类诉求只能指派给工会干事")
    if req.grid_id is None or req.grid_id not in access.served_grid_ids(member):
        raise AppError("invalid_assignee", "只能指派给工会干事或本网格的联络员")
    return member


def assign(viewer: access.Viewer, req: Request, assignee_id: int) -> Request:
    assignee = _assignable(req, assignee_id)
    now = utcnow()
    if not _transition(req, OPEN_STATUSES, {"assignee_id": assignee.id, "updated_at": now}):
        raise _refused(req)
    _step(req, viewer.id, TimelineAction.assigned, f"指派给{assignee.name}")
    if assignee.id != viewer.id:
        notify.assigned(req)
    return req


def resolve(viewer: access.Viewer, req: Request, resolution: str) -> Request:
    _must_handle(viewer, req)
    now = utcnow()
    if not _transition(req, OPEN_STATUSES, {
        "status": RequestStatus.resolved, "resolved_at": now, "updated_at": now,
        # An answer with the resolution is a response, whatever came before it.
        "first_response_at": func.coalesce(Request.first_response_at, now),
        "assignee_id": func.coalesce(Request.assignee_id, viewer.id),
    }):
        raise _refused(req)
    _step(req, viewer.id, TimelineAction.resolved, resolution)
    notify.resolved(req)
    return req


def confirm(viewer: access.Viewer, req: Request, satisfaction: int) -> Request:
    _must_be_its_member(viewer, req)
    now = utcnow()
    if not _transition(req, [RequestStatus.resolved], {
        "status": RequestStatus.closed, "closed_at": now, "satisfaction": satisfaction, "updated_at": now,
    }):
        raise _refused(req)
    _step(req, viewer.id, TimelineAction.confirmed, f"满意度 {satisfaction} 分")
    return req


def reopen(viewer: access.Viewer, req: Request, reason: str) -> Request:
    """Back to the union, within 15 days of the resolution; the resolution clock starts again from now
    with the category's working days (48 hours for an urgent one). The first response stays answered."""
    _must_be_its_member(viewer, req)
    now = utcnow()
    if not _transition(req, REOPENABLE, {
        "status": RequestStatus.reopened, "resolved_at": None, "closed_at": None, "satisfaction": None,
        "reopen_count": Request.reopen_count + 1, "updated_at": now,
        "resolve_due_at": clocks.resolve_due(now, req.category, req.urgent),
    }, Request.resolved_at >= now - REOPEN_WINDOW):
        if req.status in REOPENABLE:
            raise _refused(req, {"reason": "reopen_window_passed",
                                 "resolved_at": to_local_iso(req.resolved_at) if req.resolved_at else None},
                           "诉求办结已超过 15 天，不能重新打开，请提出新的诉求")
        raise _refused(req, {"reason": "not_resolved"})
    _step(req, viewer.id, TimelineAction.reopened, reason)
    notify.reopened(req)
    return req
