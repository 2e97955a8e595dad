"""Booking under concurrency: real commits from many threads (SQLite file and PostgreSQL)."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from server.bookings import calendars
from server.bookings.models import Booking, Slot
from server.bookings.slots import create_slots
from server.core.timeutil import utcnow
from server.members.models import Member

API = "/api/v1"


def _seed(db, n_members: int, slots: list[int], **calendar_kw) -> tuple[list[int], list[int]]:
    """Members and one calendar with a slot per capacity given; committed, no transaction left open
    (on SQLite an open one would keep the write lock from the threads)."""
    members = [Member(employee_no=f"B{i:05d}", name=f"会员{i}", roles=["member"]) for i in range(n_members)]
    db.session.add_all(members)
    cal = calendars.create_calendar(kind="health_check", title="抢号", location="体检中心", **calendar_kw)
    start = utcnow() + timedelta(days=3)
    _, created = create_slots(
        cal.id, [(start + timedelta(hours=i), start + timedelta(hours=i, minutes=30), c) for i, c in enumerate(slots)],
        None, ["slots"] * len(slots))
    db.session.flush()
    ids = [m.id for m in members], [s.id for s in created]
    db.session.commit()
    db.session.close()
    return ids


def _tokens(app, member_ids):
    from server.members.auth import issue_token

    with app.test_request_context():
        return {mid: issue_token(mid)[0] for mid in member_ids}


def _book_all(app, pairs: list[tuple[str, int]], workers: int):
    """POST every (token, slot) at once; a barrier lines the threads up so they really race."""
    barrier = threading.Barrier(len(pairs))

    def one(pair):
        token, slot_id = pair
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}/slots/{slot_id}/bookings", headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, pairs))


def _stored(db, slot_id):
    s = db.session
    active = s.scalar(select(func.count()).select_from(Booking).where(Booking.slot_id == slot_id,
                                                                       Booking.status == "booked"))
    return s.get(Slot, slot_id).booked, active


def test_100_threads_for_the_last_seat_book_it_once(app, committing_db):
    member_ids, (slot_id,) = _seed(committing_db, 102, [3])
    tokens = _tokens(app, member_ids)
    for mid in member_ids[:2]:  # two seats already taken
        _book_all(app, [(tokens[mid], slot_id)], 1)
    results = _book_all(app, [(tokens[m], slot_id) for m in member_ids[2:]], workers=100)

    codes = Counter((code, (body.get("error") or {}).get("code")) for code, body in results)
    assert codes == {(201, None): 1, (409, "slot_full"): 99}, codes
    assert _stored(committing_db, slot_id) == (3, 3)


def test_one_member_on_two_devices_books_one_slot_within_the_limit(app, committing_db):
    """Ten members, each booking two different slots of one calendar from two devices at once (limit 1)."""
    rounds = 10
    member_ids, slot_ids = _seed(committing_db, rounds, [1] * (2 * rounds), max_active_per_member=1)
    tokens = _tokens(app, member_ids)
    outcomes = []
    for i, mid in enumerate(member_ids):
        results = _book_all(app, [(tokens[mid], slot_ids[2 * i]), (tokens[mid], slot_ids[2 * i + 1])], workers=2)
        outcomes.append(sorted((code, (body.get("error") or {}).get("code")) for code, body in results))
    assert outcomes == [[(201, None), (409, "booking_limit")]] * rounds
    per_member = dict(committing_db.session.execute(
        select(Booking.member_id, func.count()).where(Booking.status == "booked").group_by(Booking.member_id)).all())
    assert per_member == {mid: 1 for mid in member_ids}


def test_cancellations_racing_bookings_keep_counts_exact(app, committing_db):
    member_ids, (slot_id,) = _seed(committing_db, 60, [20])
    tokens = _tokens(app, member_ids)
    first, later = member_ids[:20], member_ids[20:]
    assert {c for c, _ in _book_all(app, [(tokens[m], slot_id) for m in first], workers=20)} == {201}
    ids = dict(committing_db.session.execute(
        select(Booking.member_id, Booking.id).where(Booking.slot_id == slot_id)).all())
    committing_db.session.close()

    def cancel(mid):
        return app.test_client().delete(f"{API}/bookings/{ids[mid]}",
                                        headers={"Authorization": f"Bearer {tokens[mid]}"}).status_code

    def book(mid):
        return app.test_client().post(f"{API}/slots/{slot_id}/bookings",
                                      headers={"Authorization": f"Bearer {tokens[mid]}"}).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        futures = [pool.submit(cancel, m) for m in first[:10]] + [pool.submit(book, m) for m in later]
        codes = [f.result() for f in futures]
    assert codes[:10] == [200] * 10 and set(codes[10:]) <= {201, 409}
    booked, active = _stored(committing_db, slot_id)
    assert booked == active == 10 + codes[10:].count(201) <= 20
