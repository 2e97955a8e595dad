from __future__ import annotations

from flask import g

from ..core.api import api
from . import bp, services
from .presenters import procurement_out, procurements_out
from .schemas import (
    ProcurementDecideIn,
    ProcurementIn,
    ProcurementOut,
    ProcurementPage,
    ProcurementQuery,
    ProcurementQuoteIn,
)

# Who prepares a purchase: the treasurer, admins and staff.
PREPARERS = ["admin", "treasurer", "staff"]
# Who decides it: money, so the treasurer and admins.
DECIDERS = ["admin", "treasurer"]


@bp.post("/fund/procurements")
@api(roles=PREPARERS, body=ProcurementIn, out=ProcurementOut, status=201)
def create_procurement(body: ProcurementIn):
    """A purchase to compare, with its named worker representatives (each is told)."""
    return procurement_out(services.create(g.member.id, **body.model_dump()), g.member.id)


@bp.get("/fund/procurements")
@api(roles=["member"], query=ProcurementQuery, out=ProcurementPage)
def list_procurements(query: ProcurementQuery):
    """Decided purchases of published months (``month=YYYY-MM`` for one), with their quotes, the choice, the
    reason and the representatives; staff and the treasurer see every purchase."""
    rows, total = services.listing(g.member, month=query.month, status=query.status, mine=False, page=query.page,
                                   per_page=query.per_page)
    return ProcurementPage(items=procurements_out(rows, g.member.id), page=query.page, per_page=query.per_page,
                           total=total)


@bp.get("/fund/procurements/mine")
@api(roles=["member"], query=ProcurementQuery, out=ProcurementPage)
def my_procurements(query: ProcurementQuery):
    """Purchases the caller is a named representative of (``status=open``: those awaiting their confirmation)."""
    rows, total = services.listing(g.member, month=query.month, status=query.status, mine=True, page=query.page,
                                   per_page=query.per_page)
    return ProcurementPage(items=procurements_out(rows, g.member.id), page=query.page, per_page=query.per_page,
                           total=total)


@bp.get("/fund/procurements/<int:procurement_id>")
@api(roles=["member"], out=ProcurementOut, errors=["not_found"])
def get_procurement(procurement_id: int):
    """One purchase: to its representatives, staff and the treasurer; to any member once published."""
    return procurement_out(services.get_for(g.member, procurement_id), g.member.id)


@bp.post("/fund/procurements/<int:procurement_id>/quotes")
@api(roles=PREPARERS, body=ProcurementQuoteIn, out=ProcurementOut, status=201,
     errors=["not_found", "procurement_decided", "invalid_attachment"])
def add_quote(procurement_id: int, body: ProcurementQuoteIn):
    """A supplier's quote, with photos of the quote sheet (upload ids)."""
    services.add_quote(g.member.id, procurement_id, **body.model_dump())
    return procurement_out(services.get(procurement_id), g.member.id)


@bp.post("/fund/procurements/<int:procurement_id>/confirm")
@api(roles=["member"], out=ProcurementOut,
     errors=["not_found", "not_a_representative", "already_confirmed", "procurement_decided"])
def confirm_procurement(procurement_id: int):
    """A named representative confirms that they took part in the comparison (once)."""
    return procurement_out(services.confirm(g.member.id, procurement_id), g.member.id)


@bp.post("/fund/procurements/<int:procurement_id>/decide")
@api(roles=DECIDERS, body=ProcurementDecideIn, out=ProcurementOut,
     errors=["not_found", "procurement_decided", "not_enough_quotes", "not_enough_representatives",
             "representatives_unconfirmed"])
def decide_procurement(procurement_id: int, body: ProcurementDecideIn):
    """The choice and its reason, once; published with the month of the decision."""
    return procurement_out(services.decide(g.member.id, procurement_id, body.quote_id, body.reason), g.member.id)
