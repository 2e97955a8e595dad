"""Request and response shapes of volunteer hours (API.md "Volunteer hours")."""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from pydantic import Field

from ..core.api import Out, PageQuery, QuerySchema, RowId, Schema
from ..core.timeutil import LocalTime
from .models import ADJUSTMENT_MAX_MINUTES


class VolunteerCheckoutIn(Schema):
    token: str = Field(min_length=1, max_length=300)


class VolunteerCheckoutOut(Out):
    event_id: int
    checked_in_at: LocalTime
    checked_out_at: LocalTime
    minutes: int
    hours: float = Field(description="minutes / 60, two decimals: check-out − check-in, capped at the event's length.")


class VolunteerCodeQuery(QuerySchema):
    format: Optional[Literal["json", "png"]] = None


class VolunteerCheckoutCodeOut(Out):
    token: str
    qr_content: str
    valid_until: LocalTime
    period_seconds: int
    checkout_opens_at: LocalTime
    checkout_closes_at: LocalTime
    checkout_open: bool


class VolunteerYearQuery(QuerySchema):
    year: Optional[int] = Field(None, ge=2000, le=2100, description="A calendar year (Asia/Shanghai); all years "
                                                                     "when absent.")


class VolunteerCertificateQuery(QuerySchema):
    year: Optional[int] = Field(None, ge=2000, le=2100, description="Default: this year.")


class VolunteerHoursItem(Out):
    kind: Literal["event", "adjustment"]
    event_id: Optional[int]
    title: Optional[str]
    date: date
    checked_in_at: Optional[LocalTime]
    checked_out_at: Optional[LocalTime] = Field(description="None: checked in but never checked out (0 minutes).")
    minutes: int
    hours: float
    reason: Optional[str] = Field(None, description="Adjustments: why.")
    adjustment_id: Optional[int] = None
    created_by: Optional[str] = Field(None, description="Adjustments, staff only: who made it.")


class VolunteerHoursOut(Out):
    member_id: int
    name: str
    year: Optional[int]
    total_hours: float
    total_minutes: int
    points: int = Field(description="VOLUNTEER_POINTS_PER_HOUR per hour, pro rata, rounded down.")
    items: list[VolunteerHoursItem]


class VolunteerAdjustmentIn(Schema):
    event_id: Optional[RowId] = Field(None, description="The volunteer event it corrects, if any.")
    minutes: int = Field(ge=-ADJUSTMENT_MAX_MINUTES, le=ADJUSTMENT_MAX_MINUTES,
                         description="Minutes to add (negative to take away); not zero.")
    reason: str = Field(min_length=1, max_length=500)


class VolunteerAdjustmentOut(Out):
    id: int
    member_id: int
    event_id: Optional[int]
    minutes: int
    reason: str
    created_at: LocalTime
    total_minutes: int = Field(description="The member's all-time total after it.")
    total_hours: float


class VolunteerListQuery(PageQuery):
    year: Optional[int] = Field(None, ge=2000, le=2100)
    department: Optional[str] = Field(None, max_length=100)
    q: Optional[str] = Field(None, max_length=50)
    format: Optional[Literal["json", "xlsx"]] = None


class VolunteerTotalOut(Out):
    member_id: int
    name: str
    employee_no: str
    department: Optional[str]
    events: int = Field(description="Volunteer events checked out in the period.")
    total_minutes: int
    total_hours: float
    points: int


class VolunteerTotalPage(Out):
    items: list[VolunteerTotalOut]
    page: int
    per_page: int
    total: int


class VolunteerLeaderboardQuery(QuerySchema):
    year: Optional[int] = Field(None, ge=2000, le=2100, description="Default: this year.")
    limit: int = Field(20, ge=1, le=100)


class VolunteerLeaderboardRow(Out):
    rank: int
    name: str
    department: Optional[str]
    total_hours: float
    is_me: bool


class VolunteerLeaderboardOut(Out):
    year: int
    items: list[VolunteerLeaderboardRow]
    opted_out: bool = Field(description="Whether the caller left the leaderboard.")


class VolunteerSettingsIn(Schema):
    leaderboard_opt_out: bool


class VolunteerSettingsOut(Out):
    leaderboard_opt_out: bool


class VolunteerCertificateCheckOut(Out):
    valid: Literal[True]
    name: str = Field(description="The member's name, masked after its first character.")
    year: int
    total_hours: float = Field(description="What the certificate states.")
    current: bool = Field(description="Whether the year's hours are still what the certificate states.")
