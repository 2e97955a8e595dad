"""Sign-up under concurrency: real commits from many threads (SQLite file and PostgreSQL)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.events import lifecycle
from server.events.models import Event, Registration
from server.members.models import Member

API = "/api/v1"


def _seed(db, n_members: int, **event_kw) -> tuple[int, list[int]]:
    members = [Member(employee_no=f"R{i:05d}", name=f"会员{i}", roles=["member"]) for i in range(n_members)]
    db.session.add_all(members)
    start = utcnow() + timedelta(days=2)
    event = lifecycle.create_event(title="抢名额", kind="activity", location="礼堂", starts_at=start,
                                   ends_at=start + timedelta(hours=1), **event_kw)
    db.session.flush()
    ids = event.id, [m.id for m in members]
    # Commit and hold no transaction: on SQLite an open one would keep the write lock from the threads.
    db.session.commit()
    db.session.close()
    return ids


def _tokens(app, member_ids):
    from server.members.auth import issue_token

    with app.test_request_context():
        return {mid: issue_token(mid)[0] for mid in member_ids}


def _post_all(app, event_id, tokens: list[str], workers: int):
    def one(token):
        client = app.test_client()
        r = client.post(f"{API}/events/{event_id}/registrations", headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, tokens))


def test_200_threads_never_overbook_and_waitlist_has_no_gaps(app, committing_db):
    event_id, member_ids = _seed(committing_db, 200, capacity=50)
    tokens = _tokens(app, member_ids)
    results = _post_all(app, event_id, list(tokens.values()), workers=200)

    assert all(code == 201 for code, _ in results), {code for code, _ in results}
    confirmed = [b for _, b in results if b["status"] == "confirmed"]
    waitlisted = sorted(b["waitlist_position"] for _, b in results if b["status"] == "waitlisted")
    assert len(confirmed) == 50
    assert waitlisted == list(range(1, 151))

    s = committing_db.session
    event = s.get(Event, event_id)
    assert (event.confirmed_count, event.waitlist_count) == (50, 150)
    stored = dict(s.execute(select(Registration.status, func.count()).where(Registration.event_id == event_id)
                            .group_by(Registration.status)).all())
    assert stored == {"confirmed": 50, "waitlisted": 150}


def test_one_member_on_two_devices_at_once_gets_one_registration(app, committing_db):
    event_id, member_ids = _seed(committing_db, 1, capacity=5)
    token = _tokens(app, member_ids)[member_ids[0]]
    results = _post_all(app, event_id, [token] * 16, workers=16)

    ids = {b["id"] for _, b in results}
    assert len(ids) == 1
    assert sorted(code for code, _ in results) == [200] * 15 + [201]
    assert committing_db.session.get(Event, event_id).confirmed_count == 1


def test_cancellations_racing_signups_keep_counts_exact(app, committing_db):
    """Half the confirmed cancel while newcomers sign up: every freed seat is refilled, never overfilled."""
    event_id, member_ids = _seed(committing_db, 120, capacity=40)
    tokens = _tokens(app, member_ids)
    first, later = member_ids[:80], member_ids[80:]
    _post_all(app, event_id, [tokens[m] for m in first], workers=32)

    def cancel(mid):
        return app.test_client().delete(f"{API}/events/{event_id}/registrations/me",
                                        headers={"Authorization": f"Bearer {tokens[mid]}"}).status_code

    def signup(mid):
        return app.test_client().post(f"{API}/events/{event_id}/registrations",
                                      headers={"Authorization": f"Bearer {tokens[mid]}"}).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        futures = [pool.submit(cancel, m) for m in first[:20]] + [pool.submit(signup, m) for m in later]
        codes = [f.result() for f in futures]
    assert codes[:20] == [200] * 20 and set(codes[20:]) == {201}

    s = committing_db.session
    event = s.get(Event, event_id)
    counts = dict(s.execute(select(Registration.status, func.count()).where(Registration.event_id == event_id)
                            .group_by(Registration.status)).all())
    assert event.confirmed_count == counts["confirmed"] == 40
    assert event.waitlist_count == counts["waitlisted"] == 120 - 20 - 40
    seqs = s.scalars(select(Registration.waitlist_seq).where(Registration.event_id == event_id,
                                                             Registration.status == "waitlisted")).all()
    assert len(set(seqs)) == len(seqs)


def test_signing_up_again_after_cancelling_from_two_devices_takes_one_place(app, committing_db):
    """Signing up again reuses the cancelled row in two writes (the place, then the row): devices racing
    there end with one active registration and one place taken, never a place leaked."""
    event_id, member_ids = _seed(committing_db, 2, capacity=1)
    tokens = _tokens(app, member_ids)
    me, other = (tokens[m] for m in member_ids)
    client = app.test_client()
    first = client.post(f"{API}/events/{event_id}/registrations", headers={"Authorization": f"Bearer {me}"})
    assert client.delete(f"{API}/events/{event_id}/registrations/me",
                         headers={"Authorization": f"Bearer {me}"}).status_code == 200

    results = _post_all(app, event_id, [me] * 16, workers=16)

    assert sorted(code for code, _ in results) == [200] * 15 + [201], results
    assert {b["id"] for _, b in results} == {first.get_json()["id"]}
    assert {b["status"] for _, b in results} == {"confirmed"}
    s = committing_db.session
    event = s.get(Event, event_id)
    assert (event.confirmed_count, event.waitlist_count) == (1, 0)
    # The one seat is really taken: the other member goes to the waiting list.
    r = client.post(f"{API}/events/{event_id}/registrations", headers={"Authorization": f"Bearer {other}"})
    assert r.get_json()["status"] == "waitlisted"
