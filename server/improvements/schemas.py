from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ..core.api import Day, Out, PageQuery, RowId, Schema
from ..core.timeutil import LocalTime
from .models import ImprovementAction, ImprovementSource, ImprovementStatus


class ImprovementIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    source: Literal["manual", "report"] = Field("manual", description="audit findings come from "
                                                "POST /audits/{id}/findings")
    owner_id: RowId
    due_date: Day
    figure: Optional[str] = Field(None, min_length=1, max_length=60, description=(
        "A report figure's key (participation.rate) or a table cell (participation.by_department:12:rate); "
        "the report of the period holding the due date shows whether the target was met."))
    target: Optional[float] = Field(None, description="The figure's value to reach.")


class ImprovementNoteIn(Schema):
    body: str = Field(min_length=1, max_length=2000)


class ImprovementCompleteIn(Schema):
    result: str = Field(min_length=1, max_length=2000)


class ImprovementCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class ImprovementReopenIn(Schema):
    due_date: Optional[Day] = Field(None, description="A new due date; the clock's warnings start again.")


class ImprovementQuery(PageQuery):
    status: Optional[ImprovementStatus] = None
    owner: Optional[RowId] = None
    overdue: bool = False
    source: Optional[ImprovementSource] = None


class ImprovementMineQuery(PageQuery):
    status: Optional[ImprovementStatus] = None


class ImprovementPerson(Out):
    id: int
    name: str


class ImprovementAuditLink(Out):
    audit_id: int
    item_id: int


class ImprovementEventOut(Out):
    id: int
    at: LocalTime
    action: ImprovementAction
    actor: Optional[ImprovementPerson]
    body: Optional[str]


class ImprovementOut(Out):
    id: int
    title: str
    description: str
    source: ImprovementSource
    audit: Optional[ImprovementAuditLink]
    figure: Optional[str]
    figure_label: Optional[str] = Field(description="The figure's name in the report.")
    target: Optional[float]
    owner: ImprovementPerson
    due_date: str
    due_at: LocalTime
    overdue: bool
    status: ImprovementStatus
    result: Optional[str]
    cancel_reason: Optional[str]
    created_at: LocalTime
    closed_at: Optional[LocalTime]
    events: list[ImprovementEventOut] = Field(description="The timeline, oldest first; empty in lists.")


class ImprovementPage(Out):
    items: list[ImprovementOut]
    page: int
    per_page: int
    total: int
