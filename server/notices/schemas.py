from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field

from ..core.api import Out, PageQuery, QuerySchema, RowId, Schema, Timestamp
from ..core.audiences import NoticeAudienceIn
from ..core.timeutil import LocalTime
from .models import DELIVERY_CHANNELS, DeliveryStatus, NoticeChannel, NoticeSource, NoticeStatus

# A delivery row's channel: the notice channels that send something to someone.
DeliveryChannel = Literal[DELIVERY_CHANNELS]
TemplateId = Annotated[str, Field(min_length=1, max_length=64)]  # the width of subscription_quotas.template_id


class NoticeIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=5000)
    channels: list[NoticeChannel] = Field(min_length=1, max_length=3)
    audience: NoticeAudienceIn
    send_at: Optional[Timestamp] = None
    sms_fallback: bool = True
    page: Optional[str] = Field(None, max_length=200, pattern=r"^[A-Za-z0-9_\-/]+(\?[\w=&%\-.]*)?$")



class ChannelStats(Out):
    queued: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    # Added for crash recovery (docs/delivery.md): in flight now; outcome unknowable after a crash, never
    # sent again; accepted by the provider more than once.
    sending: int = 0
    unknown: int = 0
    duplicate: int = 0


class NoticeStats(Out):
    recipients: int
    read: int
    by_channel: dict[str, ChannelStats]


class AudienceMemberOut(Out):
    """A member the audience names (``audience.member_ids``), as staff lists name members."""

    id: int
    name: str
    employee_no: str
    department: Optional[str]


class NoticeOut(Out):
    id: int
    title: str
    body: str
    channels: list[NoticeChannel]
    audience: dict
    send_at: Optional[LocalTime]
    sms_fallback: bool
    page: Optional[str]
    status: NoticeStatus
    created_at: LocalTime
    sent_at: Optional[LocalTime]
    poster_url: Optional[str]
    source: NoticeSource = NoticeSource.staff
    # The first AUDIENCE_MEMBERS_SHOWN members of audience.member_ids (in its order), so staff read names, not
    # ids; how many there are is len(audience.member_ids).
    audience_members: list[AudienceMemberOut] = []
    event_id: Optional[int] = None
    calendar_id: Optional[int] = None
    stats: Optional[NoticeStats] = None


class NoticePage(Out):
    items: list[NoticeOut]
    page: int
    per_page: int
    total: int


class NoticeListQuery(PageQuery):
    status: Optional[NoticeStatus] = None
    # source=staff: what staff wrote (the console's list); event_id / calendar_id: the notices about one.
    source: Optional[NoticeSource] = None
    event_id: Optional[RowId] = None
    calendar_id: Optional[RowId] = None


class DeliveryQuery(PageQuery):
    channel: Optional[DeliveryChannel] = None
    status: Optional[DeliveryStatus] = None


class DeliveryOut(Out):
    member_id: int
    name: str
    employee_no: str
    department: Optional[str]
    channel: DeliveryChannel
    status: DeliveryStatus
    attempts: int
    last_error: Optional[str]
    sent_at: Optional[LocalTime]


class DeliveryPage(Out):
    items: list[DeliveryOut]
    page: int
    per_page: int
    total: int


class InboxItem(Out):
    id: int
    title: str
    body: str
    sent_at: Optional[LocalTime]
    read: bool
    read_at: Optional[LocalTime]


class InboxPage(Out):
    items: list[InboxItem]
    page: int
    per_page: int
    total: int
    unread: int


class InboxQuery(PageQuery):
    unread: bool = False


class SubscriptionsIn(Schema):
    results: dict[TemplateId, Literal["accept", "reject", "ban", "filter"]] = Field(min_length=1, max_length=20)


class SubscriptionsOut(Out):
    remaining: dict[str, int]


class PosterQuery(QuerySchema):
    format: Literal["png", "pdf"] = "png"
