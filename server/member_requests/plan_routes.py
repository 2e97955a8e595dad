"""HTTP for the quarterly service plan and the request statistics (staff). Paths under /requests/… that are
not a number never reach the request routes, which take ``<int:request_id>``."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

from flask import g
from pydantic import Field, model_validator

from ..core import exports
from ..core.api import Day, Out, PageQuery, QuerySchema, RowId, Schema, api
from ..core.errors import invalid_request
from ..core.timeutil import SHANGHAI, LocalTime, utcnow
from . import bp, plan, stats
from .models import RequestCategory
from .plan_models import PlanItemStatus

QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
Quarter = Annotated[str, Field(max_length=6, pattern=QUARTER_PATTERN, description="2026Q4")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- schemas -----------------------------------------------------------------------------------------

class PlanQuarterQuery(QuerySchema):
    quarter: Optional[Quarter] = Field(None, description="2026Q4; default: this quarter")

    def value(self) -> str:
        return self.quarter or plan.current_quarter(utcnow())


class PlanListQuery(PageQuery):
    quarter: Optional[Quarter] = Field(None, description="2026Q4; default: this quarter")

    def value(self) -> str:
        return self.quarter or plan.current_quarter(utcnow())


class PlanGridRef(Out):
    id: int
    name: str


class PlanMemberRef(Out):
    id: int
    name: str


class PlanNeedOut(Out):
    category: RequestCategory
    category_label: str
    grid: Optional[PlanGridRef]
    this_quarter: int
    last_quarter: int
    change: int


class PlanNeedsOut(Out):
    quarter: str
    previous: str
    items: list[PlanNeedOut]


class PlanItemIn(Schema):
    quarter: Quarter
    category: RequestCategory
    grid_id: Optional[RowId] = None
    title: str = Field(min_length=1, max_length=100)
    description: Optional[str] = Field(None, max_length=2000)
    owner_id: RowId
    due_on: Day
    # The requests the item answers; omitted: every request of the category (and grid) in the quarter.
    request_ids: Optional[list[RowId]] = Field(None, max_length=1000)


class PlanItemPatch(Schema):
    title: Optional[str] = Field(None, min_length=1, max_length=100)
    description: Optional[str] = Field(None, max_length=2000)
    owner_id: Optional[RowId] = None
    due_on: Optional[Day] = None
    status: Optional[PlanItemStatus] = None

    @model_validator(mode="after")
    def _no_nulls(self):
        for name in ("title", "owner_id", "due_on", "status"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: 不能为空")
        return self


class PlanItemOut(Out):
    id: int
    quarter: str
    category: RequestCategory
    category_label: str
    grid: Optional[PlanGridRef]
    title: str
    description: Optional[str]
    owner: PlanMemberRef
    due_on: date
    status: PlanItemStatus
    status_label: str
    request_count: int
    created_at: LocalTime


class PlanPage(Out):
    quarter: str
    items: list[PlanItemOut]
    page: int
    per_page: int
    total: int


class RequestStatsQuery(QuerySchema):
    from_: Optional[Day] = Field(None, alias="from", description="first day (Asia/Shanghai); default: the quarter's")
    to: Optional[Day] = Field(None, description="last day, included; default: today")


class RequestGroupStats(Out):
    key: str
    label: str
    count: int
    first_response_hours_median: Optional[float]
    first_response_hours_p90: Optional[float]
    resolution_hours_median: Optional[float]
    resolution_hours_p90: Optional[float]
    on_time_rate: Optional[float]
    resolved_rate: Optional[float]


class RequestStatsOut(Out):
    model_config = {"from_attributes": True, "serialize_by_alias": True, "populate_by_name": True}

    from_: date = Field(alias="from")
    to: date
    total: RequestGroupStats
    by_category: list[RequestGroupStats]
    by_grid: list[RequestGroupStats]


def item_out(row) -> PlanItemOut:
    item, owner_name, grid_name, count = row
    return PlanItemOut(
        id=item.id, quarter=item.quarter, category=item.category,
        category_label=RequestCategory(item.category).label,
        grid=PlanGridRef(id=item.grid_id, name=grid_name) if item.grid_id is not None else None, title=item.title,
        description=item.description, owner=PlanMemberRef(id=item.owner_id, name=owner_name), due_on=item.due_on,
        status=item.status, status_label=PlanItemStatus(item.status).label, request_count=count or 0,
        created_at=item.created_at)


# --- routes ------------------------------------------------------------------------------------------

@bp.get("/requests/plan/needs")
@api(roles=["staff"], query=PlanQuarterQuery, out=PlanNeedsOut)
def plan_needs(query: PlanQuarterQuery):
    """Common needs of the quarter by category and grid, with last quarter's count and the change (staff)."""
    quarter = query.value()
    return PlanNeedsOut(quarter=quarter, previous=plan.previous_quarter(quarter), items=plan.needs(quarter))


@bp.get("/requests/plan")
@api(roles=["staff"], query=PlanListQuery, out=PlanPage)
def plan_items(query: PlanListQuery):
    """The quarter's service plan (staff), by due date."""
    quarter = query.value()
    rows, total = plan.list_items(quarter, query.page, query.per_page)
    return PlanPage(quarter=quarter, items=[item_out(r) for r in rows], page=query.page, per_page=query.per_page,
                    total=total)


@bp.post("/requests/plan")
@api(roles=["staff"], body=PlanItemIn, out=PlanItemOut, status=201, errors=["invalid_request"])
def adopt_plan_item(body: PlanItemIn):
    """Adopt an item into the quarter's plan; the members who raised the linked requests are told (staff)."""
    item = plan.create_item(g.member.id, **body.model_dump())
    return item_out(plan.item_row(item.id))


@bp.patch("/requests/plan/<int:item_id>")
@api(roles=["staff"], body=PlanItemPatch, out=PlanItemOut, errors=["not_found", "invalid_request"])
def update_plan_item(item_id: int, body: PlanItemPatch):
    """Change an item's title, description, owner, due date or status (staff)."""
    plan.update_item(item_id, body.model_dump(exclude_unset=True))
    return item_out(plan.item_row(item_id))


@bp.get("/requests/plan/export.xlsx")
@api(roles=["staff"], query=PlanQuarterQuery, produces=[XLSX])
def export_plan(query: PlanQuarterQuery):
    """The quarter's plan as a spreadsheet (staff)."""
    quarter = query.value()
    return exports.download(plan.export_rows(quarter), plan.EXPORT_HEADERS, "xlsx", sheet="服务计划",
                            ascii_name=f"service-plan-{quarter}", filename=f"{quarter}服务计划")


@bp.get("/requests/stats")
@api(roles=["staff"], query=RequestStatsQuery, out=RequestStatsOut, errors=["invalid_request"])
def request_stats(query: RequestStatsQuery):
    """Response and resolution times, on-time and resolved rates by category and grid; groups under 5
    requests merged into "other" (staff)."""
    today = utcnow().astimezone(SHANGHAI).date()
    end = query.to or today
    start = query.from_ or date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    if start > end:
        raise invalid_request({"from": "开始日期不能晚于结束日期"})
    if (end - start).days > 3660:
        raise invalid_request({"to": "统计区间最长十年"})
    return RequestStatsOut(**stats.request_stats(start, end))
