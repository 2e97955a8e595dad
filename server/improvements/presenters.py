"""Rows → output models; a page in a fixed number of statements (one for the owners' names)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from ..core.timeutil import utcnow
from . import services
from .models import Improvement
from .schemas import ImprovementAuditLink, ImprovementEventOut, ImprovementOut, ImprovementPerson


def _out(item: Improvement, names: dict[int, str], now: datetime) -> ImprovementOut:
    link = (ImprovementAuditLink(audit_id=item.audit_id, item_id=item.audit_item_id)
            if item.audit_id and item.audit_item_id else None)
    return ImprovementOut(id=item.id, title=item.title, description=item.description, source=item.source,
                          audit=link, figure=item.figure, figure_label=_figure_label(item.figure),
                          target=item.target,
                          owner=ImprovementPerson(id=item.owner_id, name=names.get(item.owner_id, "")),
                          due_date=item.due_date.isoformat(), due_at=item.due_at,
                          overdue=services.is_overdue(item, now), status=item.status, result=item.result,
                          cancel_reason=item.cancel_reason, created_at=item.created_at, closed_at=item.closed_at,
                          events=[])


def _figure_label(ref: Optional[str]) -> Optional[str]:
    from ..reports.figures import cell_figure

    figure, _cell = cell_figure(ref) if ref else (None, None)
    return figure.label if figure else None


def improvements_out(items: list[Improvement], now: Optional[datetime] = None) -> list[ImprovementOut]:
    now = now or utcnow()
    names = services.names(i.owner_id for i in items)
    return [_out(i, names, now) for i in items]


def improvement_out(item: Improvement) -> ImprovementOut:
    events = services.events_of(item.id)
    names = services.names([item.owner_id, *(e.actor_id for e in events)])
    out = _out(item, names, utcnow())
    out.events = [ImprovementEventOut(id=e.id, at=e.at, action=e.action, body=e.body,
                                      actor=ImprovementPerson(id=e.actor_id, name=names.get(e.actor_id, ""))
                                      if e.actor_id else None) for e in events]
    return out
