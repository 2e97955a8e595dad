"""Fund ledger shapes. Every amount is an integer number of fen (分), in and out; never a float."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional

from pydantic import Field, model_validator

from ..core.api import Day, Out, PageQuery, QuerySchema, RowId, Schema
from ..core.timeutil import LocalTime
from .models import FundEntryStatus, FundKind

MONTH_PATTERN = r"^2\d{3}-(0[1-9]|1[0-2])$"
# At most a trillion yuan in one entry: sums of millions of them stay far inside a 64-bit integer.
MAX_FEN = 100_000_000_000_000
Fen = Field(ge=1, le=MAX_FEN, description="Amount in fen (1 yuan = 100 fen), an integer > 0.")
UploadId = Annotated[str, Field(min_length=1, max_length=32)]
CategoryCode = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z_.-]+$")


class FundPersonOut(Out):
    id: int
    name: str


# --- categories -------------------------------------------------------------------------------------

class FundCategoryIn(Schema):
    code: str = CategoryCode
    kind: FundKind
    name: str = Field(min_length=1, max_length=40)


class FundCategoryPatch(Schema):
    name: Optional[str] = Field(None, min_length=1, max_length=40)
    active: Optional[bool] = None


class FundCategoryOut(Out):
    code: str
    kind: FundKind
    name: str
    active: bool


class FundCategoryList(Out):
    items: list[FundCategoryOut]


# --- entries ----------------------------------------------------------------------------------------

class FundEntryIn(Schema):
    date: Day
    kind: FundKind
    category: str = CategoryCode
    amount_fen: int = Fen
    counterparty: str = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=500)
    reverses: Optional[RowId] = Field(None, description="The earlier entry this one takes back (a correction).")
    attachments: list[UploadId] = Field([], max_length=10, description="Upload ids of invoices (images or PDFs).")


class FundEntryPatch(Schema):
    date: Optional[Day] = None
    kind: Optional[FundKind] = None
    category: Optional[str] = Field(None, min_length=1, max_length=20, pattern=r"^[0-9A-Za-z_.-]+$")
    amount_fen: Optional[int] = Field(None, ge=1, le=MAX_FEN)
    counterparty: Optional[str] = Field(None, min_length=1, max_length=100)
    note: Optional[str] = Field(None, max_length=500)

    @model_validator(mode="after")
    def _no_nulls(self):
        for name in ("date", "kind", "category", "amount_fen", "counterparty", "note"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: 不能为空")
        return self


class FundRejectIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class FundEntryOut(Out):
    id: int
    date: dt.date
    month: str
    kind: FundKind
    category: str
    category_name: str
    amount_fen: int
    amount: str = Field(description="The amount in yuan with two decimals, as text (exact).")
    counterparty: str
    note: str
    reverses: Optional[int]
    reversed_fen: int = Field(description="How much of this entry reversals take back.")
    status: FundEntryStatus
    attachments: list[str]
    created_by: Optional[FundPersonOut]
    created_at: LocalTime
    decided_by: Optional[FundPersonOut]
    decided_at: Optional[LocalTime]
    reject_reason: Optional[str]
    published: bool = Field(description="Whether its month is published (sealed).")


class FundEntryPage(Out):
    items: list[FundEntryOut]
    page: int
    per_page: int
    total: int


class FundEntryQuery(PageQuery):
    month: Optional[str] = Field(None, max_length=7, pattern=MONTH_PATTERN)
    year: Optional[int] = Field(None, ge=2000, le=2999)
    kind: Optional[FundKind] = None
    category: Optional[str] = Field(None, max_length=20)
    status: Optional[FundEntryStatus] = None


class FundExportQuery(QuerySchema):
    month: Optional[str] = Field(None, max_length=7, pattern=MONTH_PATTERN)
    year: Optional[int] = Field(None, ge=2000, le=2999)
    format: Literal["xlsx", "csv"] = "xlsx"

    @model_validator(mode="after")
    def _one_period(self):
        if (self.month is None) == (self.year is None):
            raise ValueError("month: 请指定 month 或 year 之一")
        return self


# --- months -----------------------------------------------------------------------------------------

class FundCategoryTotal(Out):
    category: str
    name: str
    kind: FundKind
    amount_fen: int


class FundMonthPublished(Out):
    month: str
    income_fen: int
    expense_fen: int
    by_category: list[FundCategoryTotal]
    hash: str
    prev_hash: Optional[str]


class FundMonthEntryOut(Out):
    id: int
    date: dt.date
    kind: FundKind
    category: str
    category_name: str
    amount_fen: int
    counterparty: str
    note: str
    reverses: Optional[int] = Field(description="Set on a reversal: the entry it takes back (counted negatively).")


class FundMonthSummary(Out):
    month: str
    income_fen: int
    expense_fen: int
    balance_fen: int = Field(description="income_fen - expense_fen")
    entries_count: int
    hash: str
    prev_hash: Optional[str]
    published_at: LocalTime


class FundMonthOut(FundMonthSummary):
    by_category: list[FundCategoryTotal]
    entries: list[FundMonthEntryOut]


class FundMonthPage(Out):
    items: list[FundMonthSummary]
    page: int
    per_page: int
    total: int


class FundVerifyOut(Out):
    ok: bool
    broken_at: Optional[str] = Field(description="The first month whose stored rows no longer match its hash.")


# --- budgets ----------------------------------------------------------------------------------------

class FundBudgetItemIn(Schema):
    category: str = CategoryCode
    amount_fen: int = Field(ge=0, le=MAX_FEN)


class FundBudgetIn(Schema):
    items: list[FundBudgetItemIn] = Field(max_length=200)


class FundBudgetLine(Out):
    category: str
    name: str
    kind: FundKind
    budget_fen: Optional[int]
    actual_fen: int
    rate: Optional[str] = Field(description="actual / budget in percent with two decimals, e.g. \"45.20\"; "
                                            "null without a budget.")


class FundBudgetReport(Out):
    year: int
    includes_unpublished: bool = Field(description="Whether actual amounts include months not yet published "
                                                   "(treasurer and admin); members see published months only.")
    items: list[FundBudgetLine]
