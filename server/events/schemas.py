from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field, field_validator, model_validator

from ..core.api import Out, PageQuery, Schema, Timestamp
from ..core.audiences import AudienceIn, AudienceOut  # noqa: F401 (events' shapes, imported from here too)
from ..core.timeutil import LocalTime
from .models import EventKind, EventStatus, RegistrationStatus

# A reminder from 5 minutes to 7 days before the start.
ReminderMinutes = Annotated[int, Field(ge=5, le=7 * 24 * 60)]


class _EventFields(Schema):
    def _check_times(self, starts_at, ends_at, opens, closes) -> None:
        if starts_at and ends_at and ends_at <= starts_at:
            raise ValueError("ends_at: 结束时间必须晚于开始时间")
        if opens and closes and closes <= opens:
            raise ValueError("signup_closes_at: 报名截止时间必须晚于报名开始时间")
        if closes and ends_at and closes > ends_at:
            raise ValueError("signup_closes_at: 报名截止时间不能晚于活动结束时间")


class EventIn(_EventFields):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    kind: EventKind
    location: str = Field(min_length=1, max_length=200)
    starts_at: Timestamp
    ends_at: Timestamp
    signup_opens_at: Optional[Timestamp] = None
    signup_closes_at: Optional[Timestamp] = None
    capacity: Optional[int] = Field(None, ge=0, le=1_000_000)
    waitlist: bool = True
    audience: AudienceIn = Field(default_factory=AudienceIn)
    walk_in: bool = False
    checkin_opens_minutes_before: int = Field(60, ge=0, le=7 * 24 * 60)
    checkin_closes_minutes_after: int = Field(120, ge=0, le=7 * 24 * 60)
    reminder_minutes: list[ReminderMinutes] = Field(default_factory=lambda: [1440, 120], max_length=5)

    @model_validator(mode="after")
    def _times(self):
        self._check_times(self.starts_at, self.ends_at, self.signup_opens_at, self.signup_closes_at)
        return self


class EventPatch(_EventFields):
    title: Optional[str] = Field(None, min_length=1, max_length=100)
    description: Optional[str] = Field(None, max_length=5000)
    kind: Optional[EventKind] = None
    location: Optional[str] = Field(None, min_length=1, max_length=200)
    starts_at: Optional[Timestamp] = None
    ends_at: Optional[Timestamp] = None
    signup_opens_at: Optional[Timestamp] = None
    signup_closes_at: Optional[Timestamp] = None
    capacity: Optional[int] = Field(None, ge=0, le=1_000_000)
    waitlist: Optional[bool] = None
    audience: Optional[AudienceIn] = None
    walk_in: Optional[bool] = None
    checkin_opens_minutes_before: Optional[int] = Field(None, ge=0, le=7 * 24 * 60)
    checkin_closes_minutes_after: Optional[int] = Field(None, ge=0, le=7 * 24 * 60)
    reminder_minutes: Optional[list[ReminderMinutes]] = Field(None, max_length=5)

    @field_validator("title", "description", "kind", "location", "starts_at", "ends_at", "waitlist", "walk_in",
                     "checkin_opens_minutes_before", "checkin_closes_minutes_after", "reminder_minutes")
    @classmethod
    def _not_null(cls, value):
        # Leaving a field out keeps it; null may clear only what an event can do without (capacity,
        # sign-up window, audience), never what it must have.
        if value is None:
            raise ValueError("不能为空")
        return value

    @model_validator(mode="after")
    def _times(self):
        self._check_times(self.starts_at, self.ends_at, self.signup_opens_at, self.signup_closes_at)
        return self


class EventListQuery(PageQuery):
    from_: Optional[Timestamp] = Field(None, alias="from")
    to: Optional[Timestamp] = None
    kind: Optional[EventKind] = None
    # upcoming: not yet over, soonest first; past: over, most recent first. Omitted: all, by start.
    when: Optional[Literal["upcoming", "past"]] = None


class RegistrationListQuery(PageQuery):
    format: Optional[Literal["json", "csv", "xlsx"]] = None
    status: Optional[RegistrationStatus] = None


class RegistrationOut(Out):
    id: int
    event_id: int
    status: RegistrationStatus
    waitlist_position: Optional[int]
    created_at: LocalTime
    checked_in_at: Optional[LocalTime] = None


class EventOut(Out):
    id: int
    title: str
    description: str
    kind: EventKind
    location: str
    starts_at: LocalTime
    ends_at: LocalTime
    signup_opens_at: Optional[LocalTime]
    signup_closes_at: Optional[LocalTime]
    capacity: Optional[int]
    waitlist: bool
    audience: AudienceOut
    walk_in: bool
    checkin_opens_minutes_before: int
    checkin_closes_minutes_after: int
    reminder_minutes: list[int]
    status: EventStatus
    confirmed_count: int
    waitlist_count: int
    seats_left: Optional[int]
    my_registration: Optional[RegistrationOut]


class EventPage(Out):
    items: list[EventOut]
    page: int
    per_page: int
    total: int


class MyRegistrationOut(RegistrationOut):
    event: EventOut


class MyRegistrationPage(Out):
    items: list[MyRegistrationOut]
    page: int
    per_page: int
    total: int


class RosterRegistrationOut(Out):
    id: int
    member_id: int
    employee_no: str
    name: str
    department: Optional[str]
    grid: Optional[str]
    phone_masked: Optional[str]
    status: RegistrationStatus
    waitlist_position: Optional[int]
    created_at: LocalTime
    checked_in_at: Optional[LocalTime]


class RosterPage(Out):
    items: list[RosterRegistrationOut]
    page: int
    per_page: int
    total: int


class CancelOut(Out):
    status: Literal["cancelled"]


