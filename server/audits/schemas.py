from __future__ import annotations

from typing import Any, Optional

from pydantic import Field

from ..core.api import Day, Out, PageQuery, RowId, Schema
from ..core.timeutil import LocalTime
from ..improvements.schemas import ImprovementOut
from .models import AuditKind, AuditResult, AuditStatus


class AuditIn(Schema):
    kind: AuditKind
    period: str = Field(min_length=4, max_length=6, description='"2026H2" (fund_semiannual) or "2026" '
                        "(procedure_annual)")


class AuditItemPatch(Schema):
    result: AuditResult
    note: Optional[str] = Field(None, max_length=2000, description="Required for fail.")


class AuditFindingIn(Schema):
    item_id: RowId
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    owner_id: RowId
    due_date: Day


class AuditQuery(PageQuery):
    kind: Optional[AuditKind] = None
    status: Optional[AuditStatus] = None


class AuditItemOut(Out):
    id: int
    key: str
    position: int
    label: str
    automatic: bool
    figure: Optional[str] = Field(description="Automatic items: the figure, as shown.")
    value: Optional[dict[str, Any]]
    computation: Optional[str] = Field(description="How the figure was computed.")
    suggested: Optional[AuditResult] = Field(description="What the figure suggests (null: judge it).")
    computed_at: Optional[LocalTime]
    result: Optional[AuditResult]
    note: Optional[str]
    marked_at: Optional[LocalTime]


class AuditOut(Out):
    id: int
    kind: AuditKind
    period: str
    status: AuditStatus
    items_count: int
    answered: int
    failed: int
    created_at: LocalTime
    refreshed_at: Optional[LocalTime]
    closed_at: Optional[LocalTime]
    findings: list[ImprovementOut] = Field(description="Improvement items opened from it; empty in lists.")
    items: list[AuditItemOut] = Field(description="The checklist; empty in lists.")


class AuditPage(Out):
    items: list[AuditOut]
    page: int
    per_page: int
    total: int
