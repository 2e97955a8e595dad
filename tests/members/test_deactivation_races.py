"""Deactivation racing the members' own sign-ups and bookings and other members' cancellations:
real commits from many threads (SQLite file and PostgreSQL)."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from server.bookings import calendars
from server.bookings.booking import book_slot
from server.bookings.models import Booking, Slot
from server.bookings.slots import create_slots
from server.core.timeutil import utcnow
from server.events import lifecycle, signup
from server.events.models import Event, Registration
from server.members.models import Member
from server.members.services import deactivate

API = "/api/v1"


def _seed(db, n_members: int, booked: int = 0):
    """Members; an event they all signed up for (half confirmed, half waiting); an empty event; a slot,
    booked by ``booked`` of the odd-numbered members (who will stay)."""
    s = db.session
    members = [Member(employee_no=f"D{i:05d}", name=f"会员{i}", roles=["member"]) for i in range(n_members)]
    s.add_all(members)
    start = utcnow() + timedelta(days=2)
    held = lifecycle.create_event(title="已报名的活动", kind="activity", location="礼堂", starts_at=start,
                                  ends_at=start + timedelta(hours=1), capacity=n_members // 2)
    fresh = lifecycle.create_event(title="新活动", kind="activity", location="礼堂", starts_at=start,
                                   ends_at=start + timedelta(hours=1), capacity=n_members // 4)
    cal = calendars.create_calendar(kind="health_check", title="体检", location="体检中心")
    _, (slot,) = create_slots(cal.id, [(start, start + timedelta(minutes=30), n_members // 4)], None, ["s"])
    s.flush()
    for m in members:
        signup.register(m.id, held.id)
    # Some who stay have booked the slot already; staff will cancel those bookings during the race.
    for m in members[1:2 * booked:2]:
        book_slot(m.id, slot.id)
    ids = [m.id for m in members], held.id, fresh.id, slot.id
    s.commit()
    s.close()
    return ids


def _tokens(app, member_ids):
    from server.members.auth import issue_token

    with app.test_request_context():
        return {mid: issue_token(mid)[0] for mid in member_ids}


def _consistent(db, *event_ids):
    """Each event's counters equal its rows, and no seat is free while someone waits."""
    s = db.session
    for event_id in event_ids:
        ev = s.get(Event, event_id, populate_existing=True)
        rows = dict(s.execute(select(Registration.status, func.count()).where(Registration.event_id == event_id)
                              .group_by(Registration.status)).all())
        assert (ev.confirmed_count, ev.waitlist_count) == (rows.get("confirmed", 0), rows.get("waitlisted", 0))
        assert ev.waitlist_count == 0 or ev.confirmed_count == ev.capacity


