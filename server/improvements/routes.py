"""HTTP for the improvement list (docs/audits.md)."""
from __future__ import annotations

from flask import g

from ..core.api import api
from . import bp, services
from .presenters import improvement_out, improvements_out
from .schemas import (
    ImprovementCancelIn,
    ImprovementCompleteIn,
    ImprovementIn,
    ImprovementMineQuery,
    ImprovementNoteIn,
    ImprovementOut,
    ImprovementPage,
    ImprovementQuery,
    ImprovementReopenIn,
)

STEP_ERRORS = ["not_found", "invalid_transition"]


@bp.post("/improvements")
@api(roles=["staff"], body=ImprovementIn, out=ImprovementOut, status=201)
def create_improvement(body: ImprovementIn):
    """A new improvement item with its owner and due date (staff); the owner is told (notice source improvement)."""
    return improvement_out(services.create(g.member.id, **body.model_dump()))


@bp.get("/improvements")
@api(roles=["staff"], query=ImprovementQuery, out=ImprovementPage)
def list_improvements(query: ImprovementQuery):
    """The improvement list: overdue first, then open by due time, then closed ones."""
    rows, total = services.listing(status=query.status, owner_id=query.owner, overdue=query.overdue,
                                   source=query.source, page=query.page, per_page=query.per_page)
    return ImprovementPage(items=improvements_out(rows), page=query.page, per_page=query.per_page, total=total)


@bp.get("/me/improvements")
@api(roles=["member"], query=ImprovementMineQuery, out=ImprovementPage)
def my_improvements(query: ImprovementMineQuery):
    """The caller's own items (department heads read them in the mini-program), overdue first."""
    rows, total = services.listing(status=query.status, owner_id=g.member.id, page=query.page,
                                   per_page=query.per_page)
    return ImprovementPage(items=improvements_out(rows), page=query.page, per_page=query.per_page, total=total)


@bp.get("/improvements/<int:item_id>")
@api(roles=["member"], out=ImprovementOut, errors=["not_found"])
def get_improvement(item_id: int):
    """An item with its timeline (staff, or its owner; anyone else 404)."""
    return improvement_out(services.get_visible(g.member, item_id))


@bp.post("/improvements/<int:item_id>/notes")
@api(roles=["member"], body=ImprovementNoteIn, out=ImprovementOut, status=201, errors=STEP_ERRORS)
def add_note(item_id: int, body: ImprovementNoteIn):
    """A progress note (the owner or staff) while the item is open."""
    return improvement_out(services.add_note(g.member, item_id, body.body))


@bp.post("/improvements/<int:item_id>/complete")
@api(roles=["member"], body=ImprovementCompleteIn, out=ImprovementOut, errors=STEP_ERRORS)
def complete(item_id: int, body: ImprovementCompleteIn):
    """Mark done with the result (the owner or staff)."""
    return improvement_out(services.complete(g.member, item_id, body.result))


@bp.post("/improvements/<int:item_id>/cancel")
@api(roles=["staff"], body=ImprovementCancelIn, out=ImprovementOut, errors=STEP_ERRORS)
def cancel(item_id: int, body: ImprovementCancelIn):
    """Cancel an open item, with the reason (staff)."""
    return improvement_out(services.cancel(g.member.id, item_id, body.reason))


@bp.post("/improvements/<int:item_id>/reopen")
@api(roles=["staff"], body=ImprovementReopenIn, out=ImprovementOut, errors=STEP_ERRORS)
def reopen(item_id: int, body: ImprovementReopenIn):
    """Open a done or cancelled item again, optionally with a new due date (staff)."""
    return improvement_out(services.reopen(g.member.id, item_id, body.due_date))
