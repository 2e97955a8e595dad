"""Slot reminders: one row per slot and time (day before, 1 h before), fanned out to whoever is booked when due."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from server.bookings.booking import book_slot, cancel_booking
from server.core.timeutil import utcnow
from server.notices.models import Notice, NoticeRecipient
from server.reminders import services
from server.reminders.models import Reminder

API = "/api/v1"


def pending(db, slot_id):
    return sorted((r.offset_minutes, r.due_at) for r in db.session.scalars(
        select(Reminder).where(Reminder.kind == "booking", Reminder.target_id == slot_id,
                               Reminder.status == "pending")))


def recipients(db, notice_id):
    return set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice_id)))


def test_slot_gets_day_before_and_hour_before_reminders(db, make):
    start = utcnow() + timedelta(days=3)
    slot = make.slot(starts_at=start)
    assert pending(db, slot.id) == [(60, start - timedelta(hours=1)), (1440, start - timedelta(days=1))]
    soon = make.slot(starts_at=utcnow() + timedelta(hours=5))
    assert [o for o, _ in pending(db, soon.id)] == [60]  # the day-before time is already past


def test_moving_a_slot_moves_its_reminders_and_cancelling_removes_them(client, db, make, auth):
    slot = make.slot(starts_at=utcnow() + timedelta(days=3))
    h = auth(make.staff())
    new = utcnow() + timedelta(days=6)
    r = client.patch(f"{API}/slots/{slot.id}", headers=h,
                     json={"starts_at": new.isoformat(), "ends_at": (new + timedelta(minutes=30)).isoformat()})
    assert r.status_code == 200
    assert pending(db, slot.id) == [(60, new - timedelta(hours=1)), (1440, new - timedelta(days=1))]
    client.post(f"{API}/slots/{slot.id}/cancel", headers=h)
    assert pending(db, slot.id) == []


def test_due_reminder_reaches_exactly_the_members_booked_on_the_slot(db, make):
    start = utcnow() + timedelta(days=2)
    cal = make.calendar(kind="legal_clinic", title="法律门诊", location="工会202")
    slot = make.slot(cal, starts_at=start, capacity=3)
    neighbour_slot = make.slot(cal, starts_at=start + timedelta(hours=1))
    kept, cancelled, elsewhere = make.member(), make.member(), make.member()
    book_slot(kept.id, slot.id)
    gone, _ = book_slot(cancelled.id, slot.id)
    book_slot(elsewhere.id, neighbour_slot.id)
    cancel_booking(cancelled, gone.id, staff=False)
    assert services.fire_due() == []  # nothing due yet

    with time_machine.travel(start - timedelta(days=1) + timedelta(seconds=1)):
        (result,) = services.fire_due()
        assert result["status"] == "sent" and result["slot_id"] == slot.id and result["recipients"] == 1
        notice = db.session.get(Notice, result["notice_id"])
        assert recipients(db, notice.id) == {kept.id}
        assert notice.title == "预约提醒：法律门诊" and "工会202" in notice.body and notice.sms_fallback
        assert services.fire_due() == []  # once only
    with time_machine.travel(start - timedelta(minutes=59)):
        results = sorted((r["slot_id"], r["status"], r["recipients"]) for r in services.fire_due())
        # the neighbour's day-before reminder fell due long ago and is no longer useful
        assert results == [(slot.id, "sent", 1), (neighbour_slot.id, "missed", 0)]
    with time_machine.travel(neighbour_slot.starts_at - timedelta(minutes=59)):
        (result,) = services.fire_due()
        assert result["status"] == "sent" and recipients(db, result["notice_id"]) == {elsewhere.id}


def test_reminder_of_a_slot_nobody_booked_sends_nothing(db, make):
    start = utcnow() + timedelta(days=2)
    slot = make.slot(starts_at=start)
    with time_machine.travel(start - timedelta(minutes=59)):
        results = {r["reminder_id"]: r for r in services.fire_due()}
        sent = [r for r in results.values() if r["status"] == "sent"]
        assert [(r["slot_id"], r["recipients"], r["notice_id"]) for r in sent] == [(slot.id, 0, None)]
