"""Slot booking: calendars (health check, reception day, legal clinic), their slots and bookings.

A seat is taken with an atomic conditional ``UPDATE slots SET booked = booked + 1 WHERE booked <
capacity``, backed by the ``booked <= capacity`` CHECK, so a slot never gets one booking too many. A
member's own bookings are serialised by a lock on the member's row (``FOR NO KEY UPDATE`` in
``take_booking()`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises every writer anyway), so the
per-calendar limit holds
even when one member books from two devices at once; a partial unique index keeps one active booking per
member and slot.

Locks are always taken in the order member → calendar → slot → booking, so no two requests deadlock.
"""
from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from sqlalchemy import bindparam, case, exists, func, insert, literal, or_, select, text, update
from sqlalchemy.orm.attributes import set_committed_value

from .. import audiences as audiences_
from ..errors import AppError, invalid_request
from ..extensions import db, get_or_raise, statement_per_transaction
from ..members.auth import member_confirmed
from ..members.models import Department, Grid, Member
from ..notices import services as notices
from ..timeutil import SHANGHAI, UTCDateTime, utcnow
from .models import Booking, BookingStatus, Calendar, CalendarAudience, CalendarKind, Slot, SlotStatus

log = logging.getLogger(__name__)
signals = Namespace()
# Sent when a slot is created or moved (reminders are planned again) and when it is cancelled.
slot_scheduled = signals.signal("slot-scheduled")
slot_cancelled = signals.signal("slot-cancelled")

WEEKDAYS = "一二三四五六日"
PAGE = "pages/bookings/index"


def calendar_not_found() -> AppError:
    return AppError("not_found", "预约日历不存在")


def slot_not_found() -> AppError:
    return AppError("not_found", "预约时段不存在")


def booking_not_found() -> AppError:
    return AppError("not_found", "预约不存在")


# --- formatting (notices and messages) ------------------------------------------------------------

def local(dt: datetime) -> datetime:
    return dt.astimezone(SHANGHAI)


def day_label(dt: datetime) -> str:
    d = local(dt)
    return f"{d.month}月{d.day}日"


def span_label(starts_at: datetime, ends_at: datetime) -> str:
    """12月15日（周二）14:00—14:30"""
    s, e = local(starts_at), local(ends_at)
    return f"{s.month}月{s.day}日（周{WEEKDAYS[s.weekday()]}）{s:%H:%M}—{e:%H:%M}"


def part_of_day(dt: datetime) -> str:
    hour = local(dt).hour
    return "上午" if hour < 12 else "下午" if hour < 18 else "晚上"


def slot_location(slot: Slot, calendar: Calendar) -> str:
    return slot.location or calendar.location


# --- calendars ------------------------------------------------------------------------------------

def audience_filter(member: Member):
    """SQL condition on Calendar: open to this member."""
    return audiences_.admits(CalendarAudience, CalendarAudience.calendar_id, Calendar.id,
                             *audiences_.member_values(member))


def is_eligible(member: Member, calendar: Calendar) -> bool:
    return bool(db.session.scalar(select(exists().where(Calendar.id == calendar.id, audience_filter(member)))))


def create_calendar(created_by: int | None = None, audience: dict | None = None, **fields: Any) -> Calendar:
    """Create a calendar. Raises 400 invalid_request for unknown audience names."""
    rows = audiences_.resolve_rows(audience)
    calendar = Calendar(**fields, created_by=created_by)
    db.session.add(calendar)
    db.session.flush()
    if rows:
        db.session.execute(insert(CalendarAudience),
                           [{"calendar_id": calendar.id, "kind": k, "ref_id": r} for k, r in rows])
    return calendar


def get_calendar(calendar_id: int, lock: bool = False) -> Calendar:
    return get_or_raise(Calendar, calendar_id, calendar_not_found, lock=lock)


def visible_calendar(member: Member, calendar_id: int, staff: bool) -> Calendar:
    """The calendar if the member may see it; a calendar not open to them is a 404, as if absent."""
    calendar = get_calendar(calendar_id)
    if not staff and not is_eligible(member, calendar):
        raise calendar_not_found()
    return calendar


