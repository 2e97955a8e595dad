"""Notices: who gets what, planned once in SQL when a notice is sent.

Sending writes the recipients and then every delivery row (push and SMS) in two INSERT … SELECT statements
(no per-member queries); workers (delivery.py) send only committed rows. The unique
(notice_id, member_id, channel) key makes sending twice, retries and racing workers harmless.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import and_, case, exists, func, insert, literal, select, text, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core import audiences
from ..core.errors import AppError
from ..core.extensions import db, get_or_raise, savepoint
from ..core.timeutil import utcnow
from ..members.models import Department, Member, WechatUser
from .models import Delivery, DeliveryStatus, Notice, NoticeRecipient, NoticeStatus, SubscriptionQuota

NO_CONSENT = "no consent: 会员未授权订阅消息或授权次数已用完"
NO_WECHAT = "no consent: 会员未绑定微信小程序"
NO_PHONE = "no phone: 名册中没有手机号"


def not_found() -> AppError:
    return AppError("not_found", "通知不存在")


def upsert(model):
    return (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(model)


# --- creating ---------------------------------------------------------------------------------------

def create_notice(created_by: int | None, *, title: str, body: str, channels: list[str], audience: dict,
                  send_at=None, sms_fallback: bool = True, page: str | None = None, source: str = "staff",
                  event_id: int | None = None, calendar_id: int | None = None) -> Notice:
    notice = Notice(title=title, body=body, channels=sorted(set(channels), key=["push", "sms", "poster"].index),
                    audience=audiences.resolve_notice(audience), send_at=send_at, sms_fallback=sms_fallback, page=page,
                    status=NoticeStatus.draft, created_by=created_by, source=source, event_id=event_id,
                    calendar_id=calendar_id)
    db.session.add(notice)
    db.session.flush()
    return notice


def tell(audience: dict, *, title: str, body: str, source: str, page: str | None = None,
         send_at=None, sms_fallback: bool = False) -> Notice | None:
    """An automatic notice (push, SMS where asked) to an audience, created and sent in a savepoint: None when
    nobody is in the audience, and nothing else of the caller's transaction is undone by that."""
    try:
        with savepoint():
            notice = create_notice(None, title=title[:100], body=body, channels=["push"], audience=audience,
                                   send_at=send_at, sms_fallback=sms_fallback, page=page, source=source)
            send_notice(notice.id)
            return notice
    except AppError as e:
        if e.code != "empty_audience":
            raise
        return None


def get_notice(notice_id: int, lock: bool = False) -> Notice:
    return get_or_raise(Notice, notice_id, not_found, lock=lock)


# --- sending ----------------------------------------------------------------------------------------

def send_notice(notice_id: int, *, due_only: bool = False) -> Notice:
    """Send now, or schedule when send_at is in the future. Sending twice sends nothing twice.

    Resolves the audience once, in SQL, into notice_recipients, then writes every delivery row.
    Raises 404, 400 empty_audience (nobody matches: nothing is sent, the notice stays a draft).
    """
    notice = get_notice(notice_id, lock=True)
    now = utcnow()
    if notice.status in (NoticeStatus.sending, NoticeStatus.sent):
        return notice
    if notice.send_at is not None and notice.send_at > now:
        if not due_only:
            notice.status = NoticeStatus.scheduled
        return notice
    if due_only and notice.status != NoticeStatus.scheduled:
        return notice
    _plan(notice, now)
    return notice


