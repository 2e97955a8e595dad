"""Reminders: rows that say when to remind whom about what; the scheduler fires the due ones.

One row per event and reminder time (never one per member). Firing claims the row with a
conditional UPDATE and writes the notice in the same transaction, so a second scheduler, a retry or
a clock jump cannot remind anyone twice; a failed attempt leaves the row pending for the next tick.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..bookings import messages, slots
from ..bookings.models import Calendar, Slot, SlotStatus
from ..core.extensions import db, transaction
from ..core.timeutil import SHANGHAI, utcnow
from ..events.models import Event, EventStatus, Registration
from ..events.signals import event_cancelled, event_scheduled
from ..notices import services as notices
from .models import Reminder, ReminderStatus

log = logging.getLogger(__name__)
WEEKDAYS = "一二三四五六日"


def grace(offset_minutes: int) -> timedelta:
    """How late a reminder may still go out: half its lead time (a 24 h reminder up to 12 h late, a 2 h one
    up to 1 h late), and never once the event has started."""
    return timedelta(minutes=offset_minutes / 2)


def schedule_event(event: Event) -> None:
    """(Re)plan the event's reminders after it was created or moved; times already past are skipped."""
    db.session.execute(delete(Reminder).where(Reminder.kind == "event", Reminder.target_id == event.id,
                                              Reminder.status == ReminderStatus.pending))
    if event.status == EventStatus.cancelled:
        return
    now = utcnow()
    rows = [{"kind": "event", "target_id": event.id, "offset_minutes": m,
             "due_at": event.starts_at - timedelta(minutes=m), "status": ReminderStatus.pending.value,
             "created_at": now}
            for m in sorted(set(event.reminder_minutes or ()), reverse=True)
            if event.starts_at - timedelta(minutes=m) > now]
    if rows:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(Reminder).values(rows).on_conflict_do_nothing())


def unschedule_event(event: Event) -> None:
    db.session.execute(delete(Reminder).where(Reminder.kind == "event", Reminder.target_id == event.id,
                                              Reminder.status == ReminderStatus.pending))


# A slot's reminders: the day before and one hour before; one row per time, fanned out to whoever
# is booked on the slot when it fires.
SLOT_REMINDER_MINUTES = (1440, 60)


def schedule_slot(slot: Slot) -> None:
    """(Re)plan a slot's reminders after it was created or moved; times already past are skipped."""
    unschedule_slot(slot)
    if slot.status == SlotStatus.cancelled:
        return
    now = utcnow()
    rows = [{"kind": "booking", "target_id": slot.id, "offset_minutes": m,
             "due_at": slot.starts_at - timedelta(minutes=m), "status": ReminderStatus.pending.value, "created_at": now}
            for m in SLOT_REMINDER_MINUTES if slot.starts_at - timedelta(minutes=m) > now]
    if rows:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(Reminder).values(rows).on_conflict_do_nothing())


def unschedule_slot(slot: Slot) -> None:
    db.session.execute(delete(Reminder).where(Reminder.kind == "booking", Reminder.target_id == slot.id,
                                              Reminder.status == ReminderStatus.pending))


def connect() -> None:
    event_scheduled.connect(schedule_event)
    event_cancelled.connect(unschedule_event)
    slots.slot_scheduled.connect(schedule_slot)
    slots.slot_cancelled.connect(unschedule_slot)


def due_ids(now: datetime, limit: int = 100) -> list[int]:
    return list(db.session.scalars(select(Reminder.id).where(Reminder.status == ReminderStatus.pending,
                                                             Reminder.due_at <= now)
                                   .order_by(Reminder.due_at, Reminder.id).limit(limit)))