def list_calendars(member: Member, *, kind: str | None, page: int, per_page: int,
                   everything: bool = False) -> tuple[list[Calendar], int]:
    conds = [] if everything else [audience_filter(member)]
    if kind:
        conds.append(Calendar.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(Calendar).where(*conds)) or 0
    items = db.session.scalars(select(Calendar).where(*conds).order_by(Calendar.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return list(items), total


def audiences(calendar_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """Audience names per calendar, for output; one query per kind."""
    return audiences_.names(CalendarAudience, CalendarAudience.calendar_id, calendar_ids)


# --- slots ----------------------------------------------------------------------------------------

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

    Reception-day slots are announced to the calendar's members at ``publish_at`` (or at once).
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
    if calendar.kind == "reception_day":
        announce(calendar, slots, publish_at)
    return calendar, slots


def announce(calendar: Calendar, slots: list[Slot], publish_at: datetime | None):
    """Tell the calendar's members that slots are open for booking: at publish_at, or now when it is
    null or past (push, with SMS where no push can go). Returns the notice, or None when nobody is in
    the audience."""
    # The notice stores the calendar's audience (not its members): planned in SQL when it is sent.
    audience = audiences_.copy_of(CalendarAudience, CalendarAudience.calendar_id, calendar.id)
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


def _tell(member_ids: list[int], title: str, body: str) -> None:
    """A notice to the given members now: push, with SMS where no push can go."""
    if not member_ids:
        return
    notice = notices.create_notice(None, title=title[:100], body=body, channels=["push"],
                                   audience={"member_ids": member_ids}, sms_fallback=True, page="pages/bookings/mine")
    notices.send_notice(notice.id)


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
        _tell(booked_member_ids(slot.id), f"预约变更：{calendar.title}",
              f"您预约的“{calendar.title}”已由 {span_label(before[0], before[1])}（{before[2]}）调整为 "
              f"{span_label(after[0], after[1])}，地点：{after[2]}。如新时间不便，请在小程序中取消预约。")
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
    _tell(member_ids, f"预约取消：{calendar.title}",
          f"您预约的“{calendar.title}”{span_label(slot.starts_at, slot.ends_at)}（{slot_location(slot, calendar)}）"
          f"因故取消，给您带来不便，敬请谅解。可在小程序中另选时段。")
    log.info("slot %s cancelled; %d bookings cancelled", slot.id, len(member_ids))
    return slot


# --- bookings -------------------------------------------------------------------------------------

def _check_open(slot: Slot, now: datetime) -> None:
    if slot.status == SlotStatus.cancelled:
        raise AppError("slot_not_open", "该时段已取消", details={"reason": "cancelled"})
    if not is_published(slot, now):
        raise AppError("slot_not_open", "该时段尚未开放预约",
                       details={"reason": "not_published", "publish_at": local(slot.publish_at).isoformat()})
    if slot.starts_at <= now:
        raise AppError("slot_not_open", "该时段已开始或已结束，不能预约", details={"reason": "started"})


def _full() -> AppError:
    return AppError("slot_full")


@functools.cache
def _booking_statements():
    """The statements of the booking path, built once: a rush runs them thousands of times, and
    building the audience expression alone costs more than running it."""
    slot_id, member_id = bindparam("slot_id"), bindparam("member_id")
    eligible = audiences_.admits(CalendarAudience, CalendarAudience.calendar_id, Calendar.id,
                                 *audiences_.member_columns())
    mine = (select(Booking.id).where(Booking.slot_id == Slot.id, Booking.member_id == Member.id,
                                     Booking.status == BookingStatus.booked).scalar_subquery())
    # The member's roster state, slot, calendar, eligibility and the member's own booking of this slot
    # in one round trip, before any lock: it answers the refusals (a full slot above all) on its own.
    read = (select(Member.is_active, Member.token_version, Slot, Calendar, eligible.label("eligible"),
                   mine.label("mine"))
            .select_from(Member)
            .outerjoin(Slot, Slot.id == slot_id).outerjoin(Calendar, Calendar.id == Slot.calendar_id)
            .where(Member.id == member_id).execution_options(populate_existing=True))
    # SQLite, where BEGIN IMMEDIATE serialises every writer: the member's upcoming bookings in the
    # calendar, and among them the one of this slot if any (PostgreSQL: take_booking()).
    held = (select(func.count(Booking.id), func.max(case((Booking.slot_id == slot_id, Booking.id))))
            .join(Slot, Slot.id == Booking.slot_id)
            .where(Booking.member_id == member_id, Booking.status == BookingStatus.booked,
                   Slot.calendar_id == bindparam("calendar_id"), Slot.starts_at > bindparam("now")))
    take = (update(Slot).where(Slot.id == slot_id, Slot.status == SlotStatus.open, Slot.booked < Slot.capacity)
            .values(booked=Slot.booked + 1).returning(Slot.booked).execution_options(synchronize_session=False))
    return read, held, take


# PostgreSQL: the member's lock, the member's bookings, the seat and the booking in one call (see
# models.TAKE_BOOKING_SQL), committing on its own.
_TAKE_BOOKING = text("SELECT * FROM take_booking(:member_id, :slot_id, :calendar_id, :max_active, :topic, :now)") \
    .bindparams(bindparam("now", type_=UTCDateTime()))


def book_slot(member_id: int, slot_id: int, topic: str | None = None) -> tuple[Booking, bool]:
    """Book a seat on a slot. Returns (booking, created); booking again returns the same booking.

    Raises 401 unauthenticated (the member left the roster), 404 not_found, 403 not_eligible,
    400 invalid_request (a topic outside the reception day), 409 slot_not_open (cancelled, unpublished
    or begun) / booking_limit / slot_full.
    """
    read, held, take = _booking_statements()
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        statement_per_transaction()  # the read and take_booking() are one statement each
    row = db.session.execute(read, {"slot_id": slot_id, "member_id": member_id}).first()
    member_confirmed(row is not None and row.is_active, row.token_version if row is not None else None)
    _, _, slot, calendar, eligible, mine = row
    if slot is None:
        raise slot_not_found()
    # Output needs both; the session's identity map holds objects only weakly.
    set_committed_value(slot, "calendar", calendar)
    if not eligible:
        raise AppError("not_eligible")
    if mine is not None:
        return _with_slot(db.session.get(Booking, mine), slot), False
    if topic is not None and calendar.kind != "reception_day":
        raise invalid_request({"topic": "只有书记接待日的预约可以填写想反映的问题"})
    now = utcnow()
    _check_open(slot, now)
    if slot.booked >= slot.capacity:
        raise _full()  # the common refusal in a rush, answered in one statement

    limit = calendar.max_active_per_member
    if postgresql:
        took = db.session.execute(_TAKE_BOOKING, {"member_id": member_id, "slot_id": slot_id,
                                                  "calendar_id": calendar.id, "now": now, "max_active": limit,
                                                  "topic": topic}).first()
        if took is None:  # the member left the roster while this request waited for the member's row
            member_confirmed(False, None)
        active, mine, booked, booking_id = took
    else:
        active, mine = db.session.execute(held, {"member_id": member_id, "slot_id": slot_id,
                                                 "calendar_id": calendar.id, "now": now}).one()
        booked = booking_id = None
        if mine is None and active < limit:
            # The seat itself: atomic; the row stays locked by this UPDATE until commit.
            booked = db.session.execute(take, {"slot_id": slot_id}).scalar()
    if mine is not None:
        return _with_slot(db.session.get(Booking, mine), slot), False
    if active >= limit:
        raise AppError("booking_limit", f"您在“{calendar.title}”已有 {active} 个未到期的预约，"
                                        f"最多可同时预约 {limit} 个",
                       details={"max_active_per_member": limit, "active": active})
    if booked is None:
        _check_open(get_slot(slot_id), now)
        raise _full()
    set_committed_value(slot, "booked", booked)
    booking = Booking(id=booking_id, slot_id=slot_id, member_id=member_id, status=BookingStatus.booked, topic=topic,
                      created_at=now, cancelled_at=None)
    if booking_id is None:
        db.session.add(booking)
        db.session.flush()
    return _with_slot(booking, slot), True


def _with_slot(booking: Booking, slot: Slot) -> Booking:
    set_committed_value(booking, "slot", slot)
    return booking


def cancel_until(slot: Slot, calendar: Calendar) -> datetime:
    return slot.starts_at - timedelta(hours=calendar.cancel_cutoff_hours)


def cancel_booking(actor: Member, booking_id: int, staff: bool) -> Booking:
    """Cancel a booking: its member until the calendar's cut-off, staff at any time on the member's
    behalf (the member is then told). Cancelling twice is harmless.

    Someone else's booking is a 404, as if absent: its id must not confirm that it exists.
    Raises 404 not_found, 409 cancel_cutoff_passed.
    """
    booking = db.session.get(Booking, booking_id)
    if booking is None or (not staff and booking.member_id != actor.id):
        raise booking_not_found()
    slot = get_slot(booking.slot_id, lock=True)
    calendar = get_calendar(slot.calendar_id)
    db.session.refresh(booking)
    if booking.status == BookingStatus.cancelled:
        return booking
    now = utcnow()
    if not staff and now > cancel_until(slot, calendar):
        raise AppError("cancel_cutoff_passed",
                       f"已过取消截止时间（开始前 {calendar.cancel_cutoff_hours} 小时），如需取消请联系工会",
                       details={"cancel_until": local(cancel_until(slot, calendar)).isoformat()})
    # The slot's lock makes this read-then-write safe: no other cancel or booking of this slot runs now.
    booking.status, booking.cancelled_at, booking.cancelled_by = BookingStatus.cancelled, now, actor.id
    slot.booked -= 1
    db.session.flush()
    if booking.member_id != actor.id:
        _tell([booking.member_id], f"预约已取消：{calendar.title}",
              f"工会已为您取消“{calendar.title}”{span_label(slot.starts_at, slot.ends_at)}的预约。"
              "如有疑问，请联系工会。")
    return booking


def release_member_bookings(member_ids: list[int], now: datetime) -> int:
    """Cancel the members' bookings of slots that have not begun, freeing the seats (for deactivation:
    nobody is told, the members have left the roster). Set-based: the slots are locked in id order,
    then one UPDATE of the bookings and one of the seat counts. The caller holds the members' rows, as
    a booking does (member → slot → booking), so none of them books meanwhile. Returns how many."""
    if not member_ids:
        return 0
    upcoming = select(Booking.slot_id).join(Slot, Slot.id == Booking.slot_id).where(
        Booking.member_id.in_(member_ids), Booking.status == BookingStatus.booked, Slot.starts_at > now)
    slot_ids = list(db.session.scalars(select(Slot.id).where(Slot.id.in_(upcoming)).order_by(Slot.id)
                                       .with_for_update()))
    if not slot_ids:
        return 0
    freed = db.session.execute(
        update(Booking).where(Booking.member_id.in_(member_ids), Booking.slot_id.in_(slot_ids),
                              Booking.status == BookingStatus.booked)
        .values(status=BookingStatus.cancelled, cancelled_at=now, cancelled_by=None)
        .returning(Booking.slot_id).execution_options(synchronize_session=False)).scalars().all()
    per_slot: dict[int, int] = {}
    for slot_id in freed:
        per_slot[slot_id] = per_slot.get(slot_id, 0) + 1
    if per_slot:
        db.session.execute(
            update(Slot.__table__).where(Slot.__table__.c.id == bindparam("slot_id"))
            .values(booked=Slot.__table__.c.booked - bindparam("n")),
            [{"slot_id": k, "n": v} for k, v in per_slot.items()])
    log.info("released %d bookings of %d members on %d slots", len(freed), len(member_ids), len(per_slot))
    return len(freed)


def my_bookings(member: Member, status: str | None, page: int, per_page: int):
    """The member's bookings with slot and calendar: upcoming first (soonest first), then past (latest first)."""
    now = utcnow()
    conds = [Booking.member_id == member.id]
    if status:
        conds.append(Booking.status == status)
    total = db.session.scalar(select(func.count()).select_from(Booking).where(*conds)) or 0
    past = case((Slot.starts_at > now, 0), else_=1)
    rows = db.session.execute(
        select(Booking, Slot, Calendar).join(Slot, Slot.id == Booking.slot_id)
        .join(Calendar, Calendar.id == Slot.calendar_id).where(*conds)
        .order_by(past, case((Slot.starts_at > now, Slot.starts_at)), Slot.starts_at.desc(), Booking.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [tuple(r) for r in rows], total


def roster(calendar_id: int, day=None, status: str | None = None, page: int | None = None,
           per_page: int | None = None):
    """A calendar's bookings with member details, in slot order; one Asia/Shanghai day if given;
    all rows when page is None."""
    get_calendar(calendar_id)
    conds = [Slot.calendar_id == calendar_id]
    if day is not None:
        start = datetime.combine(day, datetime.min.time(), SHANGHAI)
        conds += [Slot.starts_at >= start, Slot.starts_at < start + timedelta(days=1)]
    if status:
        conds.append(Booking.status == status)
    total = db.session.scalar(select(func.count()).select_from(Booking).join(Slot, Slot.id == Booking.slot_id)
                              .where(*conds)) or 0
    stmt = (
        select(Booking, Slot, Member, Department.name.label("department"), Grid.name.label("grid"))
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Member, Member.id == Booking.member_id)
        .outerjoin(Department, Department.id == Member.department_id)
        .outerjoin(Grid, Grid.id == Member.grid_id)
        .where(*conds)
        .order_by(Slot.starts_at, Slot.id, Booking.status == BookingStatus.cancelled, Booking.created_at, Booking.id)
    )
    if page is not None:
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    return db.session.execute(stmt).all(), total
