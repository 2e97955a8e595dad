"""Slots of a calendar: planning them without overlaps, announcing them when staff choose to, moving
and cancelling them (the members booked on them are told)."""
from __future__ import annotations

import itertools
import logging
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from sqlalchemy import exists, func, literal, or_, select, update

from ..core import audiences as audiences_
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from ..notices import services as notices
from ..notices.models import Notice
from ..notices.preview import reach
from .calendars import get_calendar
from .messages import PAGE, day_label, local, part_of_day, slot_location, span_label, tell
from .models import Booking, BookingStatus, Calendar, CalendarAudience, CalendarKind, Slot, SlotStatus

log = logging.getLogger(__name__)
signals = Namespace()
# Sent when a slot is created or moved (reminders are planned again) and when it is cancelled.
slot_scheduled = signals.signal("slot-scheduled")
slot_cancelled = signals.signal("slot-cancelled")


def slot_not_found() -> AppError:
    return AppError("not_found", "预约时段不存在")


def generate_spans(date, start, end, slot_minutes: int) -> tuple[list[tuple[datetime, datetime]], dict | None]:
    """Cut a day's range (Asia/Shanghai) into equal slots. A remainder too short for a slot is dropped
    and returned as ``{"starts_at", "ends_at", "message"}``. Raises 400 when not even one slot fits."""
    first = datetime.combine(date, start.replace(tzinfo=None), SHANGHAI)
    last = datetime.combine(date, end.replace(tzinfo=None), SHANGHAI)
    step = timedelta(minutes=slot_minutes)
    spans, t = [], first
    while t + step <= last:
        spans.append((t, t + step))
        t += step
    if not spans:
        raise invalid_request(
            {"generate.slot_minutes": f"{first:%H:%M}—{last:%H:%M} 不足一个 {slot_minutes} 分钟的时段"})
    dropped = None
    if t < last:
        dropped = {"starts_at": t, "ends_at": last,
                   "message": f"{first:%H:%M}—{last:%H:%M} 按每段 {slot_minutes} 分钟划分，"
                              f"最后的 {t:%H:%M}—{last:%H:%M} 不足一个时段，已舍去"}
    return spans, dropped


def _overlapping(calendar_id: int, spans: list[tuple[datetime, datetime]], exclude_id: int | None = None) -> list[Slot]:
    """Open slots of the calendar that overlap any of the spans."""
    lo, hi = min(s for s, _ in spans), max(e for _, e in spans)
    conds = [Slot.calendar_id == calendar_id, Slot.status == SlotStatus.open, Slot.starts_at < hi, Slot.ends_at > lo]
    if exclude_id is not None:
        conds.append(Slot.id != exclude_id)
    existing = db.session.scalars(select(Slot).where(*conds).order_by(Slot.starts_at)).all()
    return [x for x in existing if any(s < x.ends_at and x.starts_at < e for s, e in spans)]


def _span_json(s: datetime, e: datetime, slot_id: int | None = None) -> dict:
    out = {"starts_at": local(s).isoformat(), "ends_at": local(e).isoformat()}
    return {"id": slot_id, **out} if slot_id is not None else out


def _check_overlaps(calendar_id: int, spans: list[tuple[datetime, datetime]], exclude_id: int | None = None) -> None:
    """Raises 409 slot_overlap naming each clash, within the spans and with the calendar's open slots."""
    clashes: list[tuple[tuple[datetime, datetime], Slot | tuple[datetime, datetime]]] = []
    ordered = sorted(spans)
    for a, b in itertools.pairwise(ordered):
        if b[0] < a[1]:
            clashes.append((b, a))
    for x in _overlapping(calendar_id, spans, exclude_id):
        clashes += [((s, e), x) for s, e in ordered if s < x.ends_at and x.starts_at < e]
    if not clashes:
        return
    details = [{"slot": _span_json(*mine),
                "overlaps": _span_json(other.starts_at, other.ends_at, other.id) if isinstance(other, Slot)
                else _span_json(*other),
                "within_request": not isinstance(other, Slot)} for mine, other in clashes]
    mine, other = clashes[0]
    what, span = (("已有时段", (other.starts_at, other.ends_at)) if isinstance(other, Slot)
                  else ("本次提交的另一时段", other))
    more = f"（共 {len(clashes)} 处）" if len(clashes) > 1 else ""
    raise AppError("slot_overlap", f"时段重叠：{span_label(*mine)} 与{what} {span_label(*span)} 重叠{more}",
                   details={"overlaps": details})


