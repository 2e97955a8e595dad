"""Finding another member to nominate: names and departments of active members, never the caller; only while
nominations are open (the co-signer search's lookup, server/members/lookup.py)."""
from __future__ import annotations

from datetime import timedelta

import time_machine

from server.core.timeutil import utcnow

from .test_round import API, _round_body


def test_nominee_search(client, make, auth):
    staff, judge = make.staff(), make.member()
    me = make.member(name="王工匠")
    other = make.member(name="李工匠", department="数控车间")
    make.member(name="赵工匠", is_active=False)
    make.member(name="工匠_百分%")
    rid = client.post(f"{API}/craftsman/rounds", json=_round_body([judge.id]), headers=auth(staff)).json["id"]
    r = client.get(f"{API}/craftsman/rounds/{rid}/nominee-candidates?q=工匠", headers=auth(me))
    assert r.status_code == 200
    assert {(c["name"], c["department"]) for c in r.json["items"]} == {("李工匠", "数控车间"), ("工匠_百分%", None)}
    assert set(r.json["items"][0]) == {"id", "name", "department"}
    # LIKE wildcards are literal: "_" finds only the name that has one.
    r = client.get(f"{API}/craftsman/rounds/{rid}/nominee-candidates?q=_", headers=auth(me))
    assert [c["name"] for c in r.json["items"]] == ["工匠_百分%"]
    assert client.get(f"{API}/craftsman/rounds/{rid}/nominee-candidates", headers=auth(me)).status_code == 400
    assert client.get(f"{API}/craftsman/rounds/999999/nominee-candidates?q=李",
                      headers=auth(me)).json["error"]["code"] == "not_found"
    assert other.id in [c["id"] for c in client.get(f"{API}/craftsman/rounds/{rid}/nominee-candidates?q=李",
                                                    headers=auth(me)).json["items"]]
    with time_machine.travel(utcnow() + timedelta(days=1, minutes=1)):
        r = client.get(f"{API}/craftsman/rounds/{rid}/nominee-candidates?q=李", headers=auth(me))
        assert r.status_code == 409 and r.json["error"]["code"] == "nomination_closed"


def test_the_nominee_search_shares_the_member_search_budget(client, app, monkeypatch, make, auth):
    monkeypatch.setitem(app.config, "MEMBER_SEARCH_LIMIT", "2/hour")
    staff, judge, me = make.staff(), make.member(), make.member()
    rid = client.post(f"{API}/craftsman/rounds", json=_round_body([judge.id]), headers=auth(staff)).json["id"]
    for q in ("李", "王"):
        assert client.get(f"{API}/craftsman/rounds/{rid}/nominee-candidates?q={q}", headers=auth(me)).status_code == 200
    r = client.get(f"{API}/craftsman/rounds/{rid}/nominee-candidates?q=赵", headers=auth(me))
    assert r.status_code == 429 and r.json["error"]["code"] == "rate_limited"
