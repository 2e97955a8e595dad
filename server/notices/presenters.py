"""Output of the notices domain: rows into the response schemas, each page in a fixed number of statements."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from ..core.extensions import db
from ..members.models import Department, Member
from . import services
from .models import Notice, NoticeRecipient
from .schemas import AudienceMemberOut, DeliveryOut, InboxItem, NoticeOut, NoticeStats

# How many of the members an audience names are given by name with a notice (the console shows "张三、李四
# 等 12 人"); the full list of recipients is the notice's deliveries.
AUDIENCE_MEMBERS_SHOWN = 20


def audience_members(notices: list[Notice]) -> dict[int, list[AudienceMemberOut]]:
    """{notice id: the first AUDIENCE_MEMBERS_SHOWN members its audience names}, for a whole page in one
    statement (none when no notice names members)."""
    wanted = {n.id: (n.audience.get("member_ids") or [])[:AUDIENCE_MEMBERS_SHOWN] for n in notices}
    ids = {i for chosen in wanted.values() for i in chosen}
    if not ids:
        return {}
    found = {r.id: AudienceMemberOut(id=r.id, name=r.name, employee_no=r.employee_no, department=r.department)
             for r in db.session.execute(
                 select(Member.id, Member.name, Member.employee_no, Department.name.label("department"))
                 .outerjoin(Department, Department.id == Member.department_id).where(Member.id.in_(ids)))}
    return {nid: [found[i] for i in chosen if i in found] for nid, chosen in wanted.items()}


def notice_out(n: Notice, with_stats: bool = False,
               members: list[AudienceMemberOut] | None = None) -> NoticeOut:
    """One notice; ``with_stats`` adds its delivery counts (a few statements: for one notice, not a page).
    ``members``: the named members when read for a page already (``audience_members``)."""
    shown = {k: v for k, v in n.audience.items() if k not in ("departments_ids", "grids_ids", "tags_ids")}
    if members is None:
        members = audience_members([n]).get(n.id, [])
    return NoticeOut(
        id=n.id, title=n.title, body=n.body, channels=n.channels, audience=shown, send_at=n.send_at,
        sms_fallback=n.sms_fallback, page=n.page, status=n.status, created_at=n.created_at, sent_at=n.sent_at,
        poster_url=url_for("notices.poster", notice_id=n.id) if "poster" in n.channels else None,
        source=n.source, audience_members=members, event_id=n.event_id, calendar_id=n.calendar_id,
        stats=NoticeStats(**services.stats(n)) if with_stats else None,
    )


def notices_out(notices: list[Notice]) -> list[NoticeOut]:
    """A page of notices, without stats: at most one statement (the members their audiences name)."""
    members = audience_members(notices)
    return [notice_out(n, members=members.get(n.id, [])) for n in notices]


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