def fire(reminder_id: int, now: datetime | None = None) -> dict | None:
    """Fire one due reminder; returns what happened, or None when someone else already did."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Reminder).where(Reminder.id == reminder_id, Reminder.status == ReminderStatus.pending,
                               Reminder.due_at <= now)
        .values(status=ReminderStatus.sent, fired_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return None
    r = db.session.get(Reminder, reminder_id, populate_existing=True)
    if r.kind == "booking":
        return _fire_slot(r, now)
    event = db.session.get(Event, r.target_id)
    late = now - r.due_at
    if (event is None or event.status == EventStatus.cancelled or now >= event.starts_at
            or late > grace(r.offset_minutes)):
        r.status = ReminderStatus.missed
        log.warning("reminder %s for event %s dropped: %s late, no longer useful", r.id, r.target_id, late)
        return {"reminder_id": r.id, "event_id": r.target_id, "status": "missed", "recipients": 0}
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == "confirmed")) or 0
    r.recipients = confirmed
    if confirmed:
        notice = notices.create_notice(
            None, title=f"活动提醒：{event.title}", body=_body(event), channels=["push"],
            audience={"event_confirmed_id": event.id}, sms_fallback=True, page=f"pages/events/detail?id={event.id}",
            source="reminder", event_id=event.id)
        notices.send_notice(notice.id)
        r.notice_id = notice.id
    log.info("reminder %s fired for event %s (%d min before): notice %s to %d members",
             r.id, event.id, r.offset_minutes, r.notice_id, confirmed)
    return {"reminder_id": r.id, "event_id": event.id, "status": "sent", "recipients": confirmed,
            "notice_id": r.notice_id}


def _body(event: Event) -> str:
    start = event.starts_at.astimezone(SHANGHAI)
    when = f"{start.month}月{start.day}日（周{WEEKDAYS[start.weekday()]}）{start:%H:%M}"
    return (f"您报名的“{event.title}”将于{when}在{event.location}开始，请准时参加，到场后扫描现场二维码签到。"
            f"如不能参加，请在小程序中取消报名。")


def _fire_slot(r: Reminder, now: datetime) -> dict:
    """A slot's reminder: one notice to every member booked on the slot at this moment."""
    slot = db.session.get(Slot, r.target_id)
    late = now - r.due_at
    if slot is None or slot.status == SlotStatus.cancelled or now >= slot.starts_at or late > grace(r.offset_minutes):
        r.status = ReminderStatus.missed
        log.warning("reminder %s for slot %s dropped: %s late, no longer useful", r.id, r.target_id, late)
        return {"reminder_id": r.id, "slot_id": r.target_id, "status": "missed", "recipients": 0}
    calendar = db.session.get(Calendar, slot.calendar_id)
    member_ids = slots.booked_member_ids(slot.id)
    r.recipients = len(member_ids)
    if member_ids:
        when = messages.span_label(slot.starts_at, slot.ends_at)
        notice = notices.create_notice(
            None, title=f"预约提醒：{calendar.title}"[:100],
            body=f"您预约的“{calendar.title}”时间为{when}，地点：{messages.slot_location(slot, calendar)}，请准时前往。"
                 f"如不能前往，请在小程序中取消预约，把时段留给其他会员。",
            channels=["push"], audience={"member_ids": member_ids}, sms_fallback=True, page="pages/bookings/mine",
            source="reminder", calendar_id=calendar.id)
        notices.send_notice(notice.id)
        r.notice_id = notice.id
    log.info("reminder %s fired for slot %s (%d min before): notice %s to %d members",
             r.id, slot.id, r.offset_minutes, r.notice_id, len(member_ids))
    return {"reminder_id": r.id, "slot_id": slot.id, "status": "sent", "recipients": len(member_ids),
            "notice_id": r.notice_id}


def fire_due(now: datetime | None = None) -> list[dict]:
    """Fire every due reminder, each in its own transaction; a failure leaves that one pending."""
    now = now or utcnow()
    results = []
    for rid in due_ids(now):
        try:
            with transaction():
                result = fire(rid, now)
        except Exception:
            log.exception("reminder %s failed; it stays pending and is tried again", rid)
            continue
        if result:
            results.append(result)
    return results


def upcoming(limit: int = 100) -> list[Reminder]:
    return list(db.session.scalars(select(Reminder).where(Reminder.status == ReminderStatus.pending)
                                   .order_by(Reminder.due_at, Reminder.id).limit(limit)))


