"""Rows → output models; a page in a fixed number of statements."""
from __future__ import annotations

from . import chain, services
from .chain import month_of
from .models import FundEntry, FundMonth
from .schemas import (
    FundCategoryTotal,
    FundEntryOut,
    FundMonthEntryOut,
    FundMonthOut,
    FundMonthPublished,
    FundMonthSummary,
    FundPersonOut,
)


def entries_out(entries: list[FundEntry]) -> list[FundEntryOut]:
    people = services.names([e.created_by for e in entries] + [e.decided_by for e in entries])
    cats = services.category_names()
    att = chain.attachments_of([e.id for e in entries])
    sealed = services.published_months_of(entries)

    def person(i):
        return FundPersonOut(id=i, name=people.get(i, "")) if i else None

    return [FundEntryOut(id=e.id, date=e.date, month=month_of(e.date), kind=e.kind, category=e.category,
                         category_name=cats.get(e.category, ""), amount_fen=e.amount_fen,
                         amount=services.fen_text(e.amount_fen), counterparty=e.counterparty, note=e.note or "",
                         reverses=e.reverses, reversed_fen=e.reversed_fen, status=e.status,
                         attachments=att.get(e.id, []), created_by=person(e.created_by), created_at=e.created_at,
                         decided_by=person(e.decided_by), decided_at=e.decided_at, reject_reason=e.reject_reason,
                         published=month_of(e.date) in sealed)
            for e in entries]


def entry_out(entry: FundEntry) -> FundEntryOut:
    return entries_out([entry])[0]


def category_totals(month: str) -> list[FundCategoryTotal]:
    first, after = chain.month_bounds(month)
    return [FundCategoryTotal(category=c, name=n, kind=k, amount_fen=t) for c, n, k, t in
            services.by_category(first, after)]


def published_out(row: FundMonth) -> FundMonthPublished:
    return FundMonthPublished(month=row.month, income_fen=row.income_fen, expense_fen=row.expense_fen,
                              by_category=category_totals(row.month), hash=row.hash, prev_hash=row.prev_hash)


def summary_out(row: FundMonth) -> FundMonthSummary:
    return FundMonthSummary(month=row.month, income_fen=row.income_fen, expense_fen=row.expense_fen,
                            balance_fen=row.income_fen - row.expense_fen, entries_count=row.entries_count,
                            hash=row.hash, prev_hash=row.prev_hash, published_at=row.published_at)


def month_out(row: FundMonth) -> FundMonthOut:
    cats = services.category_names()
    entries = [FundMonthEntryOut(id=e.id, date=e.date, kind=e.kind, category=e.category,
                                 category_name=cats.get(e.category, ""), amount_fen=e.amount_fen,
                                 counterparty=e.counterparty, note=e.note or "", reverses=e.reverses)
               for e in services.month_entries(row.month)]
    return FundMonthOut(**summary_out(row).model_dump(), by_category=category_totals(row.month), entries=entries)
