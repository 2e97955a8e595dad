"""Deactivation: a member taken off the roster loses tickets, seats, bookings and reminders at once."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from server.bookings.booking import book_slot
from server.bookings.models import Booking, Slot
from server.core.timeutil import utcnow
from server.events import checkin, lifecycle, signup, waitlist
from server.events.models import Checkin, Event, Registration
from server.members.models import Member
from server.members.roster import RosterRow, import_rows
from server.members.services import deactivate
from server.notices.models import Notice, NoticeRecipient
from server.reminders import services as reminders
from server.reminders.models import Reminder

API = "/api/v1"


def status(db, event_id, member_id):
    return db.session.scalar(select(Registration.status).where(Registration.event_id == event_id,
                                                               Registration.member_id == member_id))


def counts(db, event_id):
    ev = db.session.get(Event, event_id, populate_existing=True)
    return ev.confirmed_count, ev.waitlist_count


def told(db, title_prefix):
    """Member ids each notice with this title prefix went to."""
    ids = db.session.scalars(select(Notice.id).where(Notice.title.startswith(title_prefix))).all()
    return [sorted(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == i)))
            for i in ids]


def test_deactivation_releases_seats_in_arrival_order_and_says_what_it_did(db, make):
    gone, first, second = make.member(), make.member(), make.member()
    full = make.event(capacity=1)
    for m in (gone, first, second):
        signup.register(m.id, full.id)
    waiting = make.event(capacity=1)
    signup.register(make.member().id, waiting.id)
    signup.register(gone.id, waiting.id)  # waitlisted
    open_ = make.event()  # no capacity
    signup.register(gone.id, open_.id)
    pair = make.event(capacity=2)
    stays, third, fourth = make.member(), make.member(), make.member()
    for m in (gone, stays, third, fourth):
        signup.register(m.id, pair.id)

    done = deactivate([gone.id])

    assert (done.deactivated, done.registrations_released, done.promoted, done.bookings_released) == (1, 4, 2, 0)
    assert [status(db, pair.id, m.id) for m in (gone, stays, third, fourth)] \
        == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    assert counts(db, pair.id) == (2, 1)
    assert not db.session.get(Member, gone.id).is_active
    assert [status(db, full.id, m.id) for m in (gone, first, second)] == ["cancelled", "confirmed", "waitlisted"]
    assert counts(db, full.id) == (1, 1)
    assert status(db, waiting.id, gone.id) == "cancelled" and counts(db, waiting.id) == (1, 0)
    assert status(db, open_.id, gone.id) == "cancelled" and counts(db, open_.id) == (0, 0)
    # The promoted member is told, as after a member's own cancellation.
    assert sorted(told(db, "候补成功")) == sorted([[first.id], [third.id]])
    # The one still waiting moves up to first place.
    seq = db.session.scalar(select(Registration.waitlist_seq).where(Registration.member_id == second.id))
    assert waitlist.waitlist_positions(full.id, [seq]) == {seq: 1}


def test_ended_events_and_checked_in_seats_are_left_as_history(db, make):
    member, next_in_line = make.member(), make.member()
    start = utcnow() + timedelta(minutes=30)
    now_on = make.event(capacity=1, starts_at=start)
    signup.register(member.id, now_on.id)
    signup.register(next_in_line.id, now_on.id)
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        token, _ = checkin.venue_code(now_on.id)
        checkin.check_in_with_code(member.id, token)
    past_start = utcnow() + timedelta(days=1)
    past = make.event(starts_at=past_start)
    signup.register(member.id, past.id)
    cancelled = make.event()
    signup.register(member.id, cancelled.id)
    lifecycle.cancel_event(cancelled.id)

    with time_machine.travel(past_start + timedelta(days=1), tick=False):
        done = deactivate([member.id])

    assert done.registrations_released == 0 and done.promoted == 0
    assert status(db, now_on.id, member.id) == "confirmed"  # the seat was used
    assert status(db, now_on.id, next_in_line.id) == "waitlisted"
    assert status(db, past.id, member.id) == "confirmed"
    assert status(db, cancelled.id, member.id) == "confirmed"


def test_an_event_in_progress_releases_an_unused_seat(db, make):
    member, next_in_line = make.member(), make.member()
    ev = make.event(capacity=1)
    signup.register(member.id, ev.id)
    signup.register(next_in_line.id, ev.id)
    with time_machine.travel(ev.starts_at + timedelta(minutes=10), tick=False):
        done = deactivate([member.id])
    assert (done.registrations_released, done.promoted) == (1, 1)
    assert status(db, ev.id, next_in_line.id) == "confirmed"


def test_upcoming_bookings_are_cancelled_and_their_seats_freed(db, make):
    member, other = make.member(), make.member()
    cal = make.calendar(max_active_per_member=3)
    soon, later = make.slot(cal, capacity=2), make.slot(cal, capacity=1)
    begun_at = utcnow() + timedelta(hours=2)
    begun = make.slot(cal, starts_at=begun_at, capacity=1)
    for s in (soon, later, begun):
        book_slot(member.id, s.id)
    book_slot(other.id, soon.id)

    with time_machine.travel(begun_at + timedelta(minutes=5), tick=False):
        done = deactivate([member.id])

    assert done.bookings_released == 2
    mine = dict(db.session.execute(select(Booking.slot_id, Booking.status).where(Booking.member_id == member.id)).all())
    assert mine == {soon.id: "cancelled", later.id: "cancelled", begun.id: "booked"}
    booked = {s.id: db.session.get(Slot, s.id, populate_existing=True).booked for s in (soon, later, begun)}
    assert booked == {soon.id: 1, later.id: 0, begun.id: 1}
    # The freed seat can be booked by someone else.
    _, created = book_slot(make.member().id, later.id)
    assert created


def test_reminders_no_longer_reach_a_deactivated_member(db, make):
    member, stays = make.member(), make.member()
    ev = make.event(starts_at=utcnow() + timedelta(days=3), reminder_minutes=[1440])
    signup.register(member.id, ev.id)
    signup.register(stays.id, ev.id)
    slot = make.slot(capacity=2)
    book_slot(member.id, slot.id)
    book_slot(stays.id, slot.id)

    deactivate([member.id])

    fired = []
    for kind, target, at in (("event", ev.id, ev.starts_at), ("booking", slot.id, slot.starts_at)):
        rid = db.session.scalar(select(Reminder.id).where(Reminder.kind == kind, Reminder.target_id == target,
                                                          Reminder.offset_minutes == 1440))
        with time_machine.travel(at - timedelta(minutes=1439), tick=False):
            fired.append(reminders.fire(rid))
    assert [f["recipients"] for f in fired] == [1, 1]
    assert told(db, "活动提醒") == [[stays.id]] and told(db, "预约提醒") == [[stays.id]]


def test_deactivating_twice_or_nobody_does_nothing(db, make):
    member = make.member()
    signup.register(member.id, make.event().id)
    assert deactivate([member.id]).registrations_released == 1
    again = deactivate([member.id])
    assert (again.deactivated, again.registrations_released, again.promoted, again.bookings_released) == (0, 0, 0, 0)
    assert deactivate([]).deactivated == 0


# --- tickets --------------------------------------------------------------------------------------

@pytest.fixture
def at_the_door(make, client, auth):
    """A staff member, and a member with a ticket for an event whose check-in is open."""
    ev = make.event(starts_at=utcnow() + timedelta(minutes=30))
    member, staff = make.member(), make.staff()
    signup.register(member.id, ev.id)
    ticket = client.get(f"{API}/events/{ev.id}/ticket", headers=auth(member)).json["ticket"]
    return ev, member, staff, ticket


def test_staff_scanning_a_deactivated_members_ticket_are_refused(client, auth, at_the_door):
    ev, member, staff, ticket = at_the_door
    deactivate([member.id])

    r = client.post(f"{API}/events/{ev.id}/checkins", json={"ticket": ticket}, headers=auth(staff))

    assert r.status_code == 403, r.json
    assert r.json["error"]["code"] == "not_registered"
    assert r.json["error"]["details"] == {"reason": "member_inactive"}
    assert "停用" in r.json["error"]["message"]
    stats = client.get(f"{API}/events/{ev.id}/checkins/stats", headers=auth(staff)).json
    assert stats["checked_in"] == 0


def test_the_offline_sync_refuses_a_deactivated_members_scan(client, auth, at_the_door, db):
    ev, member, staff, ticket = at_the_door
    deactivate([member.id])

    r = client.post(f"{API}/events/{ev.id}/checkins/batch", json={"items": [
        {"ticket": ticket, "scanned_at": (utcnow() - timedelta(minutes=1)).isoformat()}]}, headers=auth(staff))

    assert r.status_code == 200
    (item,) = r.json["items"]
    assert item["status"] == "error" and item["error"]["code"] == "not_registered"
    assert "停用" in item["error"]["message"]
    assert db.session.scalar(select(Checkin.id).where(Checkin.member_id == member.id)) is None


def test_a_ticket_checked_in_before_deactivation_is_refused_afterwards(client, auth, at_the_door, db):
    ev, member, staff, ticket = at_the_door
    assert client.post(f"{API}/events/{ev.id}/checkins", json={"ticket": ticket},
                       headers=auth(staff)).status_code == 201
    deactivate([member.id])

    r = client.post(f"{API}/events/{ev.id}/checkins", json={"ticket": ticket}, headers=auth(staff))
    assert r.status_code == 403 and r.json["error"]["details"] == {"reason": "member_inactive"}
    # The attendance itself stays on record.
    assert db.session.scalar(select(Checkin.id).where(Checkin.member_id == member.id)) is not None


def test_the_venue_code_still_refuses_a_deactivated_member(client, make, auth, at_the_door):
    ev, member, staff, _ = at_the_door
    headers = auth(member)
    token = client.get(f"{API}/events/{ev.id}/checkin-code", headers=auth(staff)).json["token"]
    deactivate([member.id])
    r = client.post(f"{API}/checkins", json={"token": token}, headers=headers)
    assert r.status_code == 401


# --- the roster import ----------------------------------------------------------------------------

def test_import_deactivating_missing_members_reports_what_was_released(db, make):
    kept = make.member(employee_no="K1")
    gone = make.member(employee_no="G1")
    ev = make.event(capacity=1)
    signup.register(gone.id, ev.id)
    signup.register(kept.id, ev.id)
    book_slot(gone.id, make.slot().id)

    report = import_rows([RosterRow(line=2, employee_no="K1", name=kept.name)], deactivate_missing=True)

    assert (report.deactivated, report.registrations_released, report.promoted, report.bookings_released) \
        == (1, 1, 1, 1)
    assert status(db, ev.id, kept.id) == "confirmed"

    # Listed again: active again, with nothing given back.
    back = import_rows([RosterRow(line=2, employee_no="K1", name=kept.name),
                        RosterRow(line=3, employee_no="G1", name=gone.name)])
    assert back.updated == 1 and db.session.get(Member, gone.id).is_active
    assert status(db, ev.id, gone.id) == "cancelled"
    assert db.session.scalar(select(Booking.status).where(Booking.member_id == gone.id)) == "cancelled"


def test_cli_import_prints_what_deactivation_released(app, committing_db, tmp_path):
    s = committing_db.session
    ev = lifecycle.create_event(title="羽毛球赛", kind="activity", location="体育馆",
                                starts_at=utcnow() + timedelta(days=2),
                                ends_at=utcnow() + timedelta(days=2, hours=2), capacity=1)
    kept = Member(employee_no="K1", name="留下", roles=["member"])
    gone = Member(employee_no="G1", name="离开", roles=["member"])
    s.add_all([kept, gone])
    s.flush()
    signup.register(gone.id, ev.id)
    signup.register(kept.id, ev.id)
    event_id, kept_id = ev.id, kept.id
    s.commit()
    path = tmp_path / "roster.csv"
    path.write_text("employee_no,name,phone,department,grid,roles,tags\nK1,留下,,,,,\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["members", "import", str(path), "--deactivate-missing"])

    assert result.exit_code == 0, result.output
    assert ("停用 deactivated: 1  释放报名 registrations released: 1  候补递补 waiting-list promotions: 1  "
            "释放预约 bookings released: 0") in result.output
    s.remove()
    assert status(committing_db, event_id, kept_id) == "confirmed"
