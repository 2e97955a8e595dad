"""The grids a liaison serves besides their roster row's grid, set by an admin."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, select, union

from ..core.errors import AppError, invalid_request
from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Grid, Member
from . import access
from .models import LiaisonGrid
from .schemas import GridListOut, GridOut, GridSummaryOut, LiaisonGridsOut, PersonOut


def _member(member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None:
        raise AppError("not_found", "会员不存在")
    return member


def grids_of(member_id: int) -> LiaisonGridsOut:
    member = _member(member_id)
    added = db.session.execute(select(Grid.id, Grid.name).join(LiaisonGrid, LiaisonGrid.grid_id == Grid.id)
                               .where(LiaisonGrid.member_id == member_id).order_by(Grid.name)).all()
    own = db.session.execute(select(Grid.id, Grid.name).where(Grid.id == member.grid_id)).first() \
        if member.grid_id else None
    return LiaisonGridsOut(member_id=member.id, liaison=access.is_liaison(member),
                           own_grid=GridOut(id=own.id, name=own.name) if own else None,
                           grids=[GridOut(id=g.id, name=g.name) for g in added])


def set_grids(admin_id: int, member_id: int, grid_ids: list[int]) -> LiaisonGridsOut:
    """Replace the added grids (the roster grid is served anyway and is not stored twice)."""
    member = _member(member_id)
    if not access.is_liaison(member):
        raise AppError("not_a_liaison")
    wanted = set(grid_ids) - {member.grid_id}
    known = set(db.session.scalars(select(Grid.id).where(Grid.id.in_(sorted(wanted))))) if wanted else set()
    if unknown := sorted(wanted - known):
        raise invalid_request({"grid_ids": "不存在的网格：" + "、".join(map(str, unknown[:20]))})
    have = set(db.session.scalars(select(LiaisonGrid.grid_id).where(LiaisonGrid.member_id == member.id)))
    if gone := have - wanted:
        db.session.execute(delete(LiaisonGrid).where(LiaisonGrid.member_id == member.id,
                                                     LiaisonGrid.grid_id.in_(sorted(gone))))
    if new := sorted(wanted - have):
        now = utcnow()
        db.session.execute(insert(LiaisonGrid.__table__), [
            {"member_id": member.id, "grid_id": g, "added_by_id": admin_id, "added_at": now} for g in new])
    return grids_of(member.id)


def grid_list() -> GridListOut:
    """Every grid with its active members' count and its liaisons, in three statements whatever the count."""
    grids = db.session.execute(select(Grid.id, Grid.name).order_by(Grid.name)).all()
    counts = dict(db.session.execute(
        select(Member.grid_id, func.count()).where(Member.is_active.is_(True), Member.grid_id.is_not(None))
        .group_by(Member.grid_id)).all())
    liaison = access.role_condition(access.LIAISON)
    serving = union(
        select(Member.grid_id.label("grid_id"), Member.id.label("member_id"))
        .where(Member.grid_id.is_not(None), Member.is_active.is_(True), liaison),
        select(LiaisonGrid.grid_id, LiaisonGrid.member_id).join(Member, Member.id == LiaisonGrid.member_id)
        .where(Member.is_active.is_(True), liaison),
    ).subquery()
    by_grid: dict[int, list[PersonOut]] = {}
    for grid_id, member_id, name in db.session.execute(
            select(serving.c.grid_id, serving.c.member_id, Member.name)
            .join(Member, Member.id == serving.c.member_id).order_by(serving.c.grid_id, Member.name)):
        by_grid.setdefault(grid_id, []).append(PersonOut(id=member_id, name=name))
    return GridListOut(items=[GridSummaryOut(id=g.id, name=g.name, members=counts.get(g.id, 0),
                                             liaisons=by_grid.get(g.id, [])) for g in grids])
