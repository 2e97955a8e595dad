"""Booking a seat on a slot, cancelling it, and the reads of bookings.

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
import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, select, text, update
from sqlalchemy.orm.attributes import set_committed_value

from ..core import audiences as audiences_
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, statement_per_transaction
from ..core.timeutil import SHANGHAI, UTCDateTime, utcnow
from ..members.auth import member_confirmed
from ..members.models import Department, Grid, Member
from .calendars import get_calendar
from .messages import local, span_label, tell
from .models import Booking, BookingStatus, Calendar, CalendarAudience, Slot, SlotStatus
from .slots import get_slot, is_published, slot_not_found

log = logging.getLogger(__name__)


def booking_not_found() -> AppError:
    return AppError("not_found", "预约不存在")


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
        tell([booking.member_id], f"预约已取消：{calendar.title}",
             f"工会已为您取消“{calendar.title}”{span_label(slot.starts_at, slot.ends_at)}的预约。"
              "如有疑问，请联系工会。", calendar.id)
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
