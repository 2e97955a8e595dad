"""The mini-program's volunteer fixture is anchored to the server's answers: miniprogram/tests/fixtures/
volunteers.json holds real answers (a check-out and its repeat, a refusal, my record with an event, an event never
checked out and an adjustment, the leaderboard, the settings); the Jest suites answer with these, and this test
checks the file's keys against what the server answers now. ``UPDATE_MINIPROGRAM_FIXTURES=1`` rewrites it."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import time_machine

from server.core.timeutil import SHANGHAI
from server.events import signup

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/volunteers.json"
HINT = "the server's volunteer shape changed: refresh miniprogram/tests/fixtures/volunteers.json " \
       "(UPDATE_MINIPROGRAM_FIXTURES=1) and check the Jest suites"
# The Jest suites' clock: 2026-11-25 12:00 in Shanghai (miniprogram/tests/helpers/clock.js).
AT = datetime(2026, 11, 25, 8, 30, tzinfo=SHANGHAI)


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_fixture_has_the_servers_shape(client, make, auth, db):
    with time_machine.travel(AT, tick=False) as clock:
        staff = make.staff(name="王干事")
        me = make.member(name="王芳", department="总装车间")
        other = make.member(name="李娜", department="装配车间")
        hidden = make.member(name="赵隐", department="装配车间")
        walk = make.event(kind="volunteer", title="社区义务植树", starts_at=AT + timedelta(minutes=30),
                          ends_at=AT + timedelta(hours=3, minutes=30))
        visit = make.event(kind="volunteer", title="敬老院探访", starts_at=AT + timedelta(minutes=30),
                           ends_at=AT + timedelta(hours=2, minutes=30))
        for m in (me, other, hidden):
            signup.register(m.id, walk.id)
        signup.register(me.id, visit.id)
        sh = auth(staff)
        heads = {m.id: auth(m) for m in (me, other, hidden)}
        code = client.get(f"{API}/events/{walk.id}/checkin-code", headers=sh).json["token"]
        for m in (me, other, hidden):
            assert client.post(f"{API}/checkins", json={"token": code}, headers=heads[m.id]).status_code == 201
        visit_code = client.get(f"{API}/events/{visit.id}/checkin-code", headers=sh).json["token"]
        client.post(f"{API}/checkins", json={"token": visit_code}, headers=heads[me.id])
        clock.shift(timedelta(hours=2, minutes=15))
        out = client.get(f"{API}/events/{walk.id}/checkout-code", headers=sh).json["token"]
        checkout = client.post(f"{API}/checkouts", json={"token": out}, headers=heads[me.id])
        assert checkout.status_code == 201
        again = client.post(f"{API}/checkouts", json={"token": out}, headers=heads[me.id])
        clock.shift(timedelta(hours=1))
        out = client.get(f"{API}/events/{walk.id}/checkout-code", headers=sh).json["token"]
        client.post(f"{API}/checkouts", json={"token": out}, headers=heads[other.id])
        client.post(f"{API}/checkouts", json={"token": out}, headers=heads[hidden.id])
        stranger = make.member()
        refused = client.post(f"{API}/checkouts", json={"token": out}, headers=auth(stranger)).json
        r = client.post(f"{API}/volunteer-hours/{me.id}/adjustments",
                        json={"minutes": 30, "reason": "活动前协助布置场地", "event_id": walk.id}, headers=sh)
        assert r.status_code == 201
        client.put(f"{API}/me/volunteer-settings", json={"leaderboard_opt_out": True}, headers=heads[hidden.id])
        hours = client.get(f"{API}/me/volunteer-hours", headers=heads[me.id]).json
        board = client.get(f"{API}/volunteers/leaderboard", headers=heads[me.id]).json
        settings = client.get(f"{API}/me/volunteer-settings", headers=heads[me.id]).json

    answers = {"checkout": checkout.json, "checkout_again": again.json, "not_checked_in": refused,
               "hours": hours, "leaderboard": board, "settings": settings}
    if os.environ.get("UPDATE_MINIPROGRAM_FIXTURES"):
        FIXTURE.write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert set(stored) == set(answers), HINT
    for key, value in answers.items():
        assert shape(value) == shape(stored[key]), (key, HINT)
    assert stored["not_checked_in"]["error"]["code"] == "not_checked_in"
    assert [i["name"] for i in stored["leaderboard"]["items"]] == ["李娜", "王芳"]
