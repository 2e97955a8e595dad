from __future__ import annotations

from flask import g

from ..core.api import api
from . import bp, services
from .models import NoticeStatus
from .presenters import deliveries_out, inbox_item_out, inbox_items, notice_out, notices_out, unread_count
from .schemas import (
    DeliveryPage,
    DeliveryQuery,
    InboxItem,
    InboxPage,
    InboxQuery,
    NoticeIn,
    NoticeListQuery,
    NoticeOut,
    NoticePage,
    SubscriptionsIn,
    SubscriptionsOut,
)


@bp.post("/notices")
@api(roles=["staff"], body=NoticeIn, out=NoticeOut, status=201)
def create_notice(body: NoticeIn):
    """Write a notice (staff); it goes out with POST /notices/{id}/send."""
    data = body.model_dump(exclude_unset=False)
    data["audience"] = body.audience.model_dump(exclude_none=True)
    notice = services.create_notice(g.member.id, **data)
    out = notice_out(notice)
    return out


@bp.get("/notices")
@api(roles=["staff"], query=NoticeListQuery, out=NoticePage)
def list_notices(query: NoticeListQuery):
    """Notices, newest first (staff); source=staff for those staff wrote, event_id or calendar_id for the
    automatic ones about an event or a booking calendar."""
    items, total = services.list_notices(query.page, query.per_page, query.status, query.source, query.event_id,
                                         query.calendar_id)
    return NoticePage(items=notices_out(items), page=query.page, per_page=query.per_page, total=total)


@bp.post("/notices/<int:notice_id>/send")
@api(roles=["staff"], out=NoticeOut, status=202, errors=["not_found", "empty_audience"])
def send_notice(notice_id: int):
    """Send now (or at send_at). Sending twice sends nothing twice."""
    notice = services.send_notice(notice_id)
    out = notice_out(notice, with_stats=notice.status in (NoticeStatus.sending, NoticeStatus.sent))
    return out


@bp.get("/notices/<int:notice_id>")
@api(roles=["staff"], out=NoticeOut, errors=["not_found"])
def get_notice(notice_id: int):
    """A notice with per-channel delivery counts and how many read it (staff)."""
    return notice_out(services.get_notice(notice_id), with_stats=True)


@bp.get("/notices/<int:notice_id>/deliveries")
@api(roles=["staff"], query=DeliveryQuery, out=DeliveryPage, errors=["not_found"])
def list_deliveries(notice_id: int, query: DeliveryQuery):
    """Per-recipient, per-channel delivery records (staff)."""
    items, total = services.deliveries(notice_id, query.channel, query.status, query.page, query.per_page)
    return DeliveryPage(items=deliveries_out(items), page=query.page, per_page=query.per_page, total=total)


@bp.get("/me/notices")
@api(roles=["member"], query=InboxQuery, out=InboxPage)
def inbox(query: InboxQuery):
    """My notices, newest first."""
    rows, total = services.inbox(g.member, query.page, query.per_page, query.unread)
    return InboxPage(items=inbox_items(rows), page=query.page, per_page=query.per_page, total=total,
                     unread=unread_count(g.member))


@bp.get("/me/notices/<int:notice_id>")
@api(roles=["member"], out=InboxItem, errors=["not_found"])
def inbox_item(notice_id: int):
    """One of my notices."""
    return inbox_item_out(*services.inbox_item(g.member, notice_id))


@bp.post("/notices/<int:notice_id>/read")
@api(roles=["member"], out=InboxItem, errors=["not_found"])
def mark_read(notice_id: int):
    """Mark a notice of mine as read (idempotent)."""
    row = services.mark_read(g.member, notice_id)
    return inbox_item_out(*row)


@bp.post("/me/subscriptions")
@api(roles=["member"], body=SubscriptionsIn, out=SubscriptionsOut)
def subscriptions(body: SubscriptionsIn):
    """Record what wx.requestSubscribeMessage returned: each accept allows one push of that template."""
    remaining = services.record_subscriptions(g.member, body.results)
    return SubscriptionsOut(remaining=remaining)


