from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field

from ..core.api import Out, PageQuery, RowId, Schema
from ..core.timeutil import LocalTime
from .models import ProcurementStatus

Fen = Annotated[int, Field(gt=0, le=10**15, description="Fen (1/100 yuan), an integer.")]
Month = Annotated[str, Field(min_length=7, max_length=7, pattern=r"^20\d\d-(0[1-9]|1[0-2])$", description="YYYY-MM")]
ProcurementUploadId = Annotated[str, Field(min_length=1, max_length=32)]


class ProcurementIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    category: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z_.-]+$",
                          description="An active expense category code of the fund's chart (e.g. 501).")
    amount_fen: Fen = Field(description="The estimated amount, in fen.")
    representatives: list[RowId] = Field(default_factory=list, max_length=20,
                                         description="Member ids of the named worker representatives.")


class ProcurementQuoteIn(Schema):
    supplier: str = Field(min_length=1, max_length=100)
    amount_fen: Fen
    note: str = Field("", max_length=2000)
    attachments: list[ProcurementUploadId] = Field(default_factory=list, max_length=6,
                                                   description="Upload ids (POST /uploads): the quote sheet.")


class ProcurementDecideIn(Schema):
    quote_id: RowId
    reason: str = Field(min_length=1, max_length=2000)


class ProcurementQuery(PageQuery):
    month: Optional[Month] = None
    status: Optional[ProcurementStatus] = None


class ProcurementPerson(Out):
    id: int
    name: str


class ProcurementRepresentativeOut(Out):
    id: int
    name: str
    confirmed_at: Optional[LocalTime]


class ProcurementQuoteOut(Out):
    id: int
    supplier: str
    amount_fen: int
    note: str
    attachments: list[str]
    chosen: bool
    created_at: LocalTime


class ProcurementOut(Out):
    id: int
    title: str
    description: str
    category: str
    amount_fen: int
    status: ProcurementStatus
    quotes_required: int = Field(description="Quotes the decision needs: 3 at or over the threshold, else 1.")
    representatives_required: int = Field(description="Named representatives who must all have confirmed "
                                                      "before the decision: 2 at or over the threshold, else 0.")
    representatives: list[ProcurementRepresentativeOut]
    quotes: list[ProcurementQuoteOut]
    chosen_quote_id: Optional[int]
    reason: Optional[str]
    decided_at: Optional[LocalTime]
    decided_by: Optional[ProcurementPerson]
    month: Optional[str] = Field(description="The fund month it is published with (the decision's).")
    published: bool = Field(description="Whether that month is published.")
    i_represent: bool = Field(description="Whether the caller is a named representative.")
    i_confirmed: bool
    created_at: LocalTime


class ProcurementPage(Out):
    items: list[ProcurementOut]
    page: int
    per_page: int
    total: int