def create_slots(calendar_id: int, spans: list[tuple[datetime, datetime, int]], publish_at: datetime | None,
                 fields: list[str]) -> tuple[Calendar, list[Slot]]:
    """Add slots to a calendar; ``fields`` names each span's input field for errors.

    Nothing is announced here: staff decide afterwards whether, and when (``announce_slots``).
    Raises 404, 400 invalid_request (a slot already begun), 409 slot_overlap.
    """
    # The calendar's lock serialises slot planning, so two secretaries cannot add overlapping slots.
    calendar = get_calendar(calendar_id, lock=True)
    now = utcnow()
    past = {f: "时段开始时间已过" for (s, _, _), f in zip(spans, fields, strict=True) if s <= now}
    if past:
        raise invalid_request(past)
    _check_overlaps(calendar.id, [(s, e) for s, e, _ in spans])
    slots = [Slot(calendar_id=calendar.id, starts_at=s, ends_at=e, capacity=c, booked=0, publish_at=publish_at,
                  status=SlotStatus.open) for s, e, c in spans]
    db.session.add_all(slots)
    db.session.flush()
    for slot in slots:
        slot_scheduled.send(slot)
    return calendar, slots


def _announcement_audience(calendar: Calendar) -> dict:
    # The notice stores the calendar's audience (not its members): planned in SQL when it is sent.
    return audiences_.copy_of(CalendarAudience, CalendarAudience.calendar_id, calendar.id)


def announcement_preview(calendar_id: int) -> dict:
    """Whom an announcement of the calendar's slots would reach, per channel (push, SMS instead, none),
    counted now in one statement. Raises 404."""
    calendar = get_calendar(calendar_id)
    return reach(audiences_.resolve_notice(_announcement_audience(calendar)))


def announce_slots(calendar_id: int, slot_ids: list[int], send_at: datetime | None) -> tuple[Notice, datetime | None]:
    """Announce these slots of the calendar to its members: at ``send_at``, or when omitted at the slots'
    latest publish time (now when that is past). Returns the notice and its send time (None: now).

    Raises 404, 400 invalid_request (slots not open in this calendar, a time before the slots are
    public), 400 empty_audience (nobody is in the calendar's audience)."""
    calendar = get_calendar(calendar_id)
    ids = list(dict.fromkeys(slot_ids))
    found = db.session.scalars(select(Slot).where(Slot.id.in_(ids), Slot.calendar_id == calendar.id,
                                                  Slot.status == SlotStatus.open)).all()
    if len(found) != len(ids):
        missing = sorted(set(ids) - {s.id for s in found})
        raise invalid_request({"slot_ids": f"时段 {', '.join(map(str, missing))} 不是本日历可预约的时段"})
    now = utcnow()
    public_at = max((s.publish_at for s in found if s.publish_at is not None), default=None)
    if send_at is not None and public_at is not None and send_at < public_at:
        raise invalid_request({"send_at": f"时段 {local(public_at):%Y-%m-%d %H:%M} 才公开，通知不能早于此时"})
    when = send_at if send_at is not None else public_at
    notice = announce(calendar, list(found), when)
    if notice is None:
        raise AppError("empty_audience", "该日历面向的人群中没有会员，通知未发送")
    return notice, when if when is not None and when > now else None


def announce(calendar: Calendar, slots: list[Slot], publish_at: datetime | None):
    """Tell the calendar's members that slots are open for booking: at publish_at, or now when it is
    null or past (push, with SMS where no push can go). Returns the notice, or None when nobody is in
    the audience."""
    audience = _announcement_audience(calendar)
    reached = audiences_.admits(CalendarAudience, CalendarAudience.calendar_id, literal(calendar.id),
                                *audiences_.member_columns())
    if not db.session.scalar(select(exists().where(Member.is_active.is_(True), reached))):
        return None
    ordered = sorted(slots, key=lambda s: s.starts_at)
    days: dict[str, list[Slot]] = {}
    for s in ordered:
        days.setdefault(day_label(s.starts_at), []).append(s)
    parts = "、".join(dict.fromkeys(part_of_day(s.starts_at) for s in ordered))
    when = "、".join(days) if len(days) > 1 else f"{next(iter(days))} {parts}"
    title = f"{CalendarKind(calendar.kind).label}开放预约：{when} {calendar.location}"
    places = dict.fromkeys(slot_location(s, calendar) for s in ordered)
    ranges = "；".join(span_label(v[0].starts_at, max(x.ends_at for x in v)) for v in days.values())
    caps = sorted({s.capacity for s in ordered})
    per = f"每个时段可约 {caps[0]} 人" if len(caps) == 1 else "每个时段人数有限"
    host = f"，接待人：{calendar.host}" if calendar.host else ""
    body = (f"{calendar.title}：{ranges}，地点：{'、'.join(places)}{host}。共 {len(ordered)} 个时段，{per}，"
            f"请在小程序“预约”中选择时段，可填写想反映的问题。")
    send_at = publish_at if publish_at is not None and publish_at > utcnow() else None
    notice = notices.create_notice(None, title=title[:100], body=body, channels=["push"], audience=audience,
                                   send_at=send_at, sms_fallback=True, page=f"{PAGE}?calendar_id={calendar.id}")
    notices.send_notice(notice.id)
    return notice


