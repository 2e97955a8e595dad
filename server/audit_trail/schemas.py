from __future__ import annotations

from typing import Any, Optional

from pydantic import Field

from ..core.api import Out, PageQuery, RowId
from ..core.timeutil import LocalTime


class AuditTrailQuery(PageQuery):
    entity: Optional[str] = Field(None, max_length=40)
    entity_id: Optional[str] = Field(None, max_length=40)
    actor_id: Optional[RowId] = None


class AuditTrailActor(Out):
    id: int
    name: str


class AuditTrailItem(Out):
    id: int
    at: LocalTime
    actor: Optional[AuditTrailActor]
    entity: str
    entity_id: str
    action: str
    before: Optional[dict[str, Any]]
    after: Optional[dict[str, Any]]


class AuditTrailPage(Out):
    items: list[AuditTrailItem]
    page: int
    per_page: int
    total: int
