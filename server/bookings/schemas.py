from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import Field, SerializeAsAny, field_validator, model_validator

from ..core.api import Day, Out, PageQuery, QuerySchema, RowId, Schema, Timestamp
from ..core.audiences import AudienceIn, AudienceOut  # noqa: F401 (the same shapes as for events)
from ..core.timeutil import LocalTime
from ..events.schemas import CancelOut  # noqa: F401
from .models import BookingStatus, CalendarKind, SlotStatus


class CalendarIn(Schema):
    kind: CalendarKind
    title: str = Field(min_length=1, max_length=100)
    location: str = Field(min_length=1, max_length=200)
    host: Optional[str] = Field(None, max_length=100)
    cancel_cutoff_hours: int = Field(24, ge=0, le=30 * 24)
    max_active_per_member: int = Field(1, ge=1, le=50)
    audience: AudienceIn = Field(default_factory=AudienceIn)


class CalendarOut(Out):
    id: int
    kind: CalendarKind
    title: str
    location: str
    host: Optional[str]
    cancel_cutoff_hours: int
    max_active_per_member: int
    audience: AudienceOut
    created_at: LocalTime


class CalendarPage(Out):
    items: list[CalendarOut]
    page: int
    per_page: int
    total: int


class CalendarListQuery(PageQuery):
    kind: Optional[CalendarKind] = None


class SlotIn(Schema):
    starts_at: Timestamp
    ends_at: Timestamp
    capacity: int = Field(ge=1, le=10_000)

    @model_validator(mode="after")
    def _times(self):
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at: 结束时间必须晚于开始时间")
        return self


class GenerateIn(Schema):
    """A day's range cut into equal slots; times of day are Asia/Shanghai."""

    date: Day
    start: dt.time
    end: dt.time
    slot_minutes: int = Field(ge=5, le=8 * 60)
    capacity: int = Field(ge=1, le=10_000)

    @field_validator("start", "end")
    @classmethod
    def _local(cls, v: dt.time) -> dt.time:
        # Times of day are Asia/Shanghai; an offset would also make start and end incomparable.
        if v.tzinfo is not None:
            raise ValueError("请填写北京时间的钟点，不带时区，例如 09:00")
        return v

    @model_validator(mode="after")
    def _range(self):
        if self.end <= self.start:
            raise ValueError("end: 结束时间必须晚于开始时间")
        return self


class SlotsIn(Schema):
    slots: Optional[list[SlotIn]] = Field(None, min_length=1, max_length=200)
    generate: Optional[GenerateIn] = None
    publish_at: Optional[Timestamp] = None

    @model_validator(mode="after")
    def _one_way(self):
        if (self.slots is None) == (self.generate is None):
            raise ValueError("slots: 请给出 slots（逐个列出）或 generate（按时长生成）其中之一")
        return self


class SlotPatch(Schema):
    starts_at: Optional[Timestamp] = None
    ends_at: Optional[Timestamp] = None
    capacity: Optional[int] = Field(None, ge=1, le=10_000)
    location: Optional[str] = Field(None, min_length=1, max_length=200)


class SlotListQuery(PageQuery):
    from_: Optional[Timestamp] = Field(None, alias="from")
    to: Optional[Timestamp] = None
    available: bool = False


class SlotOut(Out):
    id: int
    calendar_id: int
    starts_at: LocalTime
    ends_at: LocalTime
    location: str
    capacity: int
    booked: int
    seats_left: int
    published: bool
    status: SlotStatus


class StaffSlotOut(SlotOut):
    publish_at: Optional[LocalTime]


class DroppedOut(Out):
    starts_at: LocalTime
    ends_at: LocalTime


class SlotsCreated(Out):
    items: list[StaffSlotOut]
    dropped: Optional[DroppedOut] = None
    message: Optional[str] = None


class SlotPage(Out):
    # Staff get StaffSlotOut items (with publish_at); members the plain SlotOut.
    items: list[SerializeAsAny[SlotOut]]
    page: int
    per_page: int
    total: int


class BookingIn(Schema):
    topic: Optional[str] = Field(None, max_length=500)


class CalendarBrief(Out):
    id: int
    kind: CalendarKind
    title: str
    location: str
    host: Optional[str]
    cancel_cutoff_hours: int


class BookingOut(Out):
    id: int
    slot: SlotOut
    calendar: CalendarBrief
    status: BookingStatus
    topic: Optional[str]
    created_at: LocalTime
    cancelled_at: Optional[LocalTime]
    cancel_until: LocalTime


class BookingPage(Out):
    items: list[BookingOut]
    page: int
    per_page: int
    total: int


class MyBookingQuery(PageQuery):
    status: Optional[BookingStatus] = None


class RosterQuery(PageQuery):
    date: Optional[Day] = None
    status: Optional[BookingStatus] = None
    format: Optional[Literal["json", "csv", "xlsx"]] = None


class RosterBookingOut(Out):
    id: int
    slot_id: int
    starts_at: LocalTime
    ends_at: LocalTime
    member_id: int
    employee_no: str
    name: str
    department: Optional[str]
    grid: Optional[str]
    phone_masked: Optional[str]
    status: BookingStatus
    topic: Optional[str]
    created_at: LocalTime
    cancelled_at: Optional[LocalTime]
    cancelled_by_staff: bool


class BookingRosterPage(Out):
    items: list[RosterBookingOut]
    page: int
    per_page: int
    total: int


# --- announcing slots (staff choose whether and when) and the month overview -------------------------

class ReachOut(Out):
    """Members an announcement would reach: by push, by SMS where no push can go, and by neither."""
    push: int
    sms: int
    none: int


class AnnouncementPreviewOut(Out):
    recipients: int
    by_channel: ReachOut


class AnnouncementIn(Schema):
    slot_ids: list[RowId] = Field(min_length=1, max_length=500)
    # Omitted: when the slots become public (now if they already are).
    send_at: Optional[Timestamp] = None


class AnnouncementOut(Out):
    notice_id: int
    title: str
    status: str
    send_at: Optional[LocalTime]


class CalendarDaysQuery(QuerySchema):
    # YYYY-MM, a Beijing month
    month: Optional[str] = Field(None, max_length=7, pattern=r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$")


class CalendarDayOut(Out):
    date: dt.date
    slots: int
    capacity: int
    booked: int


class CalendarDaysOut(Out):
    month: str
    next_date: Optional[dt.date]
    days: list[CalendarDayOut]
