from __future__ import annotations

from flask import g, url_for
from sqlalchemy import func, select

from ..api import api
from ..extensions import db
from . import bp, services
from .models import Notice, NoticeRecipient, NoticeStatus
from .schemas import (
    DeliveryOut,
    DeliveryPage,
    DeliveryQuery,
    InboxItem,
    InboxPage,
    InboxQuery,
    NoticeIn,
    NoticeListQuery,
    NoticeOut,
    NoticePage,
    NoticeStats,
    SubscriptionsIn,
    SubscriptionsOut,
)


def notice_out(n: Notice, with_stats: bool = False) -> NoticeOut:
    shown = {k: v for k, v in n.audience.items() if k not in ("departments_ids", "grids_ids", "tags_ids")}
    return NoticeOut(
        id=n.id, title=n.title, body=n.body, channels=n.channels, audience=shown, send_at=n.send_at,
        sms_fallback=n.sms_fallback, page=n.page, status=n.status, created_at=n.created_at, sent_at=n.sent_at,
        poster_url=url_for("notices.poster", notice_id=n.id) if "poster" in n.channels else None,
        stats=NoticeStats(**services.stats(n)) if with_stats else None,
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
    """Notices, newest first (staff)."""
    items, total = services.list_notices(query.page, query.per_page, query.status)
    return NoticePage(items=[notice_out(n) for n in items], page=query.page, per_page=query.per_page, total=total)


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
    return DeliveryPage(items=[DeliveryOut(member_id=d.member_id, name=name, employee_no=no, channel=d.channel,
                                           status=d.status, attempts=d.attempts, last_error=d.last_error,
                                           sent_at=d.sent_at) for d, name, no in items],
                        page=query.page, per_page=query.per_page, total=total)


@bp.get("/me/notices")
@api(roles=["member"], query=InboxQuery, out=InboxPage)
def inbox(query: InboxQuery):
    """My notices, newest first."""
    rows, total = services.inbox(g.member, query.page, query.per_page, query.unread)
    unread = db.session.scalar(select(func.count()).select_from(NoticeRecipient).where(
        NoticeRecipient.member_id == g.member.id, NoticeRecipient.read_at.is_(None))) or 0
    return InboxPage(items=[_inbox_item(n, read_at) for n, read_at in rows], page=query.page,
                     per_page=query.per_page, total=total, unread=unread)


def _inbox_item(n: Notice, read_at) -> InboxItem:
    return InboxItem(id=n.id, title=n.title, body=n.body, sent_at=n.planned_at, read=read_at is not None,
                     read_at=read_at)


@bp.get("/me/notices/<int:notice_id>")
@api(roles=["member"], out=InboxItem, errors=["not_found"])
def inbox_item(notice_id: int):
    """One of my notices."""
    return _inbox_item(*services.inbox_item(g.member, notice_id))


@bp.post("/notices/<int:notice_id>/read")
@api(roles=["member"], out=InboxItem, errors=["not_found"])
def mark_read(notice_id: int):
    """Mark a notice of mine as read (idempotent)."""
    row = services.mark_read(g.member, notice_id)
    return _inbox_item(*row)


@bp.post("/me/subscriptions")
@api(roles=["member"], body=SubscriptionsIn, out=SubscriptionsOut)
def subscriptions(body: SubscriptionsIn):
    """Record what wx.requestSubscribeMessage returned: each accept allows one push of that template."""
    remaining = services.record_subscriptions(g.member, body.results)
    return SubscriptionsOut(remaining=remaining)


