"""HTTP for the union fund ledger (API.md "Union fund (经费) ledger")."""
from __future__ import annotations

import re

from flask import Response, g

from ..core import exports
from ..core.api import PageQuery, api
from ..core.errors import invalid_request
from . import bp, chain, services
from .presenters import entries_out, entry_out, month_out, published_out, summary_out
from .schemas import (
    FundBudgetIn,
    FundBudgetLine,
    FundBudgetReport,
    FundCategoryIn,
    FundCategoryList,
    FundCategoryOut,
    FundCategoryPatch,
    FundEntryIn,
    FundEntryOut,
    FundEntryPage,
    FundEntryPatch,
    FundEntryQuery,
    FundExportQuery,
    FundMonthOut,
    FundMonthPage,
    FundMonthPublished,
    FundRejectIn,
    FundVerifyOut,
)

LEDGER = ["admin", "treasurer"]
_MONTH = re.compile(r"2\d{3}-(0[1-9]|1[0-2])")


def _month(value: str) -> str:
    if not _MONTH.fullmatch(value):
        raise invalid_request({"month": "月份格式应为 YYYY-MM，例如 2026-11"})
    return value


def _year(value: int) -> int:
    if not 2000 <= value <= 2999:
        raise invalid_request({"year": "年份超出范围（2000–2999 年）"})
    return value


# --- categories -------------------------------------------------------------------------------------

@bp.get("/fund/categories")
@api(roles=["member"], out=FundCategoryList)
def list_categories():
    """The chart of categories (income 4xx, expense 5xx after the union accounting rules), inactive included."""
    return FundCategoryList(items=[FundCategoryOut.model_validate(c) for c in services.categories()])


@bp.post("/fund/categories")
@api(roles=["admin"], body=FundCategoryIn, out=FundCategoryOut, status=201, errors=["category_exists"])
def add_category(body: FundCategoryIn):
    """A new category of the chart."""
    return FundCategoryOut.model_validate(services.add_category(g.member.id, body.code, body.kind, body.name))


@bp.patch("/fund/categories/<code>")
@api(roles=["admin"], body=FundCategoryPatch, out=FundCategoryOut, errors=["not_found"])
def patch_category(code: str, body: FundCategoryPatch):
    """Rename a category or (de)activate it; an inactive one takes no new entries."""
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return FundCategoryOut.model_validate(services.update_category(g.member.id, code, changes))


@bp.delete("/fund/categories/<code>")
@api(roles=["admin"], status=204, errors=["not_found", "invalid_transition"])
def delete_category(code: str):
    """Delete a category nothing uses; a used one is deactivated instead (409 invalid_transition)."""
    services.delete_category(g.member.id, code)
    return Response(status=204)


# --- entries ----------------------------------------------------------------------------------------

@bp.post("/fund/entries")
@api(roles=LEDGER, body=FundEntryIn, out=FundEntryOut, status=201,
     errors=["month_published", "reversal_exceeds", "invalid_attachment"])
def create_entry(body: FundEntryIn):
    """Record an income or expense in fen; above FUND_APPROVAL_THRESHOLD_FEN it waits for an admin's
    approval. ``reverses`` makes it a correction of an earlier entry (counted negatively)."""
    return entry_out(services.create_entry(g.member.id, **body.model_dump()))


@bp.get("/fund/entries")
@api(roles=LEDGER, query=FundEntryQuery, out=FundEntryPage)
def list_entries(query: FundEntryQuery):
    """Entries, newest first, by month or year, kind, category and status."""
    rows, total = services.list_entries(query.page, query.per_page, month=query.month, year=query.year,
                                        kind=query.kind, category=query.category, status=query.status)
    return FundEntryPage(items=entries_out(rows), page=query.page, per_page=query.per_page, total=total)


EXPORT_HEADERS = ["编号", "日期", "类型", "科目编码", "科目", "金额（元）", "金额（分）", "对方单位/个人", "摘要",
                  "冲销分录", "状态"]


@bp.get("/fund/entries/export")
@api(roles=LEDGER, query=FundExportQuery,
     produces=["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"])
def export_entries(query: FundExportQuery):
    """A month's or a year's entries as XLSX or CSV: yuan as exact text with two decimals, and fen as integers."""
    from .models import FundEntryStatus, FundKind

    cats = services.category_names()
    rows = [[e.id, e.date.isoformat(), FundKind(e.kind).label, e.category, cats.get(e.category, ""),
             services.fen_text(-e.amount_fen if e.reverses else e.amount_fen),
             -e.amount_fen if e.reverses else e.amount_fen, e.counterparty, e.note or "",
             e.reverses or "", FundEntryStatus(e.status).label]
            for e in services.all_entries(month=query.month, year=query.year)]
    period = query.month or str(query.year)
    return exports.download(rows, EXPORT_HEADERS, query.format, sheet="经费收支明细",
                            ascii_name=f"fund-{period}", filename=f"经费收支明细-{period}")