def _plan(notice: Notice, now) -> None:
    nid = notice.id
    if db.engine.dialect.name == "postgresql":
        # Planners run one at a time, so two notices never spend the same consent.
        db.session.execute(text("SELECT pg_advisory_xact_lock(7201)"))
    # Plain INSERTs, no ON CONFLICT: the notice is locked and still a draft or scheduled, so none of its
    # rows exist yet (the unique key would still refuse a second copy).
    recipients = select(literal(nid), Member.id).where(Member.is_active.is_(True),
                                                       audiences.stored_condition(notice.audience))
    count = db.session.execute(
        insert(NoticeRecipient).from_select(["notice_id", "member_id"], recipients),
        execution_options={"preserve_rowcount": True}).rowcount
    if not count:
        raise AppError("empty_audience", details={"audience": notice.audience})
    template_id = current_app.config["WECHAT_NOTICE_TEMPLATE_ID"]
    push = "push" in notice.channels
    sms = "sms" in notice.channels
    fallback = push and not sms and notice.sms_fallback
    parts = []
    if push:
        parts.append(_push_rows(nid, template_id, now))
    if sms or fallback:
        parts.append(_sms_rows(nid, template_id if fallback else None, now))
    if parts:
        cols = ["notice_id", "member_id", "channel", "status", "last_error", "attempts", "next_attempt_at",
                "created_at"]
        db.session.execute(insert(Delivery).from_select(cols, union_all(*parts) if len(parts) > 1 else parts[0]))
    if push:
        # Spend one consent per queued push now (refunded if WeChat refuses for good). No session sync: the
        # ORM would otherwise fetch every spent consent's key back (RETURNING, or a SELECT on SQLite) to match
        # loaded objects, 450,000 rows and ~300 MB for a notice to a million members (docs/scaling.md).
        queued_push = select(Delivery.member_id).where(Delivery.notice_id == nid, Delivery.channel == "push",
                                                       Delivery.status == DeliveryStatus.queued)
        db.session.execute(
            update(SubscriptionQuota)
            .where(SubscriptionQuota.template_id == template_id, SubscriptionQuota.member_id.in_(queued_push))
            .values(remaining=case((SubscriptionQuota.remaining > 0, SubscriptionQuota.remaining - 1), else_=0),
                    updated_at=now)
            .execution_options(synchronize_session=False)
        )
    notice.recipients_count = count
    notice.planned_at = now
    pending = db.session.scalar(
        select(exists().where(Delivery.notice_id == nid, Delivery.status == DeliveryStatus.queued)))
    notice.status = NoticeStatus.sending if pending else NoticeStatus.sent
    notice.sent_at = None if pending else now
    db.session.flush()


def _with_consent(stmt, template_id: str):
    """Outer-join each recipient's WeChat binding and a consent left for the template (NULL when none)."""
    r, w, q = NoticeRecipient, WechatUser, SubscriptionQuota
    return (stmt.outerjoin(w, w.member_id == r.member_id)
            .outerjoin(q, and_(q.member_id == w.member_id, q.template_id == template_id, q.remaining > 0)))


def _push_rows(nid: int, template_id: str, now):
    """A push per recipient: queued with a consent left, otherwise skipped saying why."""
    r, w, q = NoticeRecipient, WechatUser, SubscriptionQuota
    consent = q.member_id.is_not(None)
    return _with_consent(
        select(r.notice_id, r.member_id, literal("push"),
               case((consent, literal(DeliveryStatus.queued.value)), else_=literal(DeliveryStatus.skipped.value)),
               case((consent, literal(None)), (w.member_id.is_not(None), literal(NO_CONSENT)),
                    else_=literal(NO_WECHAT)),
               literal(0), literal(now), literal(now)).select_from(r),
        template_id,
    ).where(r.notice_id == nid)


def _sms_rows(nid: int, fallback_template_id: str | None, now):
    """An SMS per recipient; as a fallback only to those whose push is skipped (no consent left)."""
    r = NoticeRecipient
    no_phone = Member.phone.is_(None)
    stmt = (
        select(r.notice_id, r.member_id, literal("sms"),
               case((no_phone, literal(DeliveryStatus.skipped.value)), else_=literal(DeliveryStatus.queued.value)),
               case((no_phone, literal(NO_PHONE)), else_=literal(None)),
               literal(0), literal(now), literal(now))
        .select_from(r).join(Member, Member.id == r.member_id)
    )
    if fallback_template_id is not None:
        stmt = _with_consent(stmt, fallback_template_id).where(SubscriptionQuota.member_id.is_(None))
    return stmt.where(r.notice_id == nid)


def fallback_to_sms(pairs: list[tuple[int, int]], now) -> int:
    """After WeChat refused pushes for lack of consent: queue an SMS instead, where the notice allows it.

    pairs: (notice_id, member_id). Returns the number of SMS queued.
    """
    if not pairs:
        return 0
    notice_ids = {n for n, _ in pairs}
    allowed = set(db.session.scalars(select(Notice.id).where(Notice.id.in_(notice_ids), Notice.sms_fallback.is_(True))))
    rows = [(n, m) for n, m in pairs if n in allowed]
    if not rows:
        return 0
    phones = dict(db.session.execute(select(Member.id, Member.phone).where(Member.id.in_({m for _, m in rows}))).all())
    values = [{"notice_id": n, "member_id": m, "channel": "sms",
               "status": DeliveryStatus.queued.value if phones.get(m) else DeliveryStatus.skipped.value,
               "last_error": None if phones.get(m) else NO_PHONE, "attempts": 0,
               "next_attempt_at": now, "created_at": now} for n, m in rows]
    res = db.session.execute(upsert(Delivery).values(values).on_conflict_do_nothing())
    return res.rowcount or 0


