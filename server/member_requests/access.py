"""Who sees and who handles a request (API.md "Who sees what"), as SQL conditions and as checks on a row.

- the member: their own requests;
- a liaison: the requests of the grids they serve (their roster row's grid plus any an admin added in
  ``liaison_grids``), except confidential and hardship ones ("sensitive"), which never reach liaisons;
- staff, secretary and admin: all.
Anyone else is told ``404 not_found``, never ``403``: a request's existence is not disclosed.
"""
from __future__ import annotations

from sqlalchemy import String, and_, cast, false, or_, select, true

from ..core.errors import AppError
from ..core.extensions import db
from ..members.models import Member
from .models import LiaisonGrid, Request, RequestCategory

LIAISON = "liaison"


def not_found() -> AppError:
    return AppError("not_found", "诉求不存在")


def role_condition(role: str):
    """SQL: the members row holds ``role`` (roles is a small JSON list on the row)."""
    return cast(Member.roles, String).like(f'%"{role}"%')


def is_sensitive(req: Request) -> bool:
    return bool(req.confidential) or req.category == RequestCategory.hardship


def sensitive_condition():
    return or_(Request.confidential.is_(True), Request.category == RequestCategory.hardship)


def is_liaison(member: Member) -> bool:
    return member.has_any_role([LIAISON])


def served_grid_ids(member: Member) -> set[int]:
    """The grids a liaison serves (empty for anyone else): one statement for the added ones."""
    if not is_liaison(member):
        return set()
    grids = set(db.session.scalars(select(LiaisonGrid.grid_id).where(LiaisonGrid.member_id == member.id)))
    if member.grid_id is not None:
        grids.add(member.grid_id)
    return grids


class Viewer:
    """The signed-in member as far as requests go; built once per request (one statement for a liaison)."""

    def __init__(self, member: Member):
        self.member = member
        self.id = member.id
        self.staff = member.is_staff
        self.grids = served_grid_ids(member)

    def handles_grid(self, req: Request) -> bool:
        """A liaison serving the request's grid, for a request that may reach liaisons, not their own (a
        liaison's own request is handled by the grid's other liaisons or by staff)."""
        return (req.grid_id is not None and req.grid_id in self.grids and not is_sensitive(req)
                and req.member_id != self.id)

    def sees(self, req: Request) -> bool:
        return self.staff or req.member_id == self.id or self.handles_grid(req)

    def handles(self, req: Request) -> bool:
        """May act on it as the union's side: staff, a liaison of its grid, or its assignee."""
        return self.staff or self.handles_grid(req) or req.assignee_id == self.id

    def visible(self):
        """SQL: the requests this viewer may see."""
        if self.staff:
            return true()
        conds = [Request.member_id == self.id]
        if self.grids:
            conds.append(and_(Request.grid_id.in_(sorted(self.grids)), ~sensitive_condition()))
        return or_(*conds)

    def queue(self):
        """SQL: the requests of this viewer's queue (GET /requests): all for staff, those of the grids a
        liaison handles (their own requests are in GET /me/requests)."""
        if self.staff:
            return true()
        if not self.grids:
            return false()
        return and_(Request.grid_id.in_(sorted(self.grids)), ~sensitive_condition(), Request.member_id != self.id)


def get_visible(viewer: Viewer, request_id: int, *, fresh: bool = False) -> Request:
    """The request, or 404 when it does not exist or the viewer may not see it."""
    stmt = select(Request).where(Request.id == request_id)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    req = db.session.scalar(stmt)
    if req is None or not viewer.sees(req):
        raise not_found()
    return req


def liaisons_of_grid(grid_id: int | None) -> list[int]:
    """Active liaisons serving the grid (roster grid or added), one statement."""
    if grid_id is None:
        return []
    added = select(LiaisonGrid.member_id).where(LiaisonGrid.grid_id == grid_id)
    return list(db.session.scalars(
        select(Member.id).where(Member.is_active.is_(True), role_condition(LIAISON),
                                or_(Member.grid_id == grid_id, Member.id.in_(added)))
        .order_by(Member.id)))


def staff_ids() -> list[int]:
    """Active staff (not secretary or admin: they are told of escalations, not of every new request)."""
    return list(db.session.scalars(select(Member.id).where(Member.is_active.is_(True), role_condition("staff"))
                                   .order_by(Member.id)))
