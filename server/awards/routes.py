from __future__ import annotations

from flask import g

from ..core.api import api
from . import bp, services
from .presenters import award_out, awards_out, objections_out
from .schemas import (
    AwardDecideIn,
    AwardFinalizeIn,
    AwardIn,
    AwardNomineeIn,
    AwardObjectionIn,
    AwardObjectionList,
    AwardObjectionOut,
    AwardOut,
    AwardPage,
    AwardQuery,
)


@bp.post("/awards")
@api(roles=["staff"], body=AwardIn, out=AwardOut, status=201)
def create_award(body: AwardIn):
    """An award procedure (a draft): title, year, criteria, quota."""
    return award_out(services.create(g.member.id, **body.model_dump()), staff=True)


@bp.get("/awards")
@api(roles=["member"], query=AwardQuery, out=AwardPage)
def list_awards(query: AwardQuery):
    """Awards in their notice period or final, newest first; staff also see drafts."""
    rows, total = services.listing(g.member, query.status, query.page, query.per_page)
    return AwardPage(items=awards_out(rows, g.member.is_staff), page=query.page, per_page=query.per_page,
                     total=total)


@bp.get("/awards/<int:award_id>")
@api(roles=["member"], out=AwardOut, errors=["not_found"])
def get_award(award_id: int):
    """An award with its winners (members) or every nominee (staff)."""
    return award_out(services.get_for(g.member, award_id), g.member.is_staff)


@bp.post("/awards/<int:award_id>/nominees")
@api(roles=["staff"], body=AwardNomineeIn, out=AwardOut, status=201,
     errors=["not_found", "award_not_draft", "already_nominated"])
def add_nominee(award_id: int, body: AwardNomineeIn):
    """A nominee with the reason, before the decision."""
    services.add_nominee(g.member.id, award_id, body.member_id, body.reason)
    return award_out(services.get(award_id), staff=True)


@bp.delete("/awards/<int:award_id>/nominees/<int:nominee_id>")
@api(roles=["staff"], out=AwardOut, errors=["not_found", "award_not_draft"])
def remove_nominee(award_id: int, nominee_id: int):
    """Withdraw a nomination, before the decision."""
    return award_out(services.remove_nominee(g.member.id, award_id, nominee_id), staff=True)


@bp.post("/awards/<int:award_id>/decide")
@api(roles=["staff"], body=AwardDecideIn, out=AwardOut, errors=["not_found", "award_not_draft", "too_many_winners"])
def decide_award(award_id: int, body: AwardDecideIn):
    """The winners among the nominees; opens the notice period (AWARD_NOTICE_WORKING_DAYS working days) and
    tells every member."""
    return award_out(services.decide(g.member.id, award_id, body.winners), staff=True)


@bp.post("/awards/<int:award_id>/objections")
@api(roles=["member"], body=AwardObjectionIn, out=AwardObjectionOut, status=201,
     errors=["not_found", "objection_closed"])
def object_to_award(award_id: int, body: AwardObjectionIn):
    """A named objection during the notice period (staff read it with the member's name; for an anonymous one,
    the suggestion box, category ``award``)."""
    o = services.object_to(g.member.id, award_id, body.nominee_id, body.body)
    return objections_out([r for r in services.objections(award_id) if r[0].id == o.id])[0]


@bp.get("/awards/<int:award_id>/objections")
@api(roles=["staff"], out=AwardObjectionList, errors=["not_found"])
def list_objections(award_id: int):
    """The named objections, oldest first."""
    return AwardObjectionList(items=objections_out(services.objections(award_id)))


@bp.post("/awards/<int:award_id>/finalize")
@api(roles=["staff"], body=AwardFinalizeIn, out=AwardOut,
     errors=["not_found", "invalid_transition", "notice_period_open"])
def finalize_award(award_id: int, body: AwardFinalizeIn):
    """The final list after the notice period, less any winner removed after an upheld objection (with the
    reason); every member is told."""
    removals = [r.model_dump() for r in body.removals]
    return award_out(services.finalize(g.member.id, award_id, removals), staff=True)