def send_due_notices(now=None) -> list[int]:
    """Plan every scheduled notice whose send_at has come; returns their ids."""
    now = now or utcnow()
    due = db.session.scalars(select(Notice.id).where(Notice.status == NoticeStatus.scheduled, Notice.send_at <= now)
                             .order_by(Notice.send_at)).all()
    for nid in due:
        send_notice(nid, due_only=True)
    return list(due)


# --- reading ----------------------------------------------------------------------------------------

def stats(notice: Notice) -> dict:
    rows = db.session.execute(
        select(Delivery.channel, Delivery.status, func.count())
        .where(Delivery.notice_id == notice.id).group_by(Delivery.channel, Delivery.status)
    ).all()
    by_channel = {c: {s.value: 0 for s in DeliveryStatus} for c in notice.channels if c != "poster"}
    for channel, status, n in rows:
        by_channel.setdefault(channel, {s.value: 0 for s in DeliveryStatus})[status] = n
    read = db.session.scalar(select(func.count()).select_from(NoticeRecipient)
                             .where(NoticeRecipient.notice_id == notice.id, NoticeRecipient.read_at.is_not(None)))
    return {"recipients": notice.recipients_count, "read": read or 0, "by_channel": by_channel}


def deliveries(notice_id: int, channel: str | None, status: str | None, page: int, per_page: int):
    get_notice(notice_id)
    conds = [Delivery.notice_id == notice_id]
    if channel:
        conds.append(Delivery.channel == channel)
    if status:
        conds.append(Delivery.status == status)
    total = db.session.scalar(select(func.count()).select_from(Delivery).where(*conds)) or 0
    items = db.session.execute(select(Delivery, Member.name, Member.employee_no, Department.name)
                               .join(Member, Member.id == Delivery.member_id)
                               .outerjoin(Department, Department.id == Member.department_id)
                               .where(*conds).order_by(Delivery.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


def list_notices(page: int, per_page: int, status: str | None = None, source: str | None = None,
                 event_id: int | None = None, calendar_id: int | None = None):
    conds = [Notice.status == status] if status else []
    if source:
        conds.append(Notice.source == source)
    if event_id is not None:
        conds.append(Notice.event_id == event_id)
    if calendar_id is not None:
        conds.append(Notice.calendar_id == calendar_id)
    total = db.session.scalar(select(func.count()).select_from(Notice).where(*conds)) or 0
    items = db.session.scalars(select(Notice).where(*conds).order_by(Notice.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


def inbox(member: Member, page: int, per_page: int, unread_only: bool = False):
    conds = [NoticeRecipient.member_id == member.id]
    if unread_only:
        conds.append(NoticeRecipient.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(NoticeRecipient).where(*conds)) or 0
    rows = db.session.execute(
        select(Notice, NoticeRecipient.read_at).join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
        .where(*conds).order_by(Notice.planned_at.desc(), Notice.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total


def inbox_item(member: Member, notice_id: int):
    row = db.session.execute(
        select(Notice, NoticeRecipient.read_at).join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
        .where(NoticeRecipient.member_id == member.id, Notice.id == notice_id)
    ).first()
    if row is None:
        raise not_found()
    return row


def mark_read(member: Member, notice_id: int):
    """Idempotent; the first reading time is kept. Raises 404 when the notice was not sent to the member."""
    now = utcnow()
    res = db.session.execute(
        update(NoticeRecipient)
        .where(NoticeRecipient.notice_id == notice_id, NoticeRecipient.member_id == member.id,
               NoticeRecipient.read_at.is_(None))
        .values(read_at=now)
    )
    if res.rowcount == 0:
        inbox_item(member, notice_id)  # 404 unless already read
    return inbox_item(member, notice_id)


def record_subscriptions(member: Member, results: dict[str, str]) -> dict[str, int]:
    """What wx.requestSubscribeMessage returned: each accept allows one more push of that template;
    ban (the member turned the template off for good) clears it. Returns the remaining counts."""
    now = utcnow()
    for template_id, result in results.items():
        if result == "accept":
            stmt = upsert(SubscriptionQuota).values(member_id=member.id, template_id=template_id, remaining=1,
                                                    updated_at=now)
            db.session.execute(stmt.on_conflict_do_update(
                index_elements=["member_id", "template_id"],
                set_={"remaining": SubscriptionQuota.remaining + 1, "updated_at": now}))
        elif result == "ban":
            db.session.execute(update(SubscriptionQuota).where(
                SubscriptionQuota.member_id == member.id, SubscriptionQuota.template_id == template_id
            ).values(remaining=0, updated_at=now))
    return dict(db.session.execute(select(SubscriptionQuota.template_id, SubscriptionQuota.remaining).where(
        SubscriptionQuota.member_id == member.id, SubscriptionQuota.template_id.in_(list(results)))).all())