def test_deactivation_racing_sign_ups_bookings_and_cancellations_keeps_counts_exact(app, committing_db):
    member_ids, held_id, fresh_id, slot_id = _seed(committing_db, 40, booked=4)
    staff = Member(employee_no="DS001", name="干事", roles=["member", "staff"])
    committing_db.session.add(staff)
    committing_db.session.commit()
    staff_id = staff.id
    held_bookings = committing_db.session.scalars(select(Booking.id).where(Booking.slot_id == slot_id)).all()
    committing_db.session.close()
    tokens = _tokens(app, member_ids + [staff_id])
    leaving = member_ids[::2]                       # confirmed and waiting alike
    cancelling = [m for m in member_ids[1::2]][:8]  # stay on the roster, cancel at the same time
    barrier = threading.Barrier(1 + 2 * len(leaving) + len(cancelling) + len(held_bookings))
    report = {}

    def deactivation():
        with app.app_context():
            barrier.wait()
            report["done"] = deactivate(leaving)
            committing_db.session.commit()
            committing_db.session.remove()

    def request(method, path, mid):
        client = app.test_client()
        barrier.wait()
        return client.open(path, method=method, headers={"Authorization": f"Bearer {tokens[mid]}"}).status_code

    with ThreadPoolExecutor(max_workers=barrier.parties) as pool:
        futures = [pool.submit(deactivation)]
        signups = [pool.submit(request, "POST", f"{API}/events/{fresh_id}/registrations", m) for m in leaving]
        books = [pool.submit(request, "POST", f"{API}/slots/{slot_id}/bookings", m) for m in leaving]
        cancels = [pool.submit(request, "DELETE", f"{API}/events/{held_id}/registrations/me", m) for m in cancelling]
        # Staff cancelling bookings tell the members: notices, like the promotions, take the planning lock.
        unbooks = [pool.submit(request, "DELETE", f"{API}/bookings/{b}", staff_id) for b in held_bookings]
        futures[0].result()
        signup_codes = [f.result() for f in signups]
        book_codes = [f.result() for f in books]
        cancel_codes = [f.result() for f in cancels]
        unbook_codes = [f.result() for f in unbooks]

    assert set(signup_codes) <= {201, 401} and set(book_codes) <= {201, 401, 409}
    assert cancel_codes == [200] * len(cancelling) and unbook_codes == [200] * len(held_bookings)
    s = committing_db.session
    # Nothing of the leavers is left active, whatever got in before the deactivation.
    assert s.scalar(select(func.count()).select_from(Registration).where(
        Registration.member_id.in_(leaving), Registration.status != "cancelled")) == 0
    assert s.scalar(select(func.count()).select_from(Booking).where(
        Booking.member_id.in_(leaving), Booking.status == "booked")) == 0
    assert s.scalar(select(func.count()).select_from(Member).where(
        Member.id.in_(leaving), Member.is_active.is_(True))) == 0
    _consistent(committing_db, held_id, fresh_id)
    slot = s.get(Slot, slot_id)
    assert slot.booked == s.scalar(select(func.count()).select_from(Booking).where(
        Booking.slot_id == slot_id, Booking.status == "booked")) == 0
    # The report counts exactly what it released: every leaver's sign-up (the old event and any new one
    # that got in first) and every booking that got in first.
    done = report["done"]
    assert done.deactivated == len(leaving)
    assert done.registrations_released == len(leaving) + signup_codes.count(201)
    assert done.bookings_released == book_codes.count(201)
    # The stayers fill the old event in arrival order: all of them who did not cancel are confirmed.
    stayers = [m for m in member_ids[1::2] if m not in cancelling]
    confirmed = set(s.scalars(select(Registration.member_id).where(Registration.event_id == held_id,
                                                                   Registration.status == "confirmed")))
    assert confirmed == set(stayers)


def test_a_deactivated_member_cannot_sign_up_or_book_afterwards(app, committing_db):
    member_ids, _, fresh_id, slot_id = _seed(committing_db, 4)
    tokens = _tokens(app, member_ids)
    with app.app_context():
        deactivate(member_ids[:1])
        committing_db.session.commit()
        committing_db.session.remove()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[member_ids[0]]}"}
    assert client.post(f"{API}/events/{fresh_id}/registrations", headers=headers).status_code == 401
    assert client.post(f"{API}/slots/{slot_id}/bookings", headers=headers).status_code == 401


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only: row and advisory locks")
def test_deactivation_announces_promotions_only_after_taking_its_row_locks(app, committing_db):
    """A staff cancellation holds a slot's lock and then plans a notice (the planning lock). Were the
    deactivation to announce its promotions (the planning lock) before locking that slot, the two would
    wait for each other until PostgreSQL broke the deadlock by failing one of them."""
    member_ids, held_id, _, slot_id = _seed(committing_db, 4)
    leaver = member_ids[0]  # confirmed: leaving promotes someone
    with app.app_context():
        book_slot(leaver, slot_id)
        committing_db.session.commit()
        committing_db.session.remove()

    other = committing_db.engine.connect()
    other.execute(text("SELECT id FROM slots WHERE id = :id FOR UPDATE"), {"id": slot_id})
    outcome = {}

    started = threading.Event()

    def deactivation():
        with app.app_context():
            try:
                outcome["pid"] = committing_db.session.execute(text("SELECT pg_backend_pid()")).scalar()
                started.set()
                outcome["done"] = deactivate([leaver])
                committing_db.session.commit()
            except Exception as e:  # noqa: BLE001 - reported below
                outcome["error"] = e
                committing_db.session.rollback()
            finally:
                committing_db.session.remove()

    worker = threading.Thread(target=deactivation)
    worker.start()
    started.wait()
    with committing_db.engine.connect() as watch:
        # Until the deactivation waits for a lock: the slot's, the only one held here.
        while worker.is_alive() and watch.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                            {"pid": outcome["pid"]}).scalar() != "Lock":
            watch.rollback()
    other.execute(text("SELECT pg_advisory_xact_lock(7201)"))
    other.commit()
    other.close()
    worker.join()

    assert "error" not in outcome, outcome.get("error")
    assert (outcome["done"].promoted, outcome["done"].bookings_released) == (1, 1)
