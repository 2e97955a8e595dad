from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import func, select

from ..core.extensions import db
from .models import AuditTrailEntry


def _plain(value: Any) -> Any:
    """JSON-safe values: dates as ISO text, so the trail reads the same on both databases."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(row, fields: list[str]) -> dict[str, Any]:
    """The named attributes of a row, as the trail stores them."""
    return _plain({f: getattr(row, f) for f in fields})


def record(entity: str, entity_id, action: str, *, actor_id: Optional[int],
           before: Optional[dict] = None, after: Optional[dict] = None) -> AuditTrailEntry:
    """Append one line to the trail, in the caller's transaction: the change and its record commit together."""
    entry = AuditTrailEntry(entity=entity, entity_id=str(entity_id), action=action, actor_id=actor_id,
                            before=_plain(before) if before is not None else None,
                            after=_plain(after) if after is not None else None)
    db.session.add(entry)
    return entry


def entries(entity: Optional[str], entity_id: Optional[str], actor_id: Optional[int], page: int,
            per_page: int) -> tuple[list[AuditTrailEntry], int]:
    q = select(AuditTrailEntry)
    if entity:
        q = q.where(AuditTrailEntry.entity == entity)
    if entity_id:
        q = q.where(AuditTrailEntry.entity_id == entity_id)
    if actor_id:
        q = q.where(AuditTrailEntry.actor_id == actor_id)
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(AuditTrailEntry.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total
