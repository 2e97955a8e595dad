"""Input and output shapes of the benefit endpoints (API.md "Benefits and care packs")."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, model_validator

from ..core.api import Out, PageQuery, QuerySchema, RowId, Schema, Timestamp
from ..core.audiences import AudienceIn, AudienceOut
from ..core.timeutil import LocalTime
from .models import BenefitKind, BenefitPhase, BenefitSeason, BenefitStatus, ClaimDelivery, ClaimStatus, RedeemedVia

# A real claim code is under 120 characters; anything longer is not ours.
CODE_MAX = 300
BATCH_MAX = 500
STOCK_MAX = 1_000_000


class BenefitOptionIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    stock: Optional[int] = Field(ge=0, le=STOCK_MAX, description="null: no limit")


class BenefitIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=10000)
    kind: BenefitKind = BenefitKind.seasonal
    season: Optional[BenefitSeason] = None
    audience: Optional[AudienceIn] = None
    options: list[BenefitOptionIn] = Field(min_length=1, max_length=50)
    claim_opens_at: Timestamp
    claim_closes_at: Timestamp
    redeem_until: Timestamp
    allow_workshop_delivery: bool = False
    announce: bool = True

    @model_validator(mode="after")
    def _windows(self):
        if self.claim_closes_at <= self.claim_opens_at:
            raise ValueError("claim_closes_at: 领取截止时间须晚于开始时间")
        if self.redeem_until < self.claim_closes_at:
            raise ValueError("redeem_until: 核销截止时间不能早于领取截止时间")
        return self


class BenefitOptionPatch(Schema):
    id: Optional[RowId] = Field(None, description="An existing option (its stock may only be raised); none: a new one.")
    name: Optional[str] = Field(None, min_length=1, max_length=100)
    description: Optional[str] = Field(None, max_length=2000)
    stock: Optional[int] = Field(None, ge=0, le=STOCK_MAX)


class BenefitPatch(Schema):
    title: Optional[str] = Field(None, min_length=1, max_length=100)
    description: Optional[str] = Field(None, max_length=10000)
    claim_closes_at: Optional[Timestamp] = None
    redeem_until: Optional[Timestamp] = None
    options: Optional[list[BenefitOptionPatch]] = Field(None, max_length=50)


class BenefitQuery(PageQuery):
    scope: Optional[Literal["all", "mine"]] = None
    phase: Optional[BenefitPhase] = None


class BenefitClaimIn(Schema):
    option_id: RowId
    delivery: ClaimDelivery = ClaimDelivery.pickup


class BenefitRedeemIn(Schema):
    claim_code: str = Field(min_length=1, max_length=CODE_MAX)
    scanned_at: Optional[Timestamp] = None


class BenefitBatchItemIn(Schema):
    claim_code: str = Field(min_length=1, max_length=CODE_MAX)
    scanned_at: Timestamp


class BenefitBatchIn(Schema):
    items: list[BenefitBatchItemIn] = Field(min_length=1, max_length=BATCH_MAX)


class BenefitDeliveryIn(Schema):
    delegate_employee_no: str = Field(min_length=1, max_length=50)
    claim_ids: list[RowId] = Field(min_length=1, max_length=BATCH_MAX)


class BenefitClaimQuery(PageQuery):
    status: Optional[ClaimStatus] = None
    delivery: Optional[ClaimDelivery] = None
    department: Optional[str] = Field(None, max_length=100)
    q: Optional[str] = Field(None, max_length=100)
    format: Optional[Literal["json", "xlsx"]] = None


class MyClaimQuery(PageQuery):
    status: Optional[ClaimStatus] = None


class BenefitImageQuery(QuerySchema):
    format: Optional[Literal["json", "png"]] = None


# --- output ---------------------------------------------------------------------------------------

class BenefitOptionOut(Out):
    id: int
    name: str
    description: str
    stock: Optional[int]
    claimed: int
    left: Optional[int]


class BenefitClaimOut(Out):
    id: int
    benefit_id: int
    benefit_title: str
    option_id: int
    option_name: str
    claim_code: str
    status: ClaimStatus
    delivery: ClaimDelivery
    claimed_at: LocalTime
    redeemed_at: Optional[LocalTime]
    redeem_until: LocalTime
    redeemed_via: Optional[RedeemedVia]
    delegate_name: Optional[str]


class BenefitStaffClaimOut(BenefitClaimOut):
    member_name: str
    employee_no: str
    department: Optional[str]


class BenefitOut(Out):
    id: int
    title: str
    description: str
    kind: BenefitKind
    season: Optional[BenefitSeason]
    audience: AudienceOut
    options: list[BenefitOptionOut]
    claim_opens_at: LocalTime
    claim_closes_at: LocalTime
    redeem_until: LocalTime
    allow_workshop_delivery: bool
    status: BenefitStatus
    phase: BenefitPhase
    created_at: LocalTime
    my_claim: Optional[BenefitClaimOut]
    # Staff lists show the rates beside each campaign (null for members).
    claimed_count: Optional[int] = None
    redeemed_count: Optional[int] = None


class BenefitPage(Out):
    items: list[BenefitOut]
    page: int
    per_page: int
    total: int


class BenefitClaimPage(Out):
    items: list[BenefitClaimOut]
    page: int
    per_page: int
    total: int


class BenefitStaffClaimPage(Out):
    items: list[BenefitStaffClaimOut]
    page: int
    per_page: int
    total: int


class BenefitCancelClaimOut(Out):
    id: int
    status: Literal["cancelled"]


class BenefitQrOut(Out):
    claim_code: str
    qr_content: str


class BenefitRedemptionOut(Out):
    claim_id: int
    member_name: str
    employee_no: str
    department: Optional[str]
    option_name: str
    redeemed_at: LocalTime
    status: Literal["redeemed"]
    redeemed_via: RedeemedVia
    delegate_name: Optional[str] = None


class BenefitBatchError(Out):
    code: str
    message: str


class BenefitBatchItemOut(Out):
    index: int
    status: Literal["redeemed", "already_redeemed", "error"]
    claim_id: Optional[int] = None
    member_name: Optional[str] = None
    employee_no: Optional[str] = None
    department: Optional[str] = None
    option_name: Optional[str] = None
    redeemed_at: Optional[LocalTime] = None
    error: Optional[BenefitBatchError] = None


class BenefitBatchOut(Out):
    items: list[BenefitBatchItemOut]


class BenefitKeyOut(Out):
    benefit_id: int
    algorithm: Literal["Ed25519"]
    public_key: str
    public_key_pem: str
    format: str


class BenefitOptionStatsOut(Out):
    option_id: int
    name: str
    stock: Optional[int]
    claimed: int
    redeemed: int


class BenefitDepartmentStatsOut(Out):
    department: Optional[str]
    eligible: int
    claimed: int
    redeemed: int


class BenefitStatsOut(Out):
    eligible: int
    claimed: int
    redeemed: int
    claim_rate: Optional[float]
    redeem_rate: Optional[float]
    by_option: list[BenefitOptionStatsOut]
    by_department: list[BenefitDepartmentStatsOut]
