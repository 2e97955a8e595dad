"""Output of the notices domain: rows into the response schemas, each page in a fixed number of statements."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from ..core.extensions import db
from ..members.models import Member
from . import services
from .models import Notice, NoticeRecipient
from .schemas import DeliveryOut, InboxItem, NoticeOut, NoticeStats


def notice_out(n: Notice, with_stats: bool = False) -> NoticeOut:
    """One notice; ``with_stats`` adds its delivery counts (a few statements: for one notice, not a page)."""
    shown = {k: v for k, v in n.audience.items() if k not in ("departments_ids", "grids_ids", "tags_ids")}
    return NoticeOut(
        id=n.id, title=n.title, body=n.body, channels=n.channels, audience=shown, send_at=n.send_at,
        sms_fallback=n.sms_fallback, page=n.page, status=n.status, created_at=n.created_at, sent_at=n.sent_at,
        poster_url=url_for("notices.poster", notice_id=n.id) if "poster" in n.channels else None,
        source=n.source, event_id=n.event_id, calendar_id=n.calendar_id,
        stats=NoticeStats(**services.stats(n)) if with_stats else None,
    )


def notices_out(notices: list[Notice]) -> list[NoticeOut]:
    """A page of notices, without stats: no statement."""
    return [notice_out(n) for n in notices]


def deliveries_out(rows) -> list[DeliveryOut]:
    """Delivery rows with the recipient's name, number and department, as read together (``services.deliveries``)."""
    return [DeliveryOut(member_id=d.member_id, name=name, employee_no=no, department=dept, channel=d.channel,
                        status=d.status, attempts=d.attempts, last_error=d.last_error, sent_at=d.sent_at)
            for d, name, no, dept in rows]


def inbox_item_out(n: Notice, read_at) -> InboxItem:
    return InboxItem(id=n.id, title=n.title, body=n.body, sent_at=n.planned_at, read=read_at is not None,
                     read_at=read_at)


def inbox_items(rows) -> list[InboxItem]:
    """A page of the member's notices with when each was read (``services.inbox``): no statement."""
    return [inbox_item_out(n, read_at) for n, read_at in rows]


def unread_count(member: Member) -> int:
    """How many of the member's notices are unread, shown beside the inbox; one statement."""
    return db.session.scalar(select(func.count()).select_from(NoticeRecipient).where(
        NoticeRecipient.member_id == member.id, NoticeRecipient.read_at.is_(None))) or 0
