"""HTTP for audits (docs/audits.md)."""
from __future__ import annotations

from flask import Response, current_app, g

from ..core.api import api
from ..improvements.presenters import improvement_out
from ..improvements.schemas import ImprovementOut
from . import bp, report, services
from .presenters import audit_out, audits_out
from .schemas import AuditFindingIn, AuditIn, AuditItemPatch, AuditOut, AuditPage, AuditQuery

STEP_ERRORS = ["not_found", "invalid_transition"]


@bp.post("/audits")
@api(roles=["staff"], body=AuditIn, out=AuditOut, status=201, errors=["audit_exists"])
def create_audit(body: AuditIn):
    """Open an audit of a period: the kind's checklist, automatic items filled from the data (staff)."""
    return audit_out(services.create(g.member.id, body.kind, body.period))


@bp.get("/audits")
@api(roles=["staff"], query=AuditQuery, out=AuditPage)
def list_audits(query: AuditQuery):
    """Audits, latest period first."""
    rows, total = services.listing(query.kind, query.status, query.page, query.per_page)
    return AuditPage(items=audits_out(rows), page=query.page, per_page=query.per_page, total=total)


@bp.get("/audits/<int:audit_id>")
@api(roles=["staff"], out=AuditOut, errors=["not_found"])
def get_audit(audit_id: int):
    """An audit with its checklist and the improvement items opened from it."""
    return audit_out(services.get(audit_id))


@bp.patch("/audits/<int:audit_id>/items/<int:item_id>")
@api(roles=["staff"], body=AuditItemPatch, out=AuditOut, errors=STEP_ERRORS)
def mark_item(audit_id: int, item_id: int, body: AuditItemPatch):
    """Mark an item pass, fail (with a note) or na, while the audit is open."""
    return audit_out(services.mark(g.member.id, audit_id, item_id, body.result, body.note))


@bp.post("/audits/<int:audit_id>/refresh")
@api(roles=["staff"], out=AuditOut, errors=STEP_ERRORS)
def refresh_audit(audit_id: int):
    """Recompute the automatic figures from the data as it is now (open audits)."""
    return audit_out(services.refresh(g.member.id, audit_id))


@bp.post("/audits/<int:audit_id>/findings")
@api(roles=["staff"], body=AuditFindingIn, out=ImprovementOut, status=201, errors=["not_found", "item_not_failed"])
def add_finding(audit_id: int, body: AuditFindingIn):
    """Turn a failed item into an improvement item (source audit) with its owner and due date."""
    return improvement_out(services.add_finding(g.member.id, audit_id, body.item_id, title=body.title,
                                                owner_id=body.owner_id, due_date=body.due_date,
                                                description=body.description))


@bp.post("/audits/<int:audit_id>/close")
@api(roles=["staff"], out=AuditOut, errors=["not_found", "invalid_transition", "audit_incomplete"])
def close_audit(audit_id: int):
    """Close the audit once every item is answered (409 audit_incomplete names the others)."""
    return audit_out(services.close(g.member.id, audit_id))


@bp.get("/audits/<int:audit_id>/report.pdf")
@api(roles=["staff"], produces=["application/pdf"], errors=["not_found", "poster_font_missing"])
def audit_report(audit_id: int):
    """The audit and its findings as a printable A4 PDF (staff)."""
    audit = services.get(audit_id)
    body = report.render(audit_out(audit), current_app.config.get("FONT_PATH"))
    resp = Response(body, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="audit-{audit.id}.pdf"'
    return resp
