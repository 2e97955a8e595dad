from __future__ import annotations

from sqlalchemy import select

from ..core.api import api
from ..core.extensions import db
from ..members.models import Member
from . import bp, services
from .schemas import AuditTrailActor, AuditTrailItem, AuditTrailPage, AuditTrailQuery


@bp.get("/audit-trail")
@api(roles=["admin"], query=AuditTrailQuery, out=AuditTrailPage)
def list_audit_trail(query: AuditTrailQuery):
    """The append-only record of changes to the ledger, procurements and awards, newest first."""
    rows, total = services.entries(query.entity, query.entity_id, query.actor_id, query.page, query.per_page)
    ids = {r.actor_id for r in rows if r.actor_id}
    names = dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all()) if ids else {}
    items = [AuditTrailItem(id=r.id, at=r.at, entity=r.entity, entity_id=r.entity_id, action=r.action,
                            before=r.before, after=r.after,
                            actor=AuditTrailActor(id=r.actor_id, name=names.get(r.actor_id, "")) if r.actor_id
                            else None)
             for r in rows]
    return AuditTrailPage(items=items, page=query.page, per_page=query.per_page, total=total)
