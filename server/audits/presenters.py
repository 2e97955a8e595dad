"""Rows → output models; a page in a fixed number of statements."""
from __future__ import annotations

from ..improvements.presenters import improvements_out
from . import services
from .models import Audit
from .schemas import AuditItemOut, AuditOut


def audits_out(audits: list[Audit]) -> list[AuditOut]:
    counts = services.counts([a.id for a in audits])
    return [AuditOut(id=a.id, kind=a.kind, period=a.period, status=a.status,
                     items_count=counts.get(a.id, (0, 0, 0))[0], answered=counts.get(a.id, (0, 0, 0))[1],
                     failed=counts.get(a.id, (0, 0, 0))[2], created_at=a.created_at, refreshed_at=a.refreshed_at,
                     closed_at=a.closed_at, items=[], findings=[]) for a in audits]


def audit_out(audit: Audit) -> AuditOut:
    out = audits_out([audit])[0]
    out.items = [AuditItemOut(id=i.id, key=i.key, position=i.position, label=i.label, automatic=i.automatic,
                              figure=i.figure, value=i.value, computation=i.computation, suggested=i.suggested,
                              computed_at=i.computed_at, result=i.result, note=i.note, marked_at=i.marked_at)
                 for i in services.items_of(audit)]
    out.findings = improvements_out(services.findings_of([audit.id]))
    return out
