"""Automatic notices (waiting-list promotion, event cancellation, booking changes, reminders) are kept apart
from what staff write: the staff list (source=staff) leaves them out, and each names its event or calendar,
where staff find them."""
from __future__ import annotations

from datetime import timedelta

from server.bookings import calendars
from server.bookings.booking import book_slot, cancel_booking
from server.bookings.slots import create_slots
from server.core.timeutil import utcnow
from server.events import lifecycle, signup

API = "/api/v1"


def _titles(client, headers, **query):
    r = client.get(f"{API}/notices", query_string=query, headers=headers)
    assert r.status_code == 200, r.get_json()
    return [(n["title"], n["source"], n["event_id"], n["calendar_id"]) for n in r.get_json()["items"]]


def test_automatic_notices_are_listed_under_their_event_or_calendar(client, make, auth, db):
    staff = make.staff()
    headers = auth(staff)
    first, second = make.member(), make.member()
    ev = make.event(title="插花课", capacity=1, waitlist=True)
    signup.register(first.id, ev.id)
    signup.register(second.id, ev.id)
    signup.cancel_registration(first, ev.id)  # second is promoted and told
    r = client.post(f"{API}/notices", json={"title": "工会例会", "body": "周五开会。", "channels": ["push"],
                                             "audience": {"all": True}}, headers=headers)
    assert r.status_code == 201 and r.get_json()["source"] == "staff"

    cal = calendars.create_calendar(kind="legal_clinic", title="法律门诊", location="工会办公室")
    start = utcnow() + timedelta(days=3)
    _, [slot] = create_slots(cal.id, [(start, start + timedelta(hours=1), 1)], None, ["slots.0.starts_at"])
    booking, _ = book_slot(first.id, slot.id, None)
    cancel_booking(staff, booking.id, staff=True)  # the member is told
    lifecycle.cancel_event(ev.id)  # everyone registered is told
    db.session.commit()

    assert _titles(client, headers, source="staff") == [("工会例会", "staff", None, None)]
    assert _titles(client, headers, event_id=ev.id) == [
        ("活动取消：插花课", "event_change", ev.id, None), ("候补成功：插花课", "waitlist", ev.id, None)]
    assert _titles(client, headers, calendar_id=cal.id) == [
        ("预约已取消：法律门诊", "booking_change", None, cal.id)]
    # Without a filter, everything, as before.
    assert len(_titles(client, headers)) == 4

    for bad in ({"source": "robot"}, {"event_id": "x"}, {"calendar_id": 0}):
        r = client.get(f"{API}/notices", query_string=bad, headers=headers)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_request", bad
