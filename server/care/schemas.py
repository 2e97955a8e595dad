"""Request and response shapes (the care contract: CareCaseOut, CareCaseListItem, MyCareCase)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from pydantic import Field

from ..core.api import Day, Out, PageQuery, QuerySchema, RowId, Schema, Timestamp
from ..core.timeutil import LocalTime
from .models import CareCategory, CareDecisionKind, CareDecisionStep, CareGrantKind, CareOpener, CareStage

MAX_FEN = 10**12  # ten billion yuan: beyond any grant or income, within BIGINT


class CareCaseIn(Schema):
    category: CareCategory
    summary: str = Field(min_length=1, max_length=2000)
    request_id: Optional[RowId] = Field(None, description="The request (诉求) this case grew out of, the member's own.")
    member_employee_no: Optional[str] = Field(
        None, min_length=1, max_length=32,
        description="A liaison (for a member of a grid they serve) or staff (anyone) opening for someone else.")


class CareAssessmentIn(Schema):
    household_size: Optional[int] = Field(None, ge=1, le=50)
    monthly_income_fen: Optional[int] = Field(None, ge=0, le=MAX_FEN, description="The household's, in fen.")
    dependants: Optional[int] = Field(None, ge=0, le=50)
    situation: str = Field(min_length=1, max_length=5000)
    need: str = Field(min_length=1, max_length=2000)


class CareDocumentIn(Schema):
    """multipart/form-data: one image (JPEG, PNG, WebP) or PDF, at most 5 MB, in the part named ``file``."""

    file: bytes = Field(json_schema_extra={"format": "binary"})


class CareHandlerIn(Schema):
    member_id: RowId


class CareDecisionIn(Schema):
    decision: CareDecisionKind
    comment: str = Field("", max_length=2000)


class CareGrantIn(Schema):
    kind: CareGrantKind
    amount_fen: Optional[int] = Field(None, ge=1, le=MAX_FEN,
                                      description="Required for money (an expense entry in the fund ledger); "
                                                  "the value of goods or a service, if known.")
    description: str = Field(min_length=1, max_length=1000)


class CareVisitIn(Schema):
    visited_at: Timestamp
    visitors: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=5000)
    next_visit_due: Optional[Day] = None


class CareCloseIn(Schema):
    outcome: str = Field(min_length=1, max_length=2000)


class CareCaseQuery(PageQuery):
    stage: Optional[CareStage] = None
    category: Optional[CareCategory] = None
    mine: bool = Field(False, description="Only the cases I handle.")


class CareStatsQuery(QuerySchema):
    year: Optional[int] = Field(None, ge=2000, le=2999, description="Cases opened that year (Asia/Shanghai).")


# --- out ---------------------------------------------------------------------------------------------

class CarePerson(Out):
    id: int
    name: str


class CareOpenerOut(Out):
    id: int
    name: str
    role: CareOpener


class CareMemberOut(Out):
    id: int
    name: str
    employee_no: str
    department: Optional[str]
    grid: Optional[str]


class CareAssessmentOut(Out):
    household_size: Optional[int]
    monthly_income_fen: Optional[int]
    dependants: Optional[int]
    situation: str
    need: str
    assessed_at: LocalTime


class CareDocumentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: LocalTime
    uploaded_by: Optional[CarePerson]


class CareDecisionOut(Out):
    step: CareDecisionStep
    decision: CareDecisionKind
    comment: Optional[str]
    round: int
    decided_by: CarePerson
    decided_at: LocalTime


class CareGrantOut(Out):
    id: int
    kind: CareGrantKind
    amount_fen: Optional[int]
    description: Optional[str]
    fund_entry_id: Optional[int]
    fund_entry_status: Optional[str] = Field(description="pending, approved or rejected in the fund ledger.")
    granted_at: LocalTime
    granted_by: CarePerson


class CareVisitOut(Out):
    id: int
    visited_at: LocalTime
    visitors: Optional[str]
    notes: Optional[str]
    next_visit_due: Optional[date]
    recorded_by: CarePerson


class CareCaseOut(Out):
    id: int
    member: CareMemberOut
    category: CareCategory
    summary: Optional[str]
    stage: CareStage
    stage_label: str
    opened_by: CareOpenerOut
    opened_at: LocalTime
    updated_at: LocalTime
    handlers: list[CarePerson]
    assessment: Optional[CareAssessmentOut]
    documents: list[CareDocumentOut]
    decisions: list[CareDecisionOut]
    grants: list[CareGrantOut]
    visits: list[CareVisitOut]
    next_visit_due: Optional[date]
    request_id: Optional[int]
    purged: bool
    closed_at: Optional[LocalTime]
    outcome: Optional[str]
    round: int = Field(description="Each return by the chair starts a new round of the two steps.")
    can_decide: Optional[CareDecisionStep] = Field(
        description="The step the signed-in person may decide now, or null (four eyes and the stage considered).")


class CareCaseListItem(Out):
    id: int
    member_name: str
    department: Optional[str]
    category: CareCategory
    stage: CareStage
    handlers: list[str]
    opened_at: LocalTime
    updated_at: LocalTime
    next_visit_due: Optional[date]


class CareCasePage(Out):
    items: list[CareCaseListItem]
    page: int
    per_page: int
    total: int


class CareTimelineItem(Out):
    stage: CareStage
    at: LocalTime


class MyCareCase(Out):
    id: int
    category: CareCategory
    stage: CareStage
    stage_label: str
    next_step: str
    opened_at: LocalTime
    updated_at: LocalTime
    timeline: list[CareTimelineItem]


class MyCareCasePage(Out):
    items: list[MyCareCase]
    page: int
    per_page: int
    total: int


class CareReadOut(Out):
    id: int
    at: LocalTime
    action: str = Field(description="read (the case page) or download (a document).")
    actor: Optional[CarePerson]
    document_id: Optional[int]


class CareReadPage(Out):
    items: list[CareReadOut]
    page: int
    per_page: int
    total: int


class CareGrantTotal(Out):
    count: int
    amount_fen: int


class CareStatsOut(Out):
    year: Optional[int]
    opened: int = Field(description="Cases opened in the year (all years when none is given).")
    by_stage: dict[str, int]
    by_category: dict[str, int]
    grants: dict[str, CareGrantTotal] = Field(description="By kind (money, goods, service), every kind listed.")
    closed: int
