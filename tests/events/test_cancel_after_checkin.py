"""A member who has checked in cannot cancel: the seat was used and is not handed on."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.events import checkin, lifecycle, signup
from server.events.models import Checkin, Event, Registration
from server.members.models import Member
from server.notices.models import Notice

API = "/api/v1"


def _cancel(client, headers, event_id):
    return client.delete(f"{API}/events/{event_id}/registrations/me", headers=headers)


@pytest.mark.parametrize("how", ["code", "ticket"])
def test_cancelling_after_check_in_is_refused_and_changes_nothing(client, make, auth, db, how):
    ev = make.event(capacity=1, starts_at=utcnow() + timedelta(minutes=30))  # check-in is open
    member, waiting, staff = make.member(), make.member(), make.staff()
    signup.register(member.id, ev.id)
    signup.register(waiting.id, ev.id)
    if how == "code":
        token = client.get(f"{API}/events/{ev.id}/checkin-code", headers=auth(staff)).json["token"]
        assert client.post(f"{API}/checkins", json={"token": token}, headers=auth(member)).status_code == 201
    else:
        ticket = client.get(f"{API}/events/{ev.id}/ticket", headers=auth(member)).json["ticket"]
        assert client.post(f"{API}/events/{ev.id}/checkins", json={"ticket": ticket},
                           headers=auth(staff)).status_code == 201

    r = _cancel(client, auth(member), ev.id)

    assert r.status_code == 409, r.json
    assert r.json["error"] == {"code": "already_checked_in", "message": "您已签到，不能取消报名", "details": {}}
    event = db.session.get(Event, ev.id, populate_existing=True)
    assert (event.confirmed_count, event.waitlist_count) == (1, 1)
    statuses = dict(db.session.execute(select(Registration.member_id, Registration.status)
                                       .where(Registration.event_id == ev.id)).all())
    assert statuses == {member.id: "confirmed", waiting.id: "waitlisted"}
    assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.title.startswith("候补成功"))) == 0
    # The event page still shows the registration with its check-in time.
    mine = client.get(f"{API}/events/{ev.id}", headers=auth(member)).json["my_registration"]
    assert mine["status"] == "confirmed" and mine["checked_in_at"] is not None


def test_the_contract_lists_the_new_refusal(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    responses = paths["/api/v1/events/{event_id}/registrations/me"]["delete"]["responses"]
    assert "already_checked_in" in responses["409"]["description"]


# --- the race: cancel and check-in at the same moment (real commits from two threads) ---------------

ROUNDS = 12


def _seed(db, how):
    """ROUNDS events whose check-in is open, each with one confirmed member (with a token) and one waiting."""
    from server.members.auth import issue_token

    s = db.session
    staff = Member(employee_no="CS001", name="干事", roles=["member", "staff"])
    s.add(staff)
    start = utcnow() + timedelta(minutes=20)
    cases = []
    for i in range(ROUNDS):
        member = Member(employee_no=f"CC{i:03d}", name=f"会员{i}", roles=["member"])
        waiting = Member(employee_no=f"CW{i:03d}", name=f"候补{i}", roles=["member"])
        s.add_all([member, waiting])
        ev = lifecycle.create_event(title=f"签到与取消{i}", kind="activity", location="礼堂", starts_at=start,
                                    ends_at=start + timedelta(hours=1), capacity=1)
        s.flush()
        reg, _, _ = signup.register(member.id, ev.id)
        signup.register(waiting.id, ev.id)
        scan = checkin.sign_ticket(ev, reg.id, member.id) if how == "ticket" else checkin.venue_code(ev.id)[0]
        cases.append((ev.id, member.id, scan))
    staff_id = staff.id
    s.commit()
    s.remove()
    from flask import current_app

    with current_app.test_request_context():
        tokens = {mid: issue_token(mid)[0] for _, mid, _ in cases} | {staff_id: issue_token(staff_id)[0]}
    return staff_id, cases, tokens


@pytest.mark.parametrize("how", ["ticket", "code"])
def test_cancel_and_check_in_at_once_never_both_happen(app, committing_db, how):
    staff_id, cases, tokens = _seed(committing_db, how)

    def race(case):
        event_id, member_id, scan = case
        barrier = threading.Barrier(2)

        def cancel():
            client = app.test_client()
            barrier.wait()
            return _cancel(client, {"Authorization": f"Bearer {tokens[member_id]}"}, event_id).status_code

        def check_in():
            client = app.test_client()
            barrier.wait()
            if how == "ticket":
                return client.post(f"{API}/events/{event_id}/checkins", json={"ticket": scan},
                                   headers={"Authorization": f"Bearer {tokens[staff_id]}"}).status_code
            return client.post(f"{API}/checkins", json={"token": scan},
                               headers={"Authorization": f"Bearer {tokens[member_id]}"}).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            c, k = pool.submit(cancel), pool.submit(check_in)
            return c.result(), k.result()

    outcomes = [race(case) for case in cases]

    s = committing_db.session
    for (event_id, member_id, _), (cancel_code, checkin_code) in zip(cases, outcomes, strict=True):
        reg_status = s.scalar(select(Registration.status).where(Registration.event_id == event_id,
                                                                Registration.member_id == member_id))
        checked_in = s.scalar(select(func.count()).select_from(Checkin).where(Checkin.event_id == event_id)) == 1
        assert not (reg_status == "cancelled" and checked_in), (event_id, cancel_code, checkin_code)
        # Exactly one of the two won, and each answer says which.
        assert (cancel_code, checkin_code) in ((200, 403), (409, 201)), (cancel_code, checkin_code)
        assert (reg_status, checked_in) == (("cancelled", False) if cancel_code == 200 else ("confirmed", True))
        event = s.get(Event, event_id)
        assert (event.confirmed_count, event.waitlist_count) == (1, 0 if cancel_code == 200 else 1)
