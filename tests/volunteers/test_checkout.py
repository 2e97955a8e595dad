"""Check-out at volunteer events: the check-out mode of the venue code, hours capped at the event's length,
one check-out per member and event (both databases; races commit for real from threads)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.events import checkin, lifecycle, signup
from server.events.models import Checkin
from server.members.models import Member
from server.volunteers.models import VolunteerCheckout
from tests.statements import statements_of

API = "/api/v1"


def err(r):
    return r.json["error"]["code"]


@pytest.fixture
def scene(client, make, auth):
    """A two-hour volunteer event starting in 30 minutes, a staff member and a member checked in now."""
    class Scene:
        pass

    s = Scene()
    s.start = utcnow().replace(microsecond=0)
    s.traveller = time_machine.travel(s.start, tick=False)
    s.clock = s.traveller.start()
    s.event = make.event(kind="volunteer", title="社区义务植树", starts_at=s.start + timedelta(minutes=30),
                         ends_at=s.start + timedelta(minutes=150))
    s.staff, s.member = make.staff(), make.member(name="李志愿")
    signup.register(s.member.id, s.event.id)
    s.sh, s.mh = auth(s.staff), auth(s.member)
    code = client.get(f"{API}/events/{s.event.id}/checkin-code", headers=s.sh).json["token"]
    assert client.post(f"{API}/checkins", json={"token": code}, headers=s.mh).status_code == 201
    yield s
    s.traveller.stop()


def out_code(client, s):
    r = client.get(f"{API}/events/{s.event.id}/checkout-code", headers=s.sh)
    assert r.status_code == 200, r.json
    assert r.headers["Cache-Control"] == "no-store"
    return r.json["token"]


def test_check_out_gives_the_hours_served_and_a_repeat_the_same_answer(client, scene):
    s = scene
    s.clock.shift(timedelta(minutes=75, seconds=40))
    token = out_code(client, s)
    assert token.startswith("o1.")
    first = client.post(f"{API}/checkouts", json={"token": token}, headers=s.mh)
    assert first.status_code == 201, first.json
    assert first.json["event_id"] == s.event.id and first.json["minutes"] == 75 and first.json["hours"] == 1.25
    assert first.json["checked_out_at"].endswith("+08:00")
    s.clock.shift(timedelta(minutes=20))  # a retry later changes nothing
    again = client.post(f"{API}/checkouts", json={"token": out_code(client, s)}, headers=s.mh)
    assert again.status_code == 200 and again.json == first.json

    mine = client.get(f"{API}/me/volunteer-hours", headers=s.mh).json
    assert mine["total_minutes"] == 75 and mine["total_hours"] == 1.25 and mine["points"] == 12
    [item] = mine["items"]
    assert item["kind"] == "event" and item["title"] == "社区义务植树" and item["minutes"] == 75


def test_hours_are_capped_at_the_event_length(client, scene):
    s = scene
    s.clock.shift(timedelta(hours=4))  # checked in 30 minutes early, out 90 minutes after the end
    r = client.post(f"{API}/checkouts", json={"token": out_code(client, s)}, headers=s.mh)
    assert r.status_code == 201 and r.json["minutes"] == 120 and r.json["hours"] == 2.0


def test_a_check_in_code_is_no_check_out_code_and_the_reverse(client, scene):
    s = scene
    s.clock.shift(timedelta(hours=1))
    in_code = client.get(f"{API}/events/{s.event.id}/checkin-code", headers=s.sh).json["token"]
    r = client.post(f"{API}/checkouts", json={"token": in_code}, headers=s.mh)
    assert r.status_code == 400 and err(r) == "invalid_token"
    # The same numbers under the other prefix do not pass either: the keys differ.
    r = client.post(f"{API}/checkouts", json={"token": "o1." + in_code[3:]}, headers=s.mh)
    assert r.status_code == 400 and err(r) == "invalid_token"

    # A check-out code is no check-in code (checked the code before the member's check-in is looked at).
    token = out_code(client, s)
    r = client.post(f"{API}/checkins", json={"token": token}, headers=s.mh)
    assert r.status_code == 400 and err(r) == "invalid_token"
    r = client.post(f"{API}/checkins", json={"token": "c1." + token[3:]}, headers=s.mh)
    assert r.status_code == 400 and err(r) == "invalid_token"


def test_an_expired_check_out_code_is_refused(client, scene):
    s = scene
    s.clock.shift(timedelta(hours=1))
    token = out_code(client, s)
    s.clock.shift(timedelta(seconds=2 * checkin.code_period_seconds()))
    r = client.post(f"{API}/checkouts", json={"token": token}, headers=s.mh)
    assert r.status_code == 400 and err(r) == "token_expired"


def test_no_check_out_without_a_check_in(client, scene, make, auth):
    s = scene
    s.clock.shift(timedelta(hours=1))
    stranger = make.member()
    r = client.post(f"{API}/checkouts", json={"token": out_code(client, s)}, headers=auth(stranger))
    assert r.status_code == 409 and err(r) == "not_checked_in"


def test_check_out_closes_after_the_event(client, scene, app):
    s = scene
    closes = app.config["VOLUNTEER_CHECKOUT_CLOSES_MINUTES_AFTER"]
    s.clock.shift(timedelta(minutes=150 + closes, seconds=1))
    r = client.post(f"{API}/checkouts", json={"token": out_code(client, s)}, headers=s.mh)
    assert r.status_code == 409 and err(r) == "checkout_closed"
    assert r.json["error"]["details"]["closes_at"].endswith("+08:00")


def test_only_volunteer_events_have_a_check_out_code(client, make, auth):
    ev = make.event(kind="lecture")
    r = client.get(f"{API}/events/{ev.id}/checkout-code", headers=auth(make.staff()))
    assert r.status_code == 409 and err(r) == "not_volunteer_event"
    assert client.get(f"{API}/events/999999/checkout-code", headers=auth(make.staff())).status_code == 404


def test_check_out_code_png_is_a_qr_image(client, make, auth):
    ev = make.event(kind="volunteer")
    r = client.get(f"{API}/events/{ev.id}/checkout-code?format=png", headers=auth(make.staff()))
    assert r.status_code == 200 and r.mimetype == "image/png" and r.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_cancelled_event_has_no_check_out_code(client, make, auth, db):
    ev = make.event(kind="volunteer")
    lifecycle.cancel_event(ev.id)
    db.session.flush()
    r = client.get(f"{API}/events/{ev.id}/checkout-code", headers=auth(make.staff()))
    assert r.status_code == 409 and err(r) == "event_cancelled"


@pytest.mark.parametrize("token", ["", "o1.1.2", "o1.1.2." + "A" * 22 + "\x00", "o1." + "9" * 40 + ".5." + "A" * 22,
                                   "x" * 301])
def test_bad_tokens_are_clear_errors(client, make, auth, token):
    r = client.post(f"{API}/checkouts", json={"token": token}, headers=auth(make.member()))
    assert r.status_code == 400 and err(r) in ("invalid_token", "invalid_request")


@pytest.mark.parametrize("body", [{}, {"token": 5}, {"token": None}, {"token": "a", "x": 1}, []])
def test_bad_bodies_are_400(client, make, auth, body):
    r = client.post(f"{API}/checkouts", json=body, headers=auth(make.member()))
    assert r.status_code == 400 and err(r) == "invalid_request"


def test_a_check_out_is_one_statement_on_postgresql(client, scene, db):
    s = scene
    s.clock.shift(timedelta(hours=1))
    token = out_code(client, s)
    with statements_of(db.engine) as statements:
        r = client.post(f"{API}/checkouts", json={"token": token}, headers=s.mh)
    assert r.status_code == 201 and r.json["minutes"] == 60
    # PostgreSQL: the member's roster state, the read and the insert in one round trip, as check-in's.
    # SQLite: the read, then the insert.
    assert len(statements) == (1 if db.engine.dialect.name == "postgresql" else 2), statements


def test_ten_simultaneous_check_outs_make_one(app, committing_db):
    from server.members.auth import issue_token

    s = committing_db.session
    member = Member(employee_no="VRACE1", name="抢签退", roles=["member"])
    s.add(member)
    start = utcnow() + timedelta(minutes=20)
    ev = lifecycle.create_event(title="签退赛跑", kind="volunteer", location="社区", starts_at=start,
                                ends_at=start + timedelta(hours=1))
    s.flush()
    reg = signup.register(member.id, ev.id)[0]
    s.add(Checkin(event_id=ev.id, member_id=member.id, registration_id=reg.id, method="code",
                  checked_in_at=utcnow() - timedelta(minutes=30)))
    s.commit()
    event_id, member_id = ev.id, member.id
    with app.test_request_context():
        bearer = {"Authorization": f"Bearer {issue_token(member_id)[0]}"}
        token, _ = checkin.venue_code(event_id, mode=checkin.CHECKOUT)
    s.remove()

    barrier = threading.Barrier(10)

    def one(_):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}/checkouts", json={"token": token}, headers=bearer)
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(one, range(10)))

    assert sorted(c for c, _ in results) == [200] * 9 + [201], results
    assert len({(b["checked_out_at"], b["minutes"]) for _, b in results}) == 1
    assert results[0][1]["minutes"] == 30
    assert s.scalar(select(func.count()).select_from(VolunteerCheckout)
                    .where(VolunteerCheckout.event_id == event_id)) == 1
