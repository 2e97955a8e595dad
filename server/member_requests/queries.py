"""Reading requests: the queue, the member's own list, one request's timeline and photos, the read log.

A list page is two statements (the rows with everything they show, and the count) whatever its size;
``overdue`` is computed in SQL, so the filter and the overdue-first order are the database's.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import aliased

from ..core.extensions import db
from ..members.models import Department, Grid, Member
from ..uploads.models import Upload
from . import access, clocks
from .models import ConfidentialRead, Request, RequestEvent
from .raising import UPLOAD_KIND

MemberRow = aliased(Member, name="request_member")
AssigneeRow = aliased(Member, name="request_assignee")


def _page(now: datetime, conditions, order, page: int, per_page: int):
    """The page's rows with all they show: the page is chosen on the requests table alone (filter, order,
    limit), then only its rows are joined to their members, departments, grids and assignees."""
    overdue = case((clocks.overdue_condition(now), 1), else_=0)
    chosen = (select(Request.id.label("id"), overdue.label("overdue"))
              .where(*conditions)
              .order_by(*order(overdue)).limit(per_page).offset((page - 1) * per_page).subquery())
    return db.session.execute(
        select(Request, chosen.c.overdue, MemberRow.name.label("member_name"),
               MemberRow.employee_no.label("employee_no"), Department.name.label("department"),
               Grid.name.label("grid_name"), AssigneeRow.name.label("assignee_name"))
        .join(chosen, chosen.c.id == Request.id)
        .join(MemberRow, MemberRow.id == Request.member_id)
        .outerjoin(Department, Department.id == MemberRow.department_id)
        .outerjoin(Grid, Grid.id == Request.grid_id)
        .outerjoin(AssigneeRow, AssigneeRow.id == Request.assignee_id)
        .order_by(*order(chosen.c.overdue))
    ).all()


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(Request).where(*conditions)) or 0


def queue(viewer: access.Viewer, now: datetime, *, status=None, category=None, grid=None, overdue=False,
          member_id=None, page: int = 1, per_page: int = 20):
    """The handler's queue: overdue first, then by the first response's due time."""
    conds = [viewer.queue()]
    if status:
        conds.append(Request.status == status)
    if category:
        conds.append(Request.category == category)
    if grid:
        conds.append(Request.grid_id.in_(select(Grid.id).where(Grid.name == grid).scalar_subquery()))
    if overdue:
        conds.append(clocks.overdue_condition(now))
    if member_id:
        conds.append(Request.member_id == member_id)
    rows = _page(now, conds, lambda late: [late.desc(), Request.first_response_due_at, Request.id], page, per_page)
    return rows, _count(*conds)


def mine(member_id: int, now: datetime, page: int = 1, per_page: int = 20):
    """The member's own requests, newest first."""
    cond = Request.member_id == member_id
    rows = _page(now, [cond], lambda _late: [Request.created_at.desc(), Request.id.desc()], page, per_page)
    return rows, _count(cond)


def timeline(request_id: int, *, internal: bool):
    """The steps with their actors' names in the order they were written (the order they took effect);
    without internal notes unless asked."""
    stmt = (select(RequestEvent, Member.name.label("actor_name"))
            .outerjoin(Member, Member.id == RequestEvent.actor_id)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.id))
    if not internal:
        stmt = stmt.where(RequestEvent.internal.is_(False))
    return db.session.execute(stmt).all()


def names(member_ids) -> dict[int, str]:
    ids = sorted({i for i in member_ids if i is not None})
    if not ids:
        return {}
    return dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())


def grid_name(grid_id: int | None) -> str | None:
    return None if grid_id is None else db.session.scalar(select(Grid.name).where(Grid.id == grid_id))


def attachments(request_id: int) -> list[str]:
    return list(db.session.scalars(select(Upload.id).where(Upload.attached_kind == UPLOAD_KIND,
                                                           Upload.attached_id == request_id)
                                   .order_by(Upload.position, Upload.created_at)))


def log_read(viewer_id: int, request_id: int, route: str, now: datetime) -> None:
    db.session.execute(insert(ConfidentialRead.__table__),
                       [{"request_id": request_id, "viewer_id": viewer_id, "route": route[:100], "viewed_at": now}])


def confidential_reads(request_id=None, viewer_id=None, page: int = 1, per_page: int = 20):
    """The log, newest first, with the viewer's name and the request's title. Two statements."""
    where = []
    if request_id:
        where.append(ConfidentialRead.request_id == request_id)
    if viewer_id:
        where.append(ConfidentialRead.viewer_id == viewer_id)
    total = db.session.scalar(select(func.count()).select_from(ConfidentialRead).where(*where)) or 0
    rows = db.session.execute(
        select(ConfidentialRead, Member.name.label("viewer_name"), Request.title.label("request_title"))
        .join(Member, Member.id == ConfidentialRead.viewer_id)
        .join(Request, Request.id == ConfidentialRead.request_id)
        .where(*where)
        .order_by(ConfidentialRead.viewed_at.desc(), ConfidentialRead.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total