@bp.get("/fund/entries/<int:entry_id>")
@api(roles=LEDGER, out=FundEntryOut, errors=["not_found"])
def get_entry(entry_id: int):
    """One entry with its invoices' upload ids."""
    return entry_out(services.get_entry(entry_id))


@bp.patch("/fund/entries/<int:entry_id>")
@api(roles=LEDGER, body=FundEntryPatch, out=FundEntryOut,
     errors=["not_found", "month_published", "reversal_exceeds", "entry_reversed"])
def patch_entry(entry_id: int, body: FundEntryPatch):
    """Change an entry of a month not yet published (409 month_published otherwise)."""
    return entry_out(services.update_entry(g.member.id, entry_id, body.model_dump(exclude_unset=True)))


@bp.delete("/fund/entries/<int:entry_id>")
@api(roles=LEDGER, status=204, errors=["not_found", "month_published", "entry_reversed"])
def delete_entry(entry_id: int):
    """Delete an entry of a month not yet published (409 month_published otherwise)."""
    services.delete_entry(g.member.id, entry_id)
    return Response(status=204)


@bp.post("/fund/entries/<int:entry_id>/approve")
@api(roles=["admin"], out=FundEntryOut, errors=["not_found", "month_published", "self_approval",
                                               "invalid_transition"])
def approve_entry(entry_id: int):
    """Approve a pending entry; never by the admin who created or last changed it (403 self_approval)."""
    return entry_out(services.decide(g.member.id, entry_id, True))


@bp.post("/fund/entries/<int:entry_id>/reject")
@api(roles=["admin"], body=FundRejectIn, out=FundEntryOut,
     errors=["not_found", "month_published", "self_approval", "invalid_transition"])
def reject_entry(entry_id: int, body: FundRejectIn):
    """Reject a pending entry with a reason; it stays (rejected) until changed or deleted."""
    return entry_out(services.decide(g.member.id, entry_id, False, body.reason))


# --- months -----------------------------------------------------------------------------------------

@bp.post("/fund/months/<month>/publish")
@api(roles=["admin"], out=FundMonthPublished,
     errors=["month_published", "month_not_over", "entries_pending", "previous_month_unpublished"])
def publish_month(month: str):
    """Publish (seal) an ended month: its hash covers its entries and the previous month's hash; every
    member is told."""
    return published_out(services.publish(g.member.id, _month(month)))


@bp.get("/fund/months")
@api(roles=["member"], query=PageQuery, out=FundMonthPage)
def list_months(query: PageQuery):
    """Published months, latest first, with their totals."""
    rows, total = services.list_months(query.page, query.per_page)
    return FundMonthPage(items=[summary_out(r) for r in rows], page=query.page, per_page=query.per_page, total=total)


@bp.get("/fund/months/<month>")
@api(roles=["member"], out=FundMonthOut, errors=["not_found"])
def get_month(month: str):
    """A published month (经费收支明细): totals, by category, every entry; 404 until published."""
    return month_out(services.get_month(_month(month)))


@bp.get("/fund/months/<month>/statement.pdf")
@api(roles=["staff", "treasurer"], produces=["application/pdf"], errors=["not_found", "poster_font_missing"])
def month_statement(month: str):
    """The published month as a printable A4 statement (PDF) with its hash and a QR code to the online page."""
    from flask import current_app

    from . import statement

    row = services.get_month(_month(month))
    pdf = statement.render(row, font_path=current_app.config.get("FONT_PATH"))
    resp = Response(pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="fund-{row.month}.pdf"'
    return resp


@bp.get("/fund/verify")
@api(roles=["member"], out=FundVerifyOut)
def verify():
    """Recompute the hash chain from the stored entries: ok, or the first month that no longer matches."""
    ok, broken_at = chain.verify()
    return FundVerifyOut(ok=ok, broken_at=broken_at)


# --- budgets ----------------------------------------------------------------------------------------

@bp.get("/fund/budgets/<int:year>")
@api(roles=["member"], out=FundBudgetReport)
def get_budgets(year: int):
    """The year's budget per category against the actual (approved entries, reversals negative). Members see
    actuals of published months only; the treasurer and admins see every approved entry."""
    full = g.member.has_any_role(LEDGER)
    lines = services.budget_report(_year(year), published_only=not full)
    return FundBudgetReport(year=year, includes_unpublished=full, items=[FundBudgetLine(**x) for x in lines])


@bp.put("/fund/budgets/<int:year>")
@api(roles=["admin"], body=FundBudgetIn, out=FundBudgetReport)
def put_budgets(year: int, body: FundBudgetIn):
    """Set the year's budget: the listed categories' amounts; a category left out has no budget."""
    services.put_budgets(g.member.id, _year(year), [(i.category, i.amount_fen) for i in body.items])
    lines = services.budget_report(year, published_only=False)
    return FundBudgetReport(year=year, includes_unpublished=True, items=[FundBudgetLine(**x) for x in lines])
