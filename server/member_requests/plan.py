"""The quarterly service plan (docs/requests.md "Service plan"): common needs counted in SQL by category and
grid against the previous quarter; staff adopt items with an owner and a due date, linking the requests an
item answers; the members who raised them are told in one notice; the plan exported as XLSX."""
from __future__ import annotations

import re
from datetime import date, datetime, time

from sqlalchemy import case, func, insert, literal, select
from sqlalchemy.orm import aliased

from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise
from ..core.timeutil import SHANGHAI
from ..members.models import Grid, Member
from .jobs import notify
from .models import Request, RequestCategory
from .plan_models import PlanItemStatus, ServicePlanItem, ServicePlanRequest

QUARTER = re.compile(r"(\d{4})Q([1-4])")


def quarter_span(quarter: str) -> tuple[datetime, datetime]:
    """[first day 00:00, next quarter's first day 00:00) in Asia/Shanghai."""
    m = QUARTER.fullmatch(quarter)
    if not m:
        raise invalid_request({"quarter": "格式应为 2026Q4"})
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return datetime.combine(start, time(0), SHANGHAI), datetime.combine(end, time(0), SHANGHAI)


def previous_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[5])
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def current_quarter(now: datetime) -> str:
    local = now.astimezone(SHANGHAI)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def needs(quarter: str) -> list[dict]:
    """Per category and grid: requests raised this quarter and last, and the change; one statement."""
    start, end = quarter_span(quarter)
    prev_start, _ = quarter_span(previous_quarter(quarter))
    this_q = func.sum(case((Request.created_at >= start, 1), else_=0))
    last_q = func.sum(case((Request.created_at < start, 1), else_=0))
    rows = db.session.execute(
        select(Request.category, Request.grid_id, Grid.name, this_q.label("this"), last_q.label("last"))
        .outerjoin(Grid, Grid.id == Request.grid_id)
        .where(Request.created_at >= prev_start, Request.created_at < end)
        .group_by(Request.category, Request.grid_id, Grid.name)
    ).all()
    labels = RequestCategory.labels()
    items = [{"category": c, "category_label": labels[c], "grid": {"id": g, "name": name} if g is not None else None,
              "this_quarter": int(t or 0), "last_quarter": int(lq or 0), "change": int(t or 0) - int(lq or 0)}
             for c, g, name, t, lq in rows]
    # The most asked first; ties by the growth, then stable by category and grid.
    items.sort(key=lambda i: (-i["this_quarter"], -i["change"], i["category"], (i["grid"] or {}).get("name") or ""))
    return items


# --- items ---------------------------------------------------------------------------------------------

def not_found() -> AppError:
    return AppError("not_found", "服务计划事项不存在")


def _check_refs(owner_id: int | None, grid_id: int | None) -> None:
    bad = {}
    if owner_id is not None and db.session.scalar(
            select(Member.id).where(Member.id == owner_id, Member.is_active.is_(True))) is None:
        bad["owner_id"] = "负责人不存在"
    if grid_id is not None and db.session.get(Grid, grid_id) is None:
        bad["grid_id"] = "网格不存在"
    if bad:
        raise invalid_request(bad)


def create_item(created_by: int, *, quarter: str, category: str, grid_id: int | None, title: str,
                description: str | None, owner_id: int, due_on: date, request_ids: list[int] | None) -> ServicePlanItem:
    """Adopt an item. ``request_ids`` None: it answers every request of the category (and grid, if given)
    raised in the quarter. The members who raised the linked requests get one notice."""
    start, end = quarter_span(quarter)
    _check_refs(owner_id, grid_id)
    item = ServicePlanItem(quarter=quarter, category=category, grid_id=grid_id, title=title, description=description,
                           owner_id=owner_id, due_on=due_on, status=PlanItemStatus.planned, created_by=created_by)
    db.session.add(item)
    db.session.flush()
    if request_ids is None:
        conds = [Request.category == category, Request.created_at >= start, Request.created_at < end]
        if grid_id is not None:
            conds.append(Request.grid_id == grid_id)
        linked = select(literal(item.id), Request.id).where(*conds)
    else:
        ids = sorted(set(request_ids))
        found = set(db.session.scalars(select(Request.id).where(Request.id.in_(ids)))) if ids else set()
        if missing := [i for i in ids if i not in found]:
            raise invalid_request({"request_ids": "诉求不存在：" + "、".join(map(str, missing[:20]))})
        linked = select(literal(item.id), Request.id).where(Request.id.in_(ids))
    db.session.execute(insert(ServicePlanRequest).from_select(["item_id", "request_id"], linked))
    members = db.session.scalars(select(Request.member_id).distinct().join(
        ServicePlanRequest, ServicePlanRequest.request_id == Request.id).where(ServicePlanRequest.item_id == item.id))
    owner = db.session.get(Member, owner_id)
    notify(members, "您的诉求已纳入工会服务计划",
           f"您反映的“{RequestCategory(category).label}”方面的诉求已纳入工会{quarter}服务计划：「{title}」，"
           f"由{owner.name}负责，计划于{due_on.month}月{due_on.day}日前完成。感谢您的反映！")
    return item


def update_item(item_id: int, fields: dict) -> ServicePlanItem:
    item = get_or_raise(ServicePlanItem, item_id, not_found, lock=True)
    _check_refs(fields.get("owner_id"), None)
    for key, value in fields.items():
        setattr(item, key, value)
    db.session.flush()
    return item


def _items(*conds):
    """Items with their owner's name, grid's name and linked-request count: one statement."""
    owner = aliased(Member)
    linked = (select(func.count()).where(ServicePlanRequest.item_id == ServicePlanItem.id)
              .correlate(ServicePlanItem).scalar_subquery())
    stmt = (select(ServicePlanItem, owner.name, Grid.name, linked)
            .join(owner, owner.id == ServicePlanItem.owner_id)
            .outerjoin(Grid, Grid.id == ServicePlanItem.grid_id)
            .where(*conds).order_by(ServicePlanItem.due_on, ServicePlanItem.id))
    return stmt


def list_items(quarter: str, page: int | None = None, per_page: int | None = None) -> tuple[list, int]:
    """The quarter's items (a page of them, or all), in two statements."""
    quarter_span(quarter)
    total = db.session.scalar(select(func.count()).select_from(ServicePlanItem)
                              .where(ServicePlanItem.quarter == quarter)) or 0
    stmt = _items(ServicePlanItem.quarter == quarter)
    if page is not None:
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    return db.session.execute(stmt).all(), total


def item_row(item_id: int):
    row = db.session.execute(_items(ServicePlanItem.id == item_id)).first()
    if row is None:
        raise not_found()
    return row


EXPORT_HEADERS = ["季度", "类别", "网格", "事项", "说明", "负责人", "完成期限", "状态", "关联诉求数", "创建时间"]


def export_rows(quarter: str) -> list[list]:
    from ..core.exports import local_text

    rows, _ = list_items(quarter)
    labels, statuses = RequestCategory.labels(), PlanItemStatus.labels()
    return [[i.quarter, labels[i.category], grid or "全部网格", i.title, i.description or "", owner, i.due_on,
             statuses[i.status], n, local_text(i.created_at)] for i, owner, grid, n in rows]