def get_slot(slot_id: int, lock: bool = False) -> Slot:
    # Always re-read: seat counts change through conditional UPDATEs the session does not see.
    return get_or_raise(Slot, slot_id, slot_not_found, lock=lock, fresh=True)


def is_published(slot: Slot, now: datetime | None = None) -> bool:
    return slot.publish_at is None or slot.publish_at <= (now or utcnow())


def list_slots(calendar: Calendar, *, staff: bool, start: datetime | None, end: datetime | None,
               available: bool, page: int, per_page: int) -> tuple[list[Slot], int]:
    """Slots in start order; members see only open, published ones; ``available`` leaves only those
    that can still be booked."""
    now = utcnow()
    conds = [Slot.calendar_id == calendar.id]
    if not staff or available:
        conds += [Slot.status == SlotStatus.open, or_(Slot.publish_at.is_(None), Slot.publish_at <= now)]
    if available:
        conds += [Slot.booked < Slot.capacity, Slot.starts_at > now]
    if start:
        conds.append(Slot.starts_at >= start)
    if end:
        conds.append(Slot.starts_at < end)
    total = db.session.scalar(select(func.count()).select_from(Slot).where(*conds)) or 0
    items = db.session.scalars(select(Slot).where(*conds).order_by(Slot.starts_at, Slot.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return list(items), total


def booked_member_ids(slot_id: int) -> list[int]:
    return list(db.session.scalars(select(Booking.member_id).where(Booking.slot_id == slot_id,
                                                                   Booking.status == BookingStatus.booked)
                                   .order_by(Booking.id)))


def update_slot(slot_id: int, changes: dict[str, Any]) -> Slot:
    """Move or resize a slot (staff). Members booked on it are told when its time or place changes.

    Raises 404, 400 invalid_request, 409 slot_cancelled / capacity_below_booked / slot_overlap.
    """
    calendar = get_calendar(get_slot(slot_id).calendar_id, lock=True)
    slot = get_slot(slot_id, lock=True)
    if slot.status == SlotStatus.cancelled:
        raise AppError("slot_cancelled")
    starts, ends = changes.get("starts_at") or slot.starts_at, changes.get("ends_at") or slot.ends_at
    if ends <= starts:
        raise invalid_request({"ends_at": "结束时间必须晚于开始时间"})
    capacity = changes.get("capacity")
    if capacity is not None and capacity < slot.booked:
        raise AppError("capacity_below_booked", f"已有 {slot.booked} 人预约，名额不能少于此数",
                       details={"booked": slot.booked})
    moved = (starts, ends) != (slot.starts_at, slot.ends_at)
    if moved:
        if starts != slot.starts_at and starts <= utcnow():
            raise invalid_request({"starts_at": "时段开始时间已过"})
        _check_overlaps(calendar.id, [(starts, ends)], exclude_id=slot.id)
    before = (slot.starts_at, slot.ends_at, slot_location(slot, calendar))
    slot.starts_at, slot.ends_at = starts, ends
    if capacity is not None:
        slot.capacity = capacity
    if changes.get("location"):
        slot.location = changes["location"]
    db.session.flush()
    if slot.starts_at != before[0]:
        slot_scheduled.send(slot)
    after = (slot.starts_at, slot.ends_at, slot_location(slot, calendar))
    if after != before:
        tell(booked_member_ids(slot.id), f"预约变更：{calendar.title}",
             f"您预约的“{calendar.title}”已由 {span_label(before[0], before[1])}（{before[2]}）调整为 "
              f"{span_label(after[0], after[1])}，地点：{after[2]}。如新时间不便，请在小程序中取消预约。", calendar.id)
    return slot


def cancel_slot(slot_id: int, by: int | None) -> Slot:
    """Cancel a slot (staff; idempotent): its bookings are cancelled and the members told."""
    slot = get_slot(slot_id, lock=True)
    if slot.status == SlotStatus.cancelled:
        return slot
    calendar = get_calendar(slot.calendar_id)
    member_ids = booked_member_ids(slot.id)
    now = utcnow()
    db.session.execute(update(Booking).where(Booking.slot_id == slot.id, Booking.status == BookingStatus.booked)
                       .values(status=BookingStatus.cancelled, cancelled_at=now, cancelled_by=by)
                       .execution_options(synchronize_session="fetch"))
    slot.status, slot.cancelled_at, slot.booked = SlotStatus.cancelled, now, 0
    db.session.flush()
    slot_cancelled.send(slot)
    tell(member_ids, f"预约取消：{calendar.title}",
         f"您预约的“{calendar.title}”{span_label(slot.starts_at, slot.ends_at)}（{slot_location(slot, calendar)}）"
          f"因故取消，给您带来不便，敬请谅解。可在小程序中另选时段。", calendar.id)
    log.info("slot %s cancelled; %d bookings cancelled", slot.id, len(member_ids))
    return slot
